//! Which overwrites of a scalar the reverse sweep must undo: the value an assignment
//! overwrites is put back (from a tape) only if a reverse step that runs afterwards reads
//! it, as Tapenade's to-be-recorded analysis does. In `residual = residual - c * p`, run in
//! a loop and followed by `sum += residual * residual`, the subtraction's pullback reads no
//! operand and the product is reversed before the loop: no older `residual` is ever read
//! again, so none is recorded.
//!
//! A reverse step reads a variable's value where its derivative rule does (a product reads
//! the other factor, a sum nothing; see [`Rhs::operands_read_by_pullback`]), where it
//! indexes with it, where a callee's pullback runs again on it, and where a loop's trips are
//! counted again from its head. The overwrite at `P` is needed if such a read `R` of the
//! same variable comes before `P` in the same run of their enclosing block, is `P` itself,
//! or shares with `P` a loop inside the variable's scope (whose later trips reverse first).
//! Variables that feed a recomputed value, bound views, or live in a fused loop keep every
//! record.

use crate::ir::*;

/// One step of a statement's position: its index in a block, and the block it enters next
/// (`then`, `else` or a loop body), if any.
#[derive(Clone, PartialEq)]
struct Step {
    index: usize,
    branch: u8,
    entered: BlockId,
    loop_body: bool,
}

/// For each `Assign`, in the order [`Block::walk`]-like traversals meet them (a block's
/// statements in order, `then` before `else`): whether its overwritten value must be
/// recorded for the reverse sweep.
pub fn overwrites_needed(f: &Function) -> Vec<bool> {
    let mut readers: Vec<Vec<Vec<Step>>> = vec![Vec::new(); f.vars.len()];
    let mut assigns: Vec<(VarId, Vec<Step>)> = Vec::new();
    let mut path = Vec::new();
    collect(f, &f.body, &mut path, &mut readers, &mut assigns);
    let keep_all = keep_every_record(f);
    assigns
        .iter()
        .map(|(var, at)| {
            // Not buffers: a stale one would still be read for its shape.
            let v = &f.vars[*var];
            keep_all[*var]
                || v.buffer
                || v.cell
                || v.view.is_some()
                || readers[*var].iter().any(|read| needs(f, *var, read, at))
        })
        .collect()
}

/// Whether a read at `read` of `var` needs the value the overwrite at `at` puts back.
fn needs(f: &Function, var: VarId, read: &[Step], at: &[Step]) -> bool {
    let common = read.iter().zip(at).take_while(|(r, a)| r == a).count();
    if common == read.len() && common == at.len() {
        return true;
    }
    match (read.get(common), at.get(common)) {
        (Some(r), Some(a)) if r.index < a.index => return true,
        // The read encloses the overwrite (a loop head): it is reversed after it.
        (None, Some(_)) => return true,
        _ => {}
    }
    // A loop enclosing both, inside the variable's scope, reverses later trips first.
    let scope = f.vars[var].block;
    let declared_at = if scope == ROOT {
        Some(0)
    } else {
        at.iter().position(|s| s.entered == scope).map(|d| d + 1)
    };
    match declared_at {
        Some(depth) => at[..common].iter().skip(depth).any(|s| s.loop_body),
        None => true,
    }
}

fn collect(
    f: &Function,
    block: &Block,
    path: &mut Vec<Step>,
    readers: &mut [Vec<Vec<Step>>],
    assigns: &mut Vec<(VarId, Vec<Step>)>,
) {
    for (index, stmt) in block.stmts.iter().enumerate() {
        let here = |branch: u8, entered: BlockId, loop_body: bool| Step {
            index,
            branch,
            entered,
            loop_body,
        };
        let mut at = path.clone();
        at.push(here(0, block.id, false));
        for var in read_in_reverse(f, stmt) {
            readers[var].push(at.clone());
        }
        match stmt {
            Stmt::Assign { var, .. } => assigns.push((*var, at)),
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                path.push(here(0, then_block.id, false));
                collect(f, then_block, path, readers, assigns);
                path.pop();
                path.push(here(1, else_block.id, false));
                collect(f, else_block, path, readers, assigns);
                path.pop();
            }
            Stmt::Loop { body, .. } => {
                path.push(here(0, body.id, true));
                collect(f, body, path, readers, assigns);
                path.pop();
            }
            _ => {}
        }
    }
}

/// The variables whose values the reverse step of `stmt` may read (more rather than fewer).
fn read_in_reverse(f: &Function, stmt: &Stmt) -> Vec<VarId> {
    let named = |tokens: &proc_macro2::TokenStream| -> Vec<VarId> {
        (0..f.vars.len())
            .filter(|&v| {
                let name = f.vars[v].ident.to_string();
                tokens
                    .clone()
                    .into_iter()
                    .any(|t| crate::recompute::names_in(&t, &name))
            })
            .collect()
    };
    let of_rhs = |target_active: bool, rhs: &Rhs| -> Vec<VarId> {
        if !target_active && !matches!(rhs, Rhs::Call { .. }) {
            return Vec::new();
        }
        match rhs {
            Rhs::Atom(_) | Rhs::Neg(_) | Rhs::Binary { .. } => {
                let is_active = |a: &Atom| a.var().is_some_and(|v| f.vars[f.root(v)].active);
                let is_float =
                    |a: &Atom| crate::values::is_float_atom(a, |v| f.vars[v].float_scalar);
                match rhs.scaled_by_inactive(is_active, is_float) {
                    Some(factor) => factor.var().into_iter().collect(),
                    None => rhs
                        .operands_read_by_pullback(is_active)
                        .iter()
                        .filter_map(|a| a.var())
                        .collect(),
                }
            }
            Rhs::Opaque(tokens) => named(tokens),
            other => other.dependencies(),
        }
    };
    match stmt {
        Stmt::Let {
            var,
            init: Some(rhs),
            ..
        }
        | Stmt::Assign { var, rhs, .. } => of_rhs(f.vars[*var].active, rhs),
        Stmt::Store {
            base, index, rhs, ..
        } => {
            let mut read = of_rhs(f.vars[f.root(*base)].active, rhs);
            read.extend(index.as_ref().and_then(Atom::var));
            read
        }
        Stmt::Push { base, value, .. } => {
            let mut read = value.dependencies();
            read.push(*base);
            read
        }
        Stmt::Swap { a, b } => vec![*a, *b],
        Stmt::Loop { head, .. } => match head {
            LoopHead::Loop => Vec::new(),
            LoopHead::While(tokens) => named(tokens),
            LoopHead::For { var, iter, .. } => {
                let mut read = named(iter);
                read.extend(*var);
                read
            }
        },
        _ => Vec::new(),
    }
}

/// Variables whose every overwrite stays recorded: those a recomputed value is computed
/// from (the recomputation reads them somewhere in the reverse sweep), view bounds, and
/// everything in a function with a fused loop.
fn keep_every_record(f: &Function) -> Vec<bool> {
    let mut keep = vec![!f.fused.is_empty(); f.vars.len()];
    for v in &f.vars {
        if let Some(view) = &v.view {
            for bound in [Some(&view.start), view.end.as_ref()].into_iter().flatten() {
                if let Some(b) = bound.var() {
                    keep[b] = true;
                }
            }
        }
        for tokens in [&v.counted_from, &v.recompute_as].into_iter().flatten() {
            for (u, other) in f.vars.iter().enumerate() {
                let name = other.ident.to_string();
                if tokens
                    .clone()
                    .into_iter()
                    .any(|t| crate::recompute::names_in(&t, &name))
                {
                    keep[u] = true;
                }
            }
        }
    }
    let recomputed: Vec<bool> = f
        .vars
        .iter()
        .map(|v| v.recomputed || v.recomputed_late.is_some())
        .collect();
    f.body.walk(&mut |stmt| {
        let (var, rhs) = match stmt {
            Stmt::Let {
                var,
                init: Some(rhs),
                ..
            }
            | Stmt::Assign { var, rhs, .. } => (*var, rhs),
            _ => return,
        };
        if recomputed[var] {
            for u in rhs.dependencies() {
                keep[u] = true;
            }
            if let Rhs::Opaque(tokens) = rhs {
                for (u, other) in f.vars.iter().enumerate() {
                    let name = other.ident.to_string();
                    if tokens
                        .clone()
                        .into_iter()
                        .any(|t| crate::recompute::names_in(&t, &name))
                    {
                        keep[u] = true;
                    }
                }
            }
        }
    });
    keep
}

/// For each buffer, whether the reverse sweep reads its contents other than through one
/// call that changes them, whose callee says itself whether it reads what the buffer held
/// (see [`argument_use`]): a second call given the buffer, an element read again instead
/// of recorded, code kept as written or a loop head that names it, a copy, a push or swap.
/// Where it does not, the contents before that call need not be recorded when the callee
/// only writes them.
pub fn contents_read_in_reverse(f: &Function) -> Vec<bool> {
    let mut calls = vec![0usize; f.vars.len()];
    let mut read = vec![false; f.vars.len()];
    let mut mentions = Vec::new();
    f.body.walk(&mut |stmt| {
        let rhs = match stmt {
            Stmt::Let {
                var,
                init: Some(rhs),
                ..
            }
            | Stmt::Assign { var, rhs, .. } => {
                // An element read again where the reverse sweep needs it.
                if let Rhs::Index { base, .. } = rhs {
                    let v = &f.vars[*var];
                    // Recomputed only to exist where a rule names it, its value unread,
                    // it reads nothing that matters.
                    if v.needed && (v.recomputed || v.recomputed_late.is_some()) {
                        read[f.root(*base)] = true;
                    }
                }
                Some(rhs)
            }
            Stmt::Store { rhs, .. } => Some(rhs),
            Stmt::Push { base, value, .. } => {
                read[f.root(*base)] = true;
                for v in value.dependencies() {
                    read[f.root(v)] = true;
                }
                None
            }
            Stmt::Swap { a, b } => {
                read[f.root(*a)] = true;
                read[f.root(*b)] = true;
                None
            }
            Stmt::Effect(tokens) => {
                mentions.push(tokens.clone());
                None
            }
            Stmt::If { cond, .. } => {
                mentions.push(cond.clone());
                None
            }
            Stmt::Loop { head, .. } => {
                match head {
                    LoopHead::While(tokens) => mentions.push(tokens.clone()),
                    LoopHead::For { iter, .. } => mentions.push(iter.clone()),
                    LoopHead::Loop => {}
                }
                None
            }
            _ => None,
        };
        match rhs {
            Some(Rhs::Call { args, .. } | Rhs::Construct { args, .. }) => {
                for arg in args {
                    if let CallArg::Buffer { var, .. } = arg {
                        calls[f.root(*var)] += 1;
                    }
                }
            }
            Some(Rhs::CopyOf { source, .. }) => read[f.root(*source)] = true,
            Some(Rhs::Opaque(tokens)) => mentions.push(tokens.clone()),
            _ => {}
        }
    });
    for var in 0..f.vars.len() {
        let name = f.vars[var].ident.to_string();
        if mentions.iter().any(|tokens| {
            tokens
                .clone()
                .into_iter()
                .any(|t| crate::recompute::names_in(&t, &name))
        }) {
            read[f.root(var)] = true;
        }
    }
    for (root, count) in calls.iter().enumerate() {
        if *count > 1 {
            read[root] = true;
        }
    }
    // What the function returns, and what a view reads, stay as they were.
    read[f.output] = true;
    for var in 0..f.vars.len() {
        if f.vars[var].view.is_some() {
            read[f.root(var)] = true;
        }
    }
    read
}

/// For each parameter: whether the function may write it, and whether it may read what it
/// held on entry (every mention other than as the place of an element store counts). A
/// caller that snapshots a buffer around a call needs its contents only if both hold.
pub fn argument_use(f: &Function, writable: &[bool]) -> Vec<[bool; 2]> {
    let mut read = vec![false; f.vars.len()];
    let mut mentions = Vec::new();
    let mark = |read: &mut Vec<bool>, vars: Vec<VarId>| {
        for v in vars {
            read[f.root(v)] = true;
        }
    };
    f.body.walk(&mut |stmt| match stmt {
        Stmt::Let {
            init: Some(rhs), ..
        }
        | Stmt::Assign { rhs, .. } => {
            mark(&mut read, rhs.dependencies());
            if let Rhs::Opaque(tokens) = rhs {
                mentions.push(tokens.clone());
            }
        }
        Stmt::Store { index, rhs, .. } => {
            mark(&mut read, rhs.dependencies());
            mark(&mut read, index.iter().filter_map(Atom::var).collect());
            if let Rhs::Opaque(tokens) = rhs {
                mentions.push(tokens.clone());
            }
        }
        Stmt::Push { base, value, .. } => {
            mark(&mut read, vec![*base]);
            mark(&mut read, value.dependencies());
        }
        Stmt::Swap { a, b } => mark(&mut read, vec![*a, *b]),
        Stmt::Effect(tokens) => mentions.push(tokens.clone()),
        Stmt::If { cond, .. } => mentions.push(cond.clone()),
        Stmt::Loop { head, .. } => match head {
            LoopHead::While(tokens) => mentions.push(tokens.clone()),
            LoopHead::For { iter, .. } => mentions.push(iter.clone()),
            LoopHead::Loop => {}
        },
        _ => {}
    });
    for var in 0..f.vars.len() {
        let name = f.vars[var].ident.to_string();
        if mentions
            .iter()
            .any(|tokens| names_beyond_len(tokens.clone(), &name))
        {
            read[f.root(var)] = true;
        }
    }
    f.params
        .iter()
        .zip(writable)
        .map(|(&param, &writes)| [writes, read[param]])
        .collect()
}

/// Whether `tokens` name `name` other than as `name.len()`: a buffer's length is not its
/// contents (`for i in 0..out.len()` reads nothing of `out`).
fn names_beyond_len(tokens: proc_macro2::TokenStream, name: &str) -> bool {
    use proc_macro2::{Delimiter, TokenTree};
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    trees.iter().enumerate().any(|(i, tree)| match tree {
        TokenTree::Ident(ident) if ident == name => {
            let len_call = matches!(
                (trees.get(i + 1), trees.get(i + 2), trees.get(i + 3)),
                (
                    Some(TokenTree::Punct(dot)),
                    Some(TokenTree::Ident(len)),
                    Some(TokenTree::Group(args)),
                ) if dot.as_char() == '.'
                    && len == "len"
                    && args.delimiter() == Delimiter::Parenthesis
                    && args.stream().is_empty()
            );
            !len_call
        }
        TokenTree::Group(group) => names_beyond_len(group.stream(), name),
        _ => false,
    })
}
