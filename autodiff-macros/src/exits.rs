//! `break`, `continue` and `return` become a code in `exit_code` plus guards, so that every
//! block runs to its end and the reverse sweep can mirror the forward sweep.
//!
//! After an exit, the rest of its block is unreachable and dropped. After a statement that
//! *may* exit, the rest of the block moves under a guard `if exit_code == 0 { .. }`, which is
//! recorded like any other `if` — or, when one branch of an `if` always exits and the other
//! never does, into that other branch, which needs no guard. Each loop ends its iteration
//! with a dispatch on the codes that can reach it: its own `continue` clears the code, its own
//! `break` clears it and leaves, any other code leaves and keeps it for the enclosing code.

use std::collections::BTreeSet;

use quote::quote;

use crate::ir::*;
use crate::names;

/// Rewrites every [`Stmt::Exit`] of `function`.
pub fn restructure(function: &mut Function) {
    let stmts = std::mem::take(&mut function.body.stmts);
    function.body.stmts = block(function, stmts, ROOT);
}

fn code(kind: ExitKind) -> u32 {
    match kind {
        ExitKind::Return => 1,
        ExitKind::Break(id) => 2 * id as u32,
        ExitKind::Continue(id) => 2 * id as u32 + 1,
    }
}

/// Restructures the statements of block `id`.
fn block(f: &mut Function, stmts: Vec<Stmt>, id: BlockId) -> Vec<Stmt> {
    rehome(f, &stmts, id);
    let mut out = Vec::new();
    let mut rest = stmts.into_iter();
    while let Some(stmt) = rest.next() {
        match stmt {
            Stmt::Exit(kind) => {
                out.push(Stmt::SetExit(code(kind)));
                return out;
            }
            Stmt::If {
                branch,
                cond,
                then_block,
                else_block,
            } => {
                let mut then_block = nested(f, then_block);
                let mut else_block = nested(f, else_block);
                let then_may = !escapes(&then_block.stmts).is_empty();
                let else_may = !escapes(&else_block.stmts).is_empty();
                let then_always = always_exits(&then_block.stmts);
                let else_always = always_exits(&else_block.stmts);
                let remaining: Vec<Stmt> = rest.collect();
                if !then_may && !else_may {
                    out.push(Stmt::If {
                        branch,
                        cond,
                        then_block,
                        else_block,
                    });
                    out.extend(block(f, remaining, id));
                } else if then_always && else_always {
                    out.push(Stmt::If {
                        branch,
                        cond,
                        then_block,
                        else_block,
                    });
                } else if then_always && !else_may {
                    let moved = block(f, remaining, else_block.id);
                    else_block.stmts.extend(moved);
                    out.push(Stmt::If {
                        branch,
                        cond,
                        then_block,
                        else_block,
                    });
                } else if else_always && !then_may {
                    let moved = block(f, remaining, then_block.id);
                    then_block.stmts.extend(moved);
                    out.push(Stmt::If {
                        branch,
                        cond,
                        then_block,
                        else_block,
                    });
                } else {
                    out.push(Stmt::If {
                        branch,
                        cond,
                        then_block,
                        else_block,
                    });
                    out.extend(guard(f, remaining, id));
                }
                return out;
            }
            Stmt::Loop {
                id: loop_id,
                trips,
                head,
                body,
                ..
            } => {
                let body = nested(f, body);
                let own_break = code(ExitKind::Break(loop_id));
                let own_continue = code(ExitKind::Continue(loop_id));
                let mut dispatch = Vec::new();
                let mut outward = false;
                for exit in escapes(&body.stmts) {
                    let action = if exit == own_break {
                        DispatchAction::Break
                    } else if exit == own_continue {
                        DispatchAction::Continue
                    } else {
                        outward = true;
                        DispatchAction::Propagate
                    };
                    dispatch.push((exit, action));
                }
                f.uses_exit_code |= !dispatch.is_empty();
                out.push(Stmt::Loop {
                    id: loop_id,
                    trips,
                    head,
                    body,
                    dispatch,
                });
                if outward {
                    let remaining: Vec<Stmt> = rest.collect();
                    out.extend(guard(f, remaining, id));
                    return out;
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn nested(f: &mut Function, b: Block) -> Block {
    let stmts = block(f, b.stmts, b.id);
    Block { id: b.id, stmts }
}

/// `if exit_code == 0 { remaining }`, declared in block `id`.
fn guard(f: &mut Function, remaining: Vec<Stmt>, id: BlockId) -> Vec<Stmt> {
    if remaining.is_empty() {
        return Vec::new();
    }
    f.uses_exit_code = true;
    let guarded = f.block_count;
    f.block_count += 1;
    let stmts = block(f, remaining, guarded);
    let ident = f.namer.branch();
    f.vars.push(Var {
        ident,
        kind: VarKind::Branch,
        block: id,
        reassigned: false,
        buffer: false,
        cell: false,
        active: false,
        varied: false,
        needed: false,
        saved_tape: None,
        kept_owned: false,
        increment: false,
        writable: false,
        borrowed: false,
        plain: true,
        shared: false,
        view: None,
        contents_needed: false,
        recomputed: false,
        counted_from: None,
        recompute_as: None,
        recomputed_late: None,
        float_scalar: false,
    });
    let empty = f.block_count;
    f.block_count += 1;
    let exit_code = names::exit_code();
    vec![Stmt::If {
        branch: f.vars.len() - 1,
        cond: quote!(#exit_code == 0),
        then_block: Block { id: guarded, stmts },
        else_block: Block::new(empty),
    }]
}

/// Moves the variables declared by top-level `stmts` into block `id`.
fn rehome(f: &mut Function, stmts: &[Stmt], id: BlockId) {
    for stmt in stmts {
        let declared = match stmt {
            Stmt::Let { var, .. } => Some(*var),
            Stmt::If { branch, .. } => Some(*branch),
            Stmt::Loop { trips, .. } => Some(*trips),
            _ => None,
        };
        if let Some(var) = declared {
            f.vars[var].block = id;
        }
    }
}

/// The exit codes that can leave `stmts`.
fn escapes(stmts: &[Stmt]) -> BTreeSet<u32> {
    let mut codes = BTreeSet::new();
    for stmt in stmts {
        match stmt {
            Stmt::SetExit(c) => {
                codes.insert(*c);
            }
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                codes.extend(escapes(&then_block.stmts));
                codes.extend(escapes(&else_block.stmts));
            }
            Stmt::Loop { dispatch, .. } => codes.extend(
                dispatch
                    .iter()
                    .filter(|(_, a)| *a == DispatchAction::Propagate)
                    .map(|(c, _)| *c),
            ),
            _ => {}
        }
    }
    codes
}

/// Whether every path through `stmts` ends in an exit.
fn always_exits(stmts: &[Stmt]) -> bool {
    match stmts.last() {
        Some(Stmt::SetExit(_)) => true,
        Some(Stmt::If {
            then_block,
            else_block,
            ..
        }) => always_exits(&then_block.stmts) && always_exits(&else_block.stmts),
        _ => false,
    }
}
