//! Activity analysis: which variables carry a derivative, and what the reverse sweep needs.
//!
//! - *Varied*: depends on an active parameter through differentiable operations.
//! - *Useful*: can influence the output. Active = varied and useful (Tapenade's definition);
//!   only active variables get adjoints, so dead code costs nothing in reverse.
//! - *Needed*: its value is read by the reverse sweep: an operand of a non-linear pullback,
//!   the decision of an `if` or the trip count of a loop whose reverse does something.
//! - Tapes: a needed variable that is overwritten is recorded before each overwrite; a needed
//!   variable local to a nested block is recorded at the block's end, since the reverse sweep
//!   runs after that scope has closed.

use crate::check::float_kind;
use crate::ir::*;
use crate::names;

/// `active_params[i]`: parameter `i` can carry a derivative; `outputs[i]`: the function
/// writes parameter `i` (`&mut`), which makes its final value an output besides the result.
pub fn analyse(f: &mut Function, active_params: &[bool], outputs: &[bool]) {
    mark_reassigned(f);
    for (param, active) in f.params.clone().into_iter().zip(active_params) {
        f.vars[param].active = *active;
    }
    propagate_varied(f);
    // A view depends on what its root buffer depends on.
    for var in 0..f.vars.len() {
        let root = f.root(var);
        f.vars[var].varied = f.vars[root].active;
    }
    restrict_to_useful(f, outputs);
    share_with_views(f);
    mark_needed(f);
    crate::fusion::plan(f);
    crate::replay::plan(f);
    plan_tapes(f);
    crate::replay::finish(f);
    crate::bulk::plan(f);
}

/// Calls `visit(target, rhs)` for every `let` with a value, every assignment, every write
/// into a buffer (whose target is the buffer that owns the element), and every buffer a call
/// writes through a `&mut` argument.
fn for_each_definition(f: &Function, visit: &mut impl FnMut(VarId, &Rhs)) {
    f.body.walk(&mut |stmt| match stmt {
        Stmt::Let {
            var,
            init: Some(rhs),
            ..
        }
        | Stmt::Assign { var, rhs, .. } => {
            visit(*var, rhs);
            for written in written_by_call(f, rhs) {
                visit(written, rhs);
            }
        }
        Stmt::Store { base, rhs, .. }
        | Stmt::Push {
            base, value: rhs, ..
        } => visit(f.root(*base), rhs),
        Stmt::Swap { a, b } => {
            visit(*a, &Rhs::Atom(Atom::Var(*b)));
            visit(*b, &Rhs::Atom(Atom::Var(*a)));
        }
        _ => {}
    });
}

/// The buffers a call changes through its `&mut` arguments.
pub fn written_by_call(f: &Function, rhs: &Rhs) -> Vec<VarId> {
    match rhs {
        Rhs::Call { args, .. } => args
            .iter()
            .filter_map(|arg| match arg {
                CallArg::Buffer {
                    var, mutable: true, ..
                } => Some(f.root(*var)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The buffers a call reads or writes.
fn passed_to_call(f: &Function, rhs: &Rhs) -> Vec<VarId> {
    match rhs {
        Rhs::Call { args, .. } => args
            .iter()
            .filter_map(|arg| match arg {
                CallArg::Buffer { var, .. } => Some(f.root(*var)),
                CallArg::Value(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn mark_reassigned(f: &mut Function) {
    fn walk(block: &Block, vars: &mut [Var]) {
        for stmt in &block.stmts {
            match stmt {
                Stmt::Assign { var, .. }
                | Stmt::Store { base: var, .. }
                | Stmt::Push { base: var, .. } => vars[*var].reassigned = true,
                Stmt::Swap { a, b } => {
                    vars[*a].reassigned = true;
                    vars[*b].reassigned = true;
                }
                Stmt::Let {
                    var, init: None, ..
                } => vars[*var].reassigned = true,
                Stmt::If {
                    then_block,
                    else_block,
                    ..
                } => {
                    walk(then_block, vars);
                    walk(else_block, vars);
                }
                Stmt::Loop { body, .. } => walk(body, vars),
                _ => {}
            }
        }
    }
    walk(&f.body, &mut f.vars);
}

fn rhs_is_varied(rhs: &Rhs, f: &Function) -> bool {
    match rhs {
        Rhs::Opaque(_) => false,
        Rhs::Cast { ty, .. } if float_kind(ty).is_none() => false,
        _ => rhs.dependencies().iter().any(|&v| f.vars[f.root(v)].active),
    }
}

/// A view carries derivatives exactly when the buffer it looks into does. A buffer passed to
/// a call gets a shadow even when nothing active reaches it, since the callee's pullback
/// takes one.
fn share_with_views(f: &mut Function) {
    let mut passed = Vec::new();
    for_each_definition(f, &mut |_, rhs| passed.extend(passed_to_call(f, rhs)));
    for root in passed {
        f.vars[root].active = true;
        f.vars[root].contents_needed = true;
    }
    // Swapped buffers trade shadows, so both need one.
    let mut swapped = Vec::new();
    f.body.walk(&mut |stmt| {
        if let Stmt::Swap { a, b } = stmt {
            swapped.push((*a, *b));
        }
    });
    for (a, b) in swapped {
        let active = f.vars[a].active || f.vars[b].active;
        f.vars[a].active = active;
        f.vars[b].active = active;
    }
    for var in 0..f.vars.len() {
        if f.vars[var].view.is_some() {
            let root = f.root(var);
            f.vars[var].active = f.vars[root].active;
        }
    }
}

fn propagate_varied(f: &mut Function) {
    loop {
        let mut newly = Vec::new();
        for_each_definition(f, &mut |var, rhs| {
            if !f.vars[var].active && rhs_is_varied(rhs, f) {
                newly.push(var);
            }
        });
        if newly.is_empty() {
            return;
        }
        for var in newly {
            f.vars[var].active = true;
        }
    }
}

fn restrict_to_useful(f: &mut Function, outputs: &[bool]) {
    let mut useful = vec![false; f.vars.len()];
    useful[f.output] = true;
    for (&param, &output) in f.params.iter().zip(outputs) {
        useful[param] |= output;
    }
    loop {
        let mut newly = Vec::new();
        for_each_definition(f, &mut |var, rhs| {
            if useful[var] && f.vars[var].active {
                for v in rhs.dependencies() {
                    let v = f.root(v);
                    if f.vars[v].active && !useful[v] {
                        newly.push(v);
                    }
                }
            }
        });
        if newly.is_empty() {
            break;
        }
        for var in newly {
            useful[var] = true;
        }
    }
    for (var, useful) in f.vars.iter_mut().zip(useful) {
        var.active &= useful;
    }
}

/// The methods with a rule from their result in `autodiff_core::rules::methods::given_result`,
/// whose result is worth keeping for the reverse sweep rather than computing again.
const RESULT_RULES: [&str; 4] = ["exp", "exp2", "sqrt", "cbrt"];

/// `x.exp()` and the like: a one-operand method whose rule can start from its result.
pub fn keeps_result(rhs: &Rhs) -> bool {
    matches!(rhs, Rhs::Method { name, args, .. } if args.is_empty() && RESULT_RULES.iter().any(|m| name == m))
}

fn mark_needed(f: &mut Function) {
    let mut read = Vec::new();
    for_each_definition(f, &mut |var, rhs| {
        if f.vars[var].active {
            let is_active = |a: &Atom| a.var().is_some_and(|v| f.vars[v].active);
            let operands = rhs.operands_read_by_pullback(is_active);
            read.extend(operands.iter().filter_map(|a| a.var()));
            // An element of a value (`m[(i, j)]`) is pulled back into a zero of the value's
            // shape.
            if let Rhs::Index { base, .. } = rhs {
                if !f.vars[*base].buffer && f.vars[*base].active {
                    read.push(*base);
                }
            }
            // `exp` and its kind pull back from their result (`reverse.rs`), which is kept
            // rather than computed again: for free by a function-level variable, on a tape
            // in a loop.
            if keeps_result(rhs) && !f.vars[var].reassigned {
                read.push(var);
            }
            // A rule call names every operand of its operation, if only for its type. A
            // function-level variable is always in scope there; one local to a nested block
            // exists in the reverse sweep only if it is brought back from a tape.
            let is_float = |a: &Atom| crate::values::is_float_atom(a, |v| f.vars[v].float_scalar);
            let scaled = rhs.scaled_by_inactive(is_active, is_float).is_some();
            if !scaled && !rhs.operands_read_by_pullback(|_| true).is_empty() {
                read.extend(
                    rhs.operands()
                        .iter()
                        .filter_map(|a| a.var())
                        .filter(|&v| f.vars[v].block != ROOT),
                );
            }
        }
    });
    for var in read {
        f.vars[var].needed = true;
    }
    // Writes into an active buffer find their element's adjoint by index in reverse.
    let mut indices = Vec::new();
    f.body.walk(&mut |stmt| {
        if let Stmt::Store {
            base,
            index: Some(index),
            ..
        } = stmt
        {
            if f.vars[f.root(*base)].active {
                indices.extend(index.var());
            }
        }
    });
    // The reverse sweep finds a view's elements in its root buffer by offset.
    for var in 0..f.vars.len() {
        if let Some(view) = &f.vars[var].view {
            if f.vars[var].active {
                indices.extend(view.start.var());
                indices.extend(view.end.as_ref().and_then(Atom::var));
            }
        }
    }
    // A buffer local to a nested block needs its value in reverse to shape its shadow.
    let nested_buffers: Vec<VarId> = (0..f.vars.len())
        .filter(|&v| {
            let var = &f.vars[v];
            var.buffer && var.active && var.view.is_none() && var.block != ROOT
        })
        .collect();
    for var in indices.into_iter().chain(nested_buffers) {
        f.vars[var].needed = true;
    }
    let mut controls = Vec::new();
    collect_control_needs(&f.body, f, &mut controls);
    for var in controls {
        f.vars[var].needed = true;
    }
}

/// Whether the reverse sweep of `stmt` does anything (given activity and needed operands).
pub fn has_reverse(stmt: &Stmt, f: &Function) -> bool {
    let vars = &f.vars;
    match stmt {
        Stmt::Let { var, init, .. } => init.as_ref().is_some_and(|rhs| {
            (vars[*var].active && rhs.dependencies().iter().any(|&v| vars[f.root(v)].active))
                || calls_through_buffers(f, rhs)
        }),
        Stmt::Assign { var, rhs, .. } => {
            vars[*var].active || vars[*var].needed || calls_through_buffers(f, rhs)
        }
        Stmt::Store { base, tape, .. } => vars[f.root(*base)].active || tape.is_some(),
        Stmt::Push { base, .. } => vars[f.root(*base)].active,
        Stmt::Swap { a, b } => {
            vars[*a].active
                || vars[*b].active
                || vars[*a].contents_needed
                || vars[*b].contents_needed
        }
        Stmt::If {
            then_block,
            else_block,
            ..
        } => block_has_reverse(then_block, f) || block_has_reverse(else_block, f),
        Stmt::Loop { body, .. } => block_has_reverse(body, f),
        Stmt::Effect(_) | Stmt::Exit(_) | Stmt::SetExit(_) => false,
    }
}

/// A call that writes an active buffer: its pullback runs even when its result's adjoint is
/// zero, since the written buffer's adjoint flows back through it.
pub fn calls_through_buffers(f: &Function, rhs: &Rhs) -> bool {
    written_by_call(f, rhs)
        .iter()
        .any(|&root| f.vars[root].active)
}

pub fn block_has_reverse(block: &Block, f: &Function) -> bool {
    block.stmts.iter().any(|s| has_reverse(s, f))
}

fn collect_control_needs(block: &Block, f: &Function, out: &mut Vec<VarId>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::If {
                branch,
                then_block,
                else_block,
                ..
            } => {
                if has_reverse(stmt, f) {
                    out.push(*branch);
                }
                collect_control_needs(then_block, f, out);
                collect_control_needs(else_block, f, out);
            }
            Stmt::Loop { trips, body, .. } => {
                if has_reverse(stmt, f) {
                    out.push(*trips);
                }
                collect_control_needs(body, f, out);
            }
            _ => {}
        }
    }
}

fn plan_tapes(f: &mut Function) {
    // A matrix the reverse sweep reads and that has entries written (`m[(i, j)] = ..`) gets
    // the overwritten entries back, as a buffer whose contents a call reads does.
    let mut written = Vec::new();
    f.body.walk(&mut |stmt| {
        if let Stmt::Store { base, .. } = stmt {
            written.push(f.root(*base));
        }
    });
    for var in written {
        if !f.vars[var].buffer && f.vars[var].needed {
            f.vars[var].contents_needed = true;
        }
    }
    crate::recompute::plan(f);
    let mut block_in_loop = vec![false; f.block_count];
    let mut overwrites = 0;
    let mut facts = Facts {
        recorded: crate::reads::overwrites_needed(f).into_iter(),
        contents_read: crate::reads::contents_read_in_reverse(f),
    };
    let mut body = std::mem::replace(&mut f.body, Block::new(ROOT));
    plan_block(
        f,
        &mut body,
        false,
        &mut block_in_loop,
        &mut overwrites,
        &mut facts,
    );
    f.body = body;
    for var in 0..f.vars.len() {
        let v = &f.vars[var];
        // A fused loop's reverse runs beside its forward: its locals are still there.
        let fused = f.fused.iter().any(|fused| fused.body == v.block);
        if v.needed && v.block != ROOT && !v.recomputed && !fused {
            f.tapes.push(Tape {
                ident: names::saved(&v.ident),
                in_loop: block_in_loop[v.block],
                inverse: None,
                condition: None,
                read_by_callee: None,
            });
            f.vars[var].saved_tape = Some(f.tapes.len() - 1);
        }
    }
    let mut borrows = Vec::new();
    f.body.walk(&mut |stmt| {
        if let Stmt::Let {
            var,
            init: Some(Rhs::Opaque(tokens)),
            ..
        } = stmt
        {
            if let Ok(syn::Expr::Reference(r)) = syn::parse2::<syn::Expr>(tokens.clone()) {
                if r.mutability.is_none() {
                    borrows.push(*var);
                }
            }
        }
        if let Stmt::Let {
            var,
            init: Some(Rhs::Borrow(_)),
            ..
        } = stmt
        {
            borrows.push(*var);
        }
    });
    for var in borrows {
        f.vars[var].kept_owned = f.vars[var].saved_tape.is_some();
    }
}

/// What `reads.rs` found: for each assignment in order, whether a reverse step reads the
/// value it overwrites; for each buffer, whether the reverse sweep reads its contents
/// otherwise than through the call that changes them.
struct Facts {
    recorded: std::vec::IntoIter<bool>,
    contents_read: Vec<bool>,
}

fn plan_block(
    f: &mut Function,
    block: &mut Block,
    in_loop: bool,
    block_in_loop: &mut [bool],
    overwrites: &mut usize,
    facts: &mut Facts,
) {
    block_in_loop[block.id] = in_loop;
    for stmt in &mut block.stmts {
        match stmt {
            Stmt::Assign { var, tape, rhs, .. } => {
                let read_back = facts.recorded.next().unwrap_or(true);
                if f.vars[*var].needed && read_back {
                    *overwrites += 1;
                    let inverse = exact_inverse(f, *var, rhs);
                    f.tapes.push(Tape {
                        ident: names::before(&f.vars[*var].ident, *overwrites),
                        in_loop,
                        inverse,
                        condition: None,
                        read_by_callee: None,
                    });
                    *tape = Some(f.tapes.len() - 1);
                }
                plan_snapshots(f, rhs, overwrites, &facts.contents_read);
            }
            Stmt::Let {
                init: Some(rhs), ..
            } => plan_snapshots(f, rhs, overwrites, &facts.contents_read),
            Stmt::Store { base, tape, .. } if f.vars[f.root(*base)].contents_needed => {
                *overwrites += 1;
                let root = f.root(*base);
                f.tapes.push(Tape {
                    ident: names::before(&f.vars[root].ident, *overwrites),
                    in_loop,
                    inverse: None,
                    condition: None,
                    read_by_callee: None,
                });
                *tape = Some(f.tapes.len() - 1);
            }
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                plan_block(f, then_block, in_loop, block_in_loop, overwrites, facts);
                plan_block(f, else_block, in_loop, block_in_loop, overwrites, facts);
            }
            Stmt::Loop { body, .. } => plan_block(f, body, true, block_in_loop, overwrites, facts),
            _ => {}
        }
    }
}

/// A tape for each active buffer a call changes, to hold its contents from before the call.
/// Unless the caller's reverse sweep reads those contents otherwise (`contents_read`), they
/// are recorded only if the callee writes that parameter and reads what it held before
/// (`f_argument`, which each `#[differentiate]` function generates; constant once known).
fn plan_snapshots(f: &mut Function, rhs: &mut Rhs, overwrites: &mut usize, contents_read: &[bool]) {
    let Rhs::Call { func, args } = rhs else {
        return;
    };
    let mut facts_path = func.clone();
    if let Some(last) = facts_path.segments.last_mut() {
        last.ident = names::generated(&last.ident, "argument");
    }
    for (index, arg) in args.iter_mut().enumerate() {
        if let CallArg::Buffer {
            var,
            mutable: true,
            tape,
            ..
        } = arg
        {
            let root = f.root(*var);
            if f.vars[root].active {
                *overwrites += 1;
                let read_here = contents_read[root];
                let condition = quote::quote!({
                    let [writes, reads] = #facts_path(#index);
                    writes && (reads || #read_here)
                });
                // The callee's pullback runs it again from the contents it had: needed only
                // if it reads them.
                let read_by_callee = quote::quote!({
                    let [writes, reads] = #facts_path(#index);
                    writes && reads
                });
                // Contents go flat onto a stack of elements, in a loop or not.
                f.tapes.push(Tape {
                    ident: names::before(&f.vars[root].ident, *overwrites),
                    in_loop: true,
                    inverse: None,
                    condition: Some(condition),
                    read_by_callee: Some(read_by_callee),
                });
                *tape = Some(f.tapes.len() - 1);
            }
        }
    }
}

/// For an assignment to `v`, which carries no derivative, that the reverse sweep can undo
/// exactly: the expression that gives `v` back, so that it is computed rather than recorded.
/// - `v = v + n` or `v = v - n` with `n` an integer literal (a counter such as `idx += 1`):
///   `v - n` or `v + n`. Integer steps only: undoing a float step is not exact.
/// - `v = -v` for a float (a sign that alternates): `-v`, as negation only flips the sign bit.
fn exact_inverse(f: &Function, var: VarId, rhs: &Rhs) -> Option<proc_macro2::TokenStream> {
    if f.vars[var].varied {
        return None;
    }
    let ident = &f.vars[var].ident;
    let negates_itself = match rhs {
        Rhs::Neg(Atom::Var(v)) => *v == var,
        // Kept as written, since it depends on nothing varied.
        Rhs::Opaque(tokens) => matches!(
            syn::parse2::<syn::Expr>(tokens.clone()),
            Ok(syn::Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), expr, .. }))
                if matches!(&*expr, syn::Expr::Path(p) if p.path.is_ident(ident))
        ),
        _ => false,
    };
    if negates_itself && f.vars[var].float_scalar {
        return Some(quote::quote!(-#ident));
    }
    let step = crate::recompute::counter_step(f, var, rhs)?;
    let counter = &f.vars[var].ident;
    let amount = proc_macro2::Literal::i128_unsuffixed(step.abs());
    Some(if step >= 0 {
        quote::quote!(#counter - (#amount))
    } else {
        quote::quote!(#counter + (#amount))
    })
}
