//! Recomputing instead of recording: a value local to a nested block that the reverse sweep
//! needs is normally pushed on a tape at the block's end. When it is cheap to compute again
//! from values the reverse sweep has anyway (an element of a buffer nothing writes, sums and
//! products of such values, integer index arithmetic), the reverse sweep recomputes it at
//! the start of the block's reverse instead, and the tape (and its memory) goes away.
//! Transcendental results (`exp`, `sin`, ..) stay recorded: recomputing them costs more than
//! reading them back.

use std::collections::HashMap;

use syn::visit::Visit;

use crate::ir::*;

/// The buffers whose writes are all undone in reverse, each where it is reversed: element
/// stores record the overwritten element (`contents_needed`), calls that change them are
/// snapshotted (`active`), and nothing else writes them (no swap, push, reassignment, or
/// statement kept as written that names them).
fn restored_buffers(f: &Function) -> Vec<bool> {
    let mut restored: Vec<bool> = f
        .vars
        .iter()
        .map(|v| v.buffer && !v.cell && v.contents_needed && v.active && v.view.is_none())
        .collect();
    // A statement only run forward may do anything with a buffer it names; a value kept as
    // written (`x.len()`) only reads, unless it borrows mutably.
    let mut named_by_opaque = Vec::new();
    f.body.walk(&mut |stmt| match stmt {
        Stmt::Swap { a, b } => {
            restored[f.root(*a)] = false;
            restored[f.root(*b)] = false;
        }
        Stmt::Push { base, .. } => restored[f.root(*base)] = false,
        Stmt::Assign { var, .. }
        | Stmt::Let {
            var, init: None, ..
        } => restored[f.root(*var)] = false,
        Stmt::Effect(tokens) => named_by_opaque.push(tokens.clone()),
        Stmt::Let {
            init: Some(Rhs::Opaque(tokens)),
            ..
        } if tokens.clone().into_iter().any(|t| names_in(&t, "mut")) => {
            named_by_opaque.push(tokens.clone())
        }
        _ => {}
    });
    for (var, kept) in restored.iter_mut().enumerate() {
        let name = f.vars[var].ident.to_string();
        let named = |tokens: &proc_macro2::TokenStream| {
            tokens
                .clone()
                .into_iter()
                .any(|tree| names_in(&tree, &name))
        };
        if *kept && named_by_opaque.iter().any(named) {
            *kept = false;
        }
    }
    restored
}

/// Whether a token tree names `name` anywhere.
pub fn names_in(tree: &proc_macro2::TokenTree, name: &str) -> bool {
    match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == name,
        proc_macro2::TokenTree::Group(group) => {
            group.stream().into_iter().any(|t| names_in(&t, name))
        }
        _ => false,
    }
}

/// Whether buffer `root` may be written after `var`'s definition in `var`'s block (in the
/// statements that follow it, nested blocks included): then the element `var` read is not
/// what the buffer holds at the start of the block's reverse. `None` if `var` is not
/// declared directly in its block.
fn written_after(f: &Function, root: VarId, var: VarId) -> Option<bool> {
    let body = find_block(&f.body, f.vars[var].block)?;
    let position = body
        .stmts
        .iter()
        .position(|stmt| matches!(stmt, Stmt::Let { var: v, .. } if *v == var))?;
    let rest = Block {
        id: body.id,
        stmts: body.stmts[position + 1..].to_vec(),
    };
    let mut written = false;
    rest.walk(&mut |stmt| {
        written |= match stmt {
            Stmt::Store { base, .. } | Stmt::Push { base, .. } => f.root(*base) == root,
            Stmt::Swap { a, b } => f.root(*a) == root || f.root(*b) == root,
            Stmt::Let {
                init: Some(rhs), ..
            }
            | Stmt::Assign { rhs, .. } => crate::activity::written_by_call(f, rhs).contains(&root),
            _ => false,
        }
    });
    Some(written)
}

/// Marks needed block-local variables that can be recomputed (`Var::recomputed`), making the
/// block-local values they are computed from needed in turn.
pub fn plan(f: &mut Function) {
    let facts = Facts::new(f);
    plan_loop_counters(f, &facts);
    loop {
        let mut newly = Vec::new();
        for var in 0..f.vars.len() {
            let v = &f.vars[var];
            if !v.needed || v.recomputed || v.block == ROOT || v.kind == VarKind::Param {
                continue;
            }
            if let Some(operands) = facts.recomputable(f, var) {
                // Recomputing `dx = t1 - t3` from two values that would be recorded in its
                // place turns one value on the tape into two: `dx` is recorded instead. With
                // one such operand it is a tie, and that operand may serve others (`i` for
                // `i * d` and `(i + 1) * d`).
                let recorded = operands
                    .iter()
                    .filter(|&&o| !facts.comes_back_free(f, o))
                    .count();
                if recorded <= 1 {
                    newly.push((var, operands, None));
                }
            } else if let Some((counter, element)) = facts.element_behind_counter(f, var) {
                // The counter must be stepped back in reverse for the element to be right.
                newly.push((var, vec![counter], Some(element)));
            } else if let Some((condition, operands)) = facts.recomputable_decision(f, var) {
                newly.push((var, operands, Some(condition)));
            }
        }
        if newly.is_empty() {
            // What a late recomputation reads back may itself be recomputed (an element
            // `a[i]` behind `sign * a[i]`): one more round for those.
            if plan_late(f, &facts) {
                continue;
            }
            return;
        }
        for (var, operands, element) in newly {
            f.vars[var].recomputed = true;
            f.vars[var].recompute_as = element;
            for operand in operands {
                f.vars[operand].needed = true;
            }
        }
        // A loop variable needed only now (`i` for a recomputed `t = i as f64 * h`) is
        // counted from its range rather than recorded.
        while plan_loop_counters_once(f, &facts) {}
    }
}

/// Values computed from a variable that their block reassigns afterwards (`bx = beta * x`
/// before `x += h * dx`), which the start of the block's reverse cannot recompute: `x` is back
/// to its old value only once the reverse of its reassignment has run. Such a value is
/// recomputed just before the reverse of its last reader in the block, provided `x` is not
/// reassigned between the value and that reader, every reassignment of `x` is a statement of
/// this block that restores it, and `x` is recorded anyway (so nothing is recorded in the
/// value's place). Its other operands must be there at the block's start. Returns whether it
/// planned any.
fn plan_late(f: &mut Function, facts: &Facts) -> bool {
    let mut late = Vec::new();
    for var in 0..f.vars.len() {
        let v = &f.vars[var];
        if !v.needed || v.recomputed || v.block == ROOT || v.kind == VarKind::Param || v.buffer {
            continue;
        }
        if let Some((position, operands)) = late_recompute(f, facts, var) {
            late.push((var, position, operands));
        }
    }
    let planned = !late.is_empty();
    for (var, position, operands) in late {
        f.vars[var].recomputed = true;
        f.vars[var].recomputed_late = Some(position);
        for operand in operands {
            f.vars[operand].needed = true;
        }
    }
    planned
}

/// For [`plan_late`]: the index of the statement before whose reverse `var` is recomputed,
/// and the block-local operands to bring back, if it qualifies.
fn late_recompute(f: &Function, facts: &Facts, var: VarId) -> Option<(usize, Vec<VarId>)> {
    let rhs = facts.definitions.get(&var)?;
    if !matches!(
        rhs,
        Rhs::Atom(_) | Rhs::Neg(_) | Rhs::Binary { .. } | Rhs::Cast { .. }
    ) {
        return None;
    }
    let body = find_block(&f.body, f.vars[var].block)?;
    let position = body
        .stmts
        .iter()
        .position(|stmt| matches!(stmt, Stmt::Let { var: v, .. } if *v == var))?;
    let name = f.vars[var].ident.to_string();
    let last_reader = (position + 1..body.stmts.len())
        .rev()
        .find(|&index| statement_reads(&body.stmts[index], var, &name))?;
    let mut reassigned_later = false;
    let mut bring_back = Vec::new();
    for operand in rhs.operands().iter().filter_map(|a| a.var()) {
        if let Some(back) = facts.available(f, operand, var) {
            if let Some(back) = back {
                if !facts.comes_back_free(f, back) {
                    return None;
                }
                bring_back.push(back);
            }
            continue;
        }
        let o = &f.vars[operand];
        if o.buffer || o.cell || o.view.is_some() || !o.needed {
            return None;
        }
        // Every write of `operand` is a reassignment at this block's top level (restored in
        // reverse from its tape), none of them between `var` and its last reader.
        let mut writes = 0;
        f.body.walk(&mut |stmt| match stmt {
            Stmt::Assign { var: v, .. } if *v == operand => writes += 1,
            Stmt::Let {
                var: v, init: None, ..
            } if *v == operand => writes += 1,
            Stmt::Let {
                init: Some(rhs), ..
            }
            | Stmt::Assign { rhs, .. }
                if crate::activity::written_by_call(f, rhs).contains(&operand) =>
            {
                writes += 1
            }
            _ => {}
        });
        let mut here = 0;
        for (index, stmt) in body.stmts.iter().enumerate() {
            if let Stmt::Assign { var: v, rhs, .. } = stmt {
                if *v == operand {
                    if index > position && index <= last_reader {
                        return None;
                    }
                    if !matches!(rhs, Rhs::Call { .. }) {
                        here += 1;
                    }
                }
            }
        }
        if writes != here {
            return None;
        }
        reassigned_later = true;
    }
    reassigned_later.then_some((last_reader, bring_back))
}

/// Whether `stmt` (nested statements included) reads `var`, by its operands or, in the
/// conditions and loop heads kept as written, by name.
fn statement_reads(stmt: &Stmt, var: VarId, name: &str) -> bool {
    let mentions = |tokens: &proc_macro2::TokenStream| {
        tokens.clone().into_iter().any(|tree| names_in(&tree, name))
    };
    let mut reads = false;
    stmt.walk(&mut |s| {
        reads |= match s {
            Stmt::Let {
                init: Some(rhs), ..
            }
            | Stmt::Assign { rhs, .. } => rhs.dependencies().contains(&var),
            Stmt::Store { rhs, index, .. } => {
                rhs.dependencies().contains(&var) || index.as_ref().and_then(Atom::var) == Some(var)
            }
            Stmt::Push { value, .. } => value.dependencies().contains(&var),
            Stmt::If { cond, .. } => mentions(cond),
            Stmt::Loop { head, .. } => match head {
                LoopHead::While(cond) => mentions(cond),
                LoopHead::For { iter, .. } => mentions(iter),
                LoopHead::Loop => false,
            },
            Stmt::Effect(tokens) => mentions(tokens),
            _ => false,
        }
    });
    reads
}

/// A `for i in start..end` loop's `i`, when needed in reverse, is `start` plus the
/// iteration's number there: no tape. `start` may read an enclosing loop's variables
/// (`for i in j + 1..d`), which then must be brought back in reverse, perhaps counted in turn.
fn plan_loop_counters(f: &mut Function, facts: &Facts) {
    while plan_loop_counters_once(f, facts) {}
    plan_trip_counts(f, facts);
}

/// A `for` over `start..end` that no `break` or `return` leaves early runs `end - start`
/// times: its trip count is recomputed from the range where the loop is reversed, when both
/// bounds can be, instead of being recorded.
fn plan_trip_counts(f: &mut Function, facts: &Facts) {
    let mut counted = Vec::new();
    f.body.walk(&mut |stmt| {
        let Stmt::Loop {
            trips,
            head: LoopHead::For { iter, .. },
            body,
            dispatch,
            ..
        } = stmt
        else {
            return;
        };
        let mut exits = !dispatch.is_empty();
        body.walk(&mut |s| exits |= matches!(s, Stmt::SetExit(_) | Stmt::Exit(_)));
        let Ok(syn::Expr::Range(range)) = syn::parse2::<syn::Expr>(iter.clone()) else {
            return;
        };
        if exits
            || !f.vars[*trips].needed
            || f.vars[*trips].block == ROOT
            || !matches!(range.limits, syn::RangeLimits::HalfOpen(_))
        {
            return;
        }
        let (Some(start), Some(end)) = (range.start.as_deref(), range.end.as_deref()) else {
            return;
        };
        let bounds = quote::quote!(#start..#end);
        let mut to_bring_back = Vec::new();
        for bound in [start, end] {
            let tokens = quote::ToTokens::to_token_stream(bound);
            let Some(reads) = facts.pure_arithmetic_reads(&tokens) else {
                return;
            };
            for read in reads {
                match facts.available(f, read, *trips) {
                    Some(operand) => to_bring_back.extend(operand),
                    None => return,
                }
            }
        }
        counted.push((*trips, bounds, to_bring_back));
    });
    for (trips, bounds, to_bring_back) in counted {
        f.vars[trips].recomputed = true;
        f.vars[trips].recompute_as =
            Some(quote::quote!(::core::iter::Iterator::size_hint(&(#bounds)).0));
        for operand in to_bring_back {
            f.vars[operand].needed = true;
        }
    }
}

/// One pass of [`plan_loop_counters`]; whether it counted a loop variable it had not.
fn plan_loop_counters_once(f: &mut Function, facts: &Facts) -> bool {
    let mut counted = Vec::new();
    f.body.walk(&mut |stmt| {
        let Stmt::Loop {
            head:
                LoopHead::For {
                    var: Some(var),
                    iter,
                    pattern: None,
                },
            ..
        } = stmt
        else {
            return;
        };
        let Ok(syn::Expr::Range(range)) = syn::parse2::<syn::Expr>(iter.clone()) else {
            return;
        };
        let Some(start) = range.start.as_deref() else {
            return;
        };
        let start = quote::ToTokens::to_token_stream(start);
        if !f.vars[*var].needed || f.vars[*var].counted_from.is_some() || facts.assigned[*var] {
            return;
        }
        // The start must mean the same at the loop's reverse: read only values never assigned,
        // in scope there.
        let Some(reads) = facts.pure_arithmetic_reads(&start) else {
            return;
        };
        let mut to_bring_back = Vec::new();
        for read in reads {
            match facts.available(f, read, *var) {
                Some(operand) => to_bring_back.extend(operand),
                None => return,
            }
        }
        counted.push((*var, start, to_bring_back));
    });
    let progress = !counted.is_empty();
    for (var, start, to_bring_back) in counted {
        f.vars[var].recomputed = true;
        f.vars[var].counted_from = Some(start);
        for operand in to_bring_back {
            f.vars[operand].needed = true;
        }
    }
    progress
}

/// What the decision needs to know about the whole function.
struct Facts {
    /// The single definition of each variable that is never assigned after it.
    definitions: HashMap<VarId, Rhs>,
    /// Variables assigned after their declaration (or written, for buffers).
    assigned: Vec<bool>,
    /// Buffers whose every write the reverse sweep undoes where it reverses it (element
    /// writes recorded, calls' changes snapshotted, nothing else writing them): at any point
    /// of the reverse sweep they hold what they held at the same point forward.
    restored: Vec<bool>,
    /// The block that contains each block.
    parents: Vec<Option<BlockId>>,
    /// The variable each emitted name stands for.
    by_name: HashMap<String, VarId>,
    /// Each recorded branch decision's condition, as written.
    conditions: HashMap<VarId, proc_macro2::TokenStream>,
}

impl Facts {
    fn new(f: &Function) -> Self {
        let mut assigned = vec![false; f.vars.len()];
        let mut definitions = HashMap::new();
        let mut parents = vec![None; f.block_count];
        fn walk(
            f: &Function,
            block: &Block,
            assigned: &mut [bool],
            definitions: &mut HashMap<VarId, Rhs>,
            parents: &mut [Option<BlockId>],
        ) {
            for stmt in &block.stmts {
                match stmt {
                    Stmt::Let {
                        var,
                        init: Some(rhs),
                        ..
                    } => {
                        definitions.insert(*var, rhs.clone());
                        for written in crate::activity::written_by_call(f, rhs) {
                            assigned[written] = true;
                        }
                    }
                    Stmt::Let {
                        var, init: None, ..
                    } => assigned[*var] = true,
                    Stmt::Assign { var, rhs, .. } => {
                        assigned[*var] = true;
                        for written in crate::activity::written_by_call(f, rhs) {
                            assigned[written] = true;
                        }
                    }
                    Stmt::Store { base, .. } | Stmt::Push { base, .. } => {
                        assigned[f.root(*base)] = true
                    }
                    Stmt::Swap { a, b } => {
                        assigned[*a] = true;
                        assigned[*b] = true;
                    }
                    Stmt::If {
                        then_block,
                        else_block,
                        ..
                    } => {
                        parents[then_block.id] = Some(block.id);
                        parents[else_block.id] = Some(block.id);
                        walk(f, then_block, assigned, definitions, parents);
                        walk(f, else_block, assigned, definitions, parents);
                    }
                    Stmt::Loop { body, .. } => {
                        parents[body.id] = Some(block.id);
                        walk(f, body, assigned, definitions, parents);
                    }
                    // A statement kept as written may change any variable it names
                    // (`j %= n`, `j <<= 1`, `step(&mut j)`): none of them has one value
                    // from its definition on, so none is computed again from it.
                    Stmt::Effect(tokens) => {
                        for id in f.vars_named_in(tokens) {
                            assigned[id] = true;
                        }
                    }
                    _ => {}
                }
            }
        }
        walk(f, &f.body, &mut assigned, &mut definitions, &mut parents);
        definitions.retain(|var, _| !assigned[*var]);
        let restored = restored_buffers(f);
        let by_name = f
            .vars
            .iter()
            .enumerate()
            .map(|(id, v)| (v.ident.to_string(), id))
            .collect();
        let mut conditions = HashMap::new();
        let exit_code = crate::names::exit_code().to_string();
        f.body.walk(&mut |stmt| {
            if let Stmt::If { branch, cond, .. } = stmt {
                // The exit code changes as the body runs: a guard on it is recorded.
                if !cond.clone().into_iter().any(|t| names_in(&t, &exit_code)) {
                    conditions.insert(*branch, cond.clone());
                }
            }
        });
        Facts {
            definitions,
            assigned,
            restored,
            parents,
            by_name,
            conditions,
        }
    }

    fn is_ancestor(&self, ancestor: BlockId, mut block: BlockId) -> bool {
        while let Some(parent) = self.parents[block] {
            if parent == ancestor {
                return true;
            }
            block = parent;
        }
        false
    }

    /// Whether `operand` holds, at the start of the reverse of `var`'s block, the value it had
    /// when `var` was computed. Returns the operand if it must itself be brought back there.
    fn available(&self, f: &Function, operand: VarId, var: VarId) -> Option<Option<VarId>> {
        // A view is a reference: it cannot be recorded, and is not itself a value to recompute.
        if self.assigned[operand] || f.vars[operand].view.is_some() {
            return None;
        }
        let (home, block) = (f.vars[operand].block, f.vars[var].block);
        if home == ROOT || f.vars[operand].kind == VarKind::Param {
            Some(None)
        } else if (home == block && operand < var) || self.is_ancestor(home, block) {
            Some(Some(operand))
        } else {
            None
        }
    }

    /// Whether `var` is there in reverse at no cost of its own: already brought back for
    /// another reason, a loop counter, or itself computable again.
    fn comes_back_free(&self, f: &Function, var: VarId) -> bool {
        let v = &f.vars[var];
        v.needed
            || v.recomputed
            || v.counted_from.is_some()
            || self.recomputable(f, var).is_some()
            || self.element_behind_counter(f, var).is_some()
    }

    /// A branch decision taken on arithmetic and comparisons of values that are there at
    /// its block's reverse at no cost (`row + 1 == ell`, with `row` and `ell` never
    /// assigned), with those values: it is decided again rather than recorded.
    fn recomputable_decision(
        &self,
        f: &Function,
        var: VarId,
    ) -> Option<(proc_macro2::TokenStream, Vec<VarId>)> {
        let condition = self.conditions.get(&var)?;
        let mut operands = Vec::new();
        for read in self.pure_arithmetic_reads(condition)? {
            if let Some(operand) = self.available(f, read, var)? {
                if !self.comes_back_free(f, operand) {
                    return None;
                }
                operands.push(operand);
            }
        }
        Some((condition.clone(), operands))
    }

    /// The variables `var` would be recomputed from, if it can be.
    fn recomputable(&self, f: &Function, var: VarId) -> Option<Vec<VarId>> {
        let rhs = self.definitions.get(&var)?;
        let mut reads: Vec<VarId> = match rhs {
            Rhs::Atom(_) | Rhs::Borrow(_) | Rhs::Neg(_) | Rhs::Binary { .. } | Rhs::Cast { .. } => {
                rhs.operands().iter().filter_map(|a| a.var()).collect()
            }
            Rhs::Index { base, index } => {
                let root = f.root(*base);
                if f.vars[root].cell {
                    return None;
                }
                let mut reads: Vec<VarId> = index.iter().filter_map(Atom::var).collect();
                if !self.assigned[root] {
                    reads.push(root);
                } else if !self.restored[root]
                    || !matches!(f.vars[root].kind, VarKind::Param) && f.vars[root].block != ROOT
                    || written_after(f, root, var)?
                {
                    // A buffer that is written gives the element back only if the reverse
                    // sweep undoes its writes and none comes after the read in its block.
                    return None;
                }
                let mut view = *base;
                while let Some(v) = &f.vars[view].view {
                    reads.extend(v.start.var());
                    view = v.base;
                }
                reads
            }
            Rhs::Opaque(tokens) => self.pure_arithmetic_reads(tokens)?,
            _ => return None,
        };
        reads.sort_unstable();
        reads.dedup();
        let mut to_bring_back = Vec::new();
        for read in reads {
            to_bring_back.extend(self.available(f, read, var)?);
        }
        Some(to_bring_back)
    }

    /// For `var = x[idx]`, `x` a buffer nothing writes and `idx` a counter that the block
    /// steps by integer literals after `var` (`idx += 1`), and nowhere else: the element read
    /// again at the start of the block's reverse, where `idx` has taken those steps already,
    /// as `x[idx - steps]`. The counter itself is stepped back by the reverse sweep.
    fn element_behind_counter(
        &self,
        f: &Function,
        var: VarId,
    ) -> Option<(VarId, proc_macro2::TokenStream)> {
        let Some(Rhs::Index {
            base,
            index: Some(Atom::Var(counter)),
        }) = self.definitions.get(&var)
        else {
            return None;
        };
        let counter = *counter;
        let root = f.root(*base);
        if *base != root || self.assigned[root] || f.vars[root].cell || f.vars[counter].varied {
            return None;
        }
        let block = f.vars[var].block;
        let home = f.vars[counter].block;
        if !(home == ROOT || self.is_ancestor(home, block)) {
            return None;
        }
        let body = find_block(&f.body, block)?;
        let position = body
            .stmts
            .iter()
            .position(|stmt| matches!(stmt, Stmt::Let { var: v, .. } if *v == var))?;
        let mut steps: i128 = 0;
        for stmt in &body.stmts[position + 1..] {
            match stmt {
                Stmt::Assign { var: v, rhs, .. } if *v == counter => {
                    steps += counter_step(f, counter, rhs)?;
                }
                Stmt::If { .. } | Stmt::Loop { .. } => {
                    let mut writes = false;
                    stmt.walk(&mut |s| {
                        writes |= matches!(s, Stmt::Assign { var: v, .. } if *v == counter);
                    });
                    if writes {
                        return None;
                    }
                }
                _ => {}
            }
        }
        // Earlier writes in the block, or ones in blocks it contains, would make `idx` at the
        // block's start differ from its value at `var`.
        let mut before = false;
        let head = Block {
            id: block,
            stmts: body.stmts[..position].to_vec(),
        };
        head.walk(&mut |s| before |= matches!(s, Stmt::Assign { var: v, .. } if *v == counter));
        if before && steps != 0 {
            return None;
        }
        let (root, name) = (&f.vars[root].ident, &f.vars[counter].ident);
        let element = if steps == 0 {
            quote::quote!(#root[#name])
        } else {
            let steps = proc_macro2::Literal::i128_unsuffixed(steps);
            quote::quote!(#root[#name - #steps])
        };
        Some((counter, element))
    }

    /// The variables an expression kept as written reads, if it is plain arithmetic on them
    /// (integer index computations such as `i * d + j`, `x.len() - 1`).
    fn pure_arithmetic_reads(&self, tokens: &proc_macro2::TokenStream) -> Option<Vec<VarId>> {
        let expr: syn::Expr = syn::parse2(tokens.clone()).ok()?;
        struct Purity<'a> {
            facts: &'a Facts,
            reads: Vec<VarId>,
            pure: bool,
        }
        impl<'ast> Visit<'ast> for Purity<'_> {
            fn visit_expr(&mut self, e: &'ast syn::Expr) {
                match e {
                    syn::Expr::Lit(_)
                    | syn::Expr::Paren(_)
                    | syn::Expr::Group(_)
                    | syn::Expr::Binary(_)
                    | syn::Expr::Unary(_)
                    | syn::Expr::Cast(_) => syn::visit::visit_expr(self, e),
                    syn::Expr::Path(p) => {
                        if let Some(ident) = p.path.get_ident() {
                            if let Some(&var) = self.facts.by_name.get(&ident.to_string()) {
                                self.reads.push(var);
                            }
                        }
                    }
                    syn::Expr::MethodCall(m)
                        if m.turbofish.is_none()
                            && matches!(
                                m.method.to_string().as_str(),
                                "len" | "min" | "max" | "saturating_sub"
                            ) =>
                    {
                        syn::visit::visit_expr(self, e)
                    }
                    _ => self.pure = false,
                }
            }
        }
        let mut purity = Purity {
            facts: self,
            reads: Vec::new(),
            pure: true,
        };
        purity.visit_expr(&expr);
        purity.pure.then_some(purity.reads)
    }
}

/// The block with id `id`, nested anywhere in `block`.
fn find_block(block: &Block, id: BlockId) -> Option<&Block> {
    if block.id == id {
        return Some(block);
    }
    block.stmts.iter().find_map(|stmt| match stmt {
        Stmt::If {
            then_block,
            else_block,
            ..
        } => find_block(then_block, id).or_else(|| find_block(else_block, id)),
        Stmt::Loop { body, .. } => find_block(body, id),
        _ => None,
    })
}

/// `n` for `counter = counter + n`, `-n` for `counter = counter - n`, `n` an integer literal.
pub fn counter_step(f: &Function, counter: VarId, rhs: &Rhs) -> Option<i128> {
    let Rhs::Opaque(tokens) = rhs else {
        return None;
    };
    let syn::Expr::Binary(step) = syn::parse2::<syn::Expr>(tokens.clone()).ok()? else {
        return None;
    };
    let name = &f.vars[counter].ident;
    if !matches!(&*step.left, syn::Expr::Path(p) if p.path.is_ident(name)) {
        return None;
    }
    let mut amount = &*step.right;
    while let syn::Expr::Paren(p) = amount {
        amount = &p.expr;
    }
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(n),
        ..
    }) = amount
    else {
        return None;
    };
    let n: i128 = n.base10_parse().ok()?;
    match step.op {
        syn::BinOp::Add(_) => Some(n),
        syn::BinOp::Sub(_) => Some(-n),
        _ => None,
    }
}
