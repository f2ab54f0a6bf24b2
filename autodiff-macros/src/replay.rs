//! Replayed loops: a loop whose reverse runs its trips in forward order, computing again what
//! each trip's reverse needs instead of recording it.
//!
//! In `for &c in x { residual -= c * power; power *= t; }` the reverse of every trip needs
//! that trip's `power`, which the next trip overwrites: recorded, that is one float per trip.
//! But nothing in a trip's reverse depends on a later trip's: the only derivative carried
//! from trip to trip is `residual`'s, which each `-=` passes on unchanged, and `power`
//! carries none. So the trips' reverses can run in any order, and in forward order `power`
//! is simply computed again from its starting value, as the forward sweep did.
//!
//! A loop is replayed when it is a `for` over a range with a straight-line body of plain
//! operations (no calls, writes into buffers or early exits), and every variable it assigns
//! is declared before it in the same block, untouched between its declaration and the loop:
//! - carrying a derivative: an accumulator, only ever `v = v ± e` or `v = e + v` and read
//!   nowhere else in the body, so that its adjoint is the same in every trip;
//! - carrying none: declared with a constant (`let mut power = 1.0`), assigned once in the
//!   body, after every read of it in the body.
//!
//! Everything else the body reads must have one value throughout: variables never assigned
//! after their declaration, buffers the function never writes.

use std::collections::HashSet;

use proc_macro2::TokenStream;

use crate::ir::*;

/// A replayed loop and the variables it carries without a derivative, each with its value
/// before the loop.
#[derive(Clone, Debug)]
pub struct Replayed {
    pub loop_id: LoopId,
    /// The loop's body, whose values the replay computes again.
    pub body: BlockId,
    pub restarted: Vec<(VarId, TokenStream)>,
    /// The restarted variables nothing outside the loop reads: the replay starts its own, so
    /// their last values need not be kept for the reverse sweep.
    pub read_only_here: Vec<VarId>,
}

/// Finds the loops to replay and marks what their replay reads as needed, so that the
/// reverse sweep has it. Runs before tapes are planned; [`finish`] then drops the recordings
/// the replay makes unnecessary.
pub fn plan(f: &mut Function) {
    let mut found = Vec::new();
    collect(f, &f.body, &mut found);
    for (replayed, reads) in found {
        for var in reads {
            f.vars[var].needed = true;
        }
        f.replayed.push(replayed);
    }
}

/// After tapes are planned: keeps the replayed loops whose variable is counted from its range
/// (the replay needs each trip's value of it), and removes their recordings.
pub fn finish(f: &mut Function) {
    let mut kept = Vec::new();
    for replayed in std::mem::take(&mut f.replayed) {
        let Some(Stmt::Loop { head, body, .. }) = find_loop(&f.body, replayed.loop_id) else {
            continue;
        };
        let counted = match head {
            LoopHead::For { var: Some(v), .. } => f.vars[*v].counted_from.is_some(),
            _ => false,
        };
        if !counted {
            continue;
        }
        let body_id = body.id;
        for var in 0..f.vars.len() {
            if f.vars[var].block == body_id {
                f.vars[var].saved_tape = None;
            }
        }
        for &var in &replayed.read_only_here {
            f.vars[var].saved_tape = None;
        }
        kept.push(replayed);
    }
    let loops: Vec<LoopId> = kept.iter().map(|r| r.loop_id).collect();
    clear_assign_tapes(&mut f.body, &loops);
    f.replayed = kept;
}

fn clear_assign_tapes(block: &mut Block, loops: &[LoopId]) {
    for stmt in &mut block.stmts {
        match stmt {
            Stmt::Loop { id, body, .. } if loops.contains(id) => {
                for stmt in &mut body.stmts {
                    if let Stmt::Assign { tape, .. } = stmt {
                        *tape = None;
                    }
                }
            }
            Stmt::Loop { body, .. } => clear_assign_tapes(body, loops),
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                clear_assign_tapes(then_block, loops);
                clear_assign_tapes(else_block, loops);
            }
            _ => {}
        }
    }
}

fn find_loop(block: &Block, id: LoopId) -> Option<&Stmt> {
    block.stmts.iter().find_map(|stmt| match stmt {
        Stmt::Loop { id: l, .. } if *l == id => Some(stmt),
        Stmt::Loop { body, .. } => find_loop(body, id),
        Stmt::If {
            then_block,
            else_block,
            ..
        } => find_loop(then_block, id).or_else(|| find_loop(else_block, id)),
        _ => None,
    })
}

fn collect(f: &Function, block: &Block, found: &mut Vec<(Replayed, Vec<VarId>)>) {
    for (index, stmt) in block.stmts.iter().enumerate() {
        match stmt {
            Stmt::Loop { body, .. } => {
                if let Some(replay) = replayable(f, block, index) {
                    found.push(replay);
                } else {
                    collect(f, body, found);
                }
            }
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                collect(f, then_block, found);
                collect(f, else_block, found);
            }
            _ => {}
        }
    }
}

/// The loop at `block.stmts[index]` as a replayed loop, with the variables its replay reads
/// from outside it; `None` if it does not qualify.
fn replayable(f: &Function, block: &Block, index: usize) -> Option<(Replayed, Vec<VarId>)> {
    let Stmt::Loop {
        id,
        head:
            LoopHead::For {
                var: Some(loop_var),
                pattern: None,
                iter,
            },
        body,
        dispatch,
        ..
    } = &block.stmts[index]
    else {
        return None;
    };
    if !dispatch.is_empty() || f.fused.iter().any(|fused| fused.loop_id == *id) {
        return None;
    }
    if !crate::activity::has_reverse(&block.stmts[index], f) {
        return None;
    }
    if !matches!(
        syn::parse2::<syn::Expr>(iter.clone()),
        Ok(syn::Expr::Range(_))
    ) {
        return None;
    }
    // A straight-line body of plain operations.
    for stmt in &body.stmts {
        let rhs = match stmt {
            Stmt::Let {
                init: Some(rhs), ..
            }
            | Stmt::Assign { rhs, .. } => rhs,
            _ => return None,
        };
        if !plain_operation(f, rhs) {
            return None;
        }
    }
    let mentions: Vec<Vec<VarId>> = body.stmts.iter().map(|s| mentioned(f, s)).collect();
    let mut restarted = Vec::new();
    let assigned: HashSet<VarId> = body
        .stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Assign { var, .. } => Some(*var),
            _ => None,
        })
        .collect();
    for &var in &assigned {
        // An accumulator may be set between its declaration and the loop (`let mut r = if
        // .. { a } else { b }`): no reverse step there reads it.
        let start = declared_before(f, block, index, var, f.vars[var].active)?;
        let assignments: Vec<usize> = body
            .stmts
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s, Stmt::Assign { var: v, .. } if *v == var))
            .map(|(i, _)| i)
            .collect();
        let read_at: Vec<usize> = (0..body.stmts.len())
            .filter(|&i| !assignments.contains(&i) && mentions[i].contains(&var))
            .collect();
        if f.vars[var].active {
            let all_accumulate = assignments.iter().all(|&i| match &body.stmts[i] {
                Stmt::Assign { rhs, .. } => accumulates(rhs, var),
                _ => false,
            });
            if !all_accumulate || !read_at.is_empty() {
                return None;
            }
        } else {
            let [assignment] = assignments[..] else {
                return None;
            };
            let Some(Rhs::Atom(Atom::Const(value))) = start else {
                return None;
            };
            if read_at.iter().any(|&i| i > assignment) {
                return None;
            }
            restarted.push((var, value.clone()));
        }
    }
    // Everything else read has one value for the whole loop.
    let declared_in_body = |v: VarId| f.vars[v].block == body.id;
    let mut reads = vec![*loop_var];
    for &var in mentions.iter().flatten() {
        if declared_in_body(var) || var == *loop_var || assigned.contains(&var) {
            continue;
        }
        let v = &f.vars[var];
        let fixed = if v.buffer || v.view.is_some() {
            !f.vars[f.root(var)].writable && !f.vars[f.root(var)].reassigned
        } else {
            !v.reassigned
        };
        if !fixed {
            return None;
        }
        reads.push(var);
    }
    // Named by no statement of the block but its declaration and the loop.
    let read_only_here = restarted
        .iter()
        .map(|(v, _)| *v)
        .filter(|&v| {
            block.stmts.iter().enumerate().all(|(i, stmt)| {
                i == index
                    || matches!(stmt, Stmt::Let { var, .. } if *var == v)
                    || !mentioned(f, stmt).contains(&v)
            })
        })
        .collect();
    Some((
        Replayed {
            loop_id: *id,
            body: body.id,
            restarted,
            read_only_here,
        },
        reads,
    ))
}

/// An operation the replay can run again: arithmetic, reads of buffers, and expressions kept
/// as written only if they are plain arithmetic; no calls, no methods.
fn plain_operation(f: &Function, rhs: &Rhs) -> bool {
    match rhs {
        Rhs::Atom(_) | Rhs::Neg(_) | Rhs::Binary { .. } | Rhs::Cast { .. } => true,
        // `exp`, `sin` and the like cost more to compute again than to record.
        Rhs::Index {
            base,
            index: Some(_),
        } => f.vars[*base].buffer,
        Rhs::Opaque(tokens) => syn::parse2::<syn::Expr>(tokens.clone())
            .map(|e| crate::forward::is_pure_bound(&e))
            .unwrap_or(false),
        _ => false,
    }
}

/// `var = var + e`, `var = var - e` or `var = e + var`, with `e` not `var`.
fn accumulates(rhs: &Rhs, var: VarId) -> bool {
    let is_var = |a: &Atom| a.var() == Some(var);
    match rhs {
        Rhs::Binary {
            op: BinOp::Add,
            lhs,
            rhs,
            ..
        } => is_var(lhs) != is_var(rhs),
        Rhs::Binary {
            op: BinOp::Sub,
            lhs,
            rhs,
            ..
        } => is_var(lhs) && !is_var(rhs),
        _ => false,
    }
}

/// The initial value of `var` if it is declared in `block` before `index` and, between its
/// declaration and the loop, read by no statement (`assigned: true`) or not named at all;
/// `None` otherwise.
fn declared_before(
    f: &Function,
    block: &Block,
    index: usize,
    var: VarId,
    assigned: bool,
) -> Option<Option<Rhs>> {
    let declaration = block.stmts[..index]
        .iter()
        .position(|s| matches!(s, Stmt::Let { var: v, .. } if *v == var))?;
    let between = &block.stmts[declaration + 1..index];
    if between
        .iter()
        .any(|s| named(f, s, !assigned).contains(&var))
    {
        return None;
    }
    match &block.stmts[declaration] {
        Stmt::Let { init, .. } => Some(init.clone()),
        _ => None,
    }
}

/// Every variable a statement names, nested statements and expressions kept as written
/// included.
fn mentioned(f: &Function, stmt: &Stmt) -> Vec<VarId> {
    named(f, stmt, true)
}

/// Every variable a statement names, less those it only declares or assigns
/// (`with_targets: false`).
fn named(f: &Function, stmt: &Stmt, with_targets: bool) -> Vec<VarId> {
    let mut vars = Vec::new();
    let mut tokens = Vec::new();
    let mut visit = |s: &Stmt| match s {
        Stmt::Let { var, init, .. } => {
            if with_targets {
                vars.push(*var);
            }
            if let Some(rhs) = init {
                rhs_vars(rhs, &mut vars, &mut tokens);
            }
        }
        Stmt::Assign { var, rhs, .. } => {
            if with_targets {
                vars.push(*var);
            }
            rhs_vars(rhs, &mut vars, &mut tokens);
        }
        Stmt::Store {
            base, index, rhs, ..
        } => {
            vars.push(*base);
            vars.extend(index.as_ref().and_then(Atom::var));
            rhs_vars(rhs, &mut vars, &mut tokens);
        }
        Stmt::Push { base, value, .. } => {
            vars.push(*base);
            rhs_vars(value, &mut vars, &mut tokens);
        }
        Stmt::Swap { a, b } => vars.extend([*a, *b]),
        Stmt::Effect(t) => tokens.push(t.clone()),
        Stmt::If { branch, cond, .. } => {
            vars.push(*branch);
            tokens.push(cond.clone());
        }
        Stmt::Loop { head, trips, .. } => {
            vars.push(*trips);
            match head {
                LoopHead::For { var, iter, .. } => {
                    vars.extend(*var);
                    tokens.push(iter.clone());
                }
                LoopHead::While(cond) => tokens.push(cond.clone()),
                LoopHead::Loop => {}
            }
        }
        _ => {}
    };
    stmt.walk(&mut visit);
    for tokens in tokens {
        vars.extend(f.vars_named_in(&tokens));
    }
    vars
}

fn rhs_vars(rhs: &Rhs, vars: &mut Vec<VarId>, tokens: &mut Vec<TokenStream>) {
    vars.extend(rhs.dependencies());
    match rhs {
        Rhs::Opaque(t) => tokens.push(t.clone()),
        Rhs::Atom(Atom::Const(t)) => tokens.push(t.clone()),
        _ => {}
    }
    for atom in rhs.operands() {
        if let Atom::Const(t) = atom {
            tokens.push(t.clone());
        }
    }
}
