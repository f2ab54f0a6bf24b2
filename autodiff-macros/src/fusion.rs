//! Fusing a loop's reverse into its forward run. For
//! `let mut s = ..; for .. { ..; s += t; } output = s`, the cotangent of `s` after every trip
//! is the output's own, known before the loop starts, and the trips' reverses touch nothing
//! of each other's: each trip's reverse can run right after its forward, while its values are
//! still at hand. That saves the second loop and every value it would have recorded or
//! recomputed (Rosenbrock's sum of terms is this shape).

use crate::ir::*;

/// Finds the loop that can be fused, if the function has one, and records it in
/// [`Function::fused`].
pub fn plan(f: &mut Function) {
    f.fused.clear();
    if f.uses_exit_code {
        return;
    }
    let stmts: Vec<&Stmt> = f
        .body
        .stmts
        .iter()
        .filter(|s| !matches!(s, Stmt::Effect(_)))
        .collect();
    let [.., Stmt::Loop {
        id,
        head: LoopHead::For { .. },
        body,
        dispatch,
        ..
    }, Stmt::Assign {
        var,
        rhs: Rhs::Atom(Atom::Var(accumulator)),
        tape: None,
        ..
    }] = stmts.as_slice()
    else {
        return;
    };
    if *var != f.output || !dispatch.is_empty() || f.vars[*accumulator].block != ROOT {
        return;
    }
    if fusable_body(f, body, *accumulator) {
        f.fused.push(Fused {
            loop_id: *id,
            body: body.id,
            accumulator: *accumulator,
        });
    }
}

/// Whether `body` is straight-line arithmetic with one `s += t` and reverse rules that reach
/// only its own locals, `s` and the parameters: nothing whose adjoint the main reverse sweep
/// would declare later.
fn fusable_body(f: &Function, body: &Block, accumulator: VarId) -> bool {
    let mut updates = 0;
    for stmt in &body.stmts {
        let rhs = match stmt {
            Stmt::Effect(_) => continue,
            Stmt::Let {
                init: Some(rhs), ..
            } => rhs,
            Stmt::Assign {
                var,
                rhs:
                    Rhs::Binary {
                        op: BinOp::Add,
                        lhs: Atom::Var(lhs),
                        rhs: term,
                        ..
                    },
                tape: None,
                ..
            } if *var == accumulator && *lhs == accumulator => {
                updates += 1;
                match term.var() {
                    Some(t) if t == accumulator => return false,
                    Some(t) if !reachable(f, body, accumulator, t) => return false,
                    _ => {}
                }
                continue;
            }
            _ => return false,
        };
        let straight_line = matches!(
            rhs,
            Rhs::Atom(_)
                | Rhs::Borrow(_)
                | Rhs::Neg(_)
                | Rhs::Binary { .. }
                | Rhs::Method { .. }
                | Rhs::Cast { .. }
                | Rhs::Index { .. }
                | Rhs::Opaque(_)
        );
        if !straight_line {
            return false;
        }
        if !rhs
            .dependencies()
            .into_iter()
            .all(|read| reachable(f, body, accumulator, read))
        {
            return false;
        }
    }
    updates == 1
}

/// Whether the fused reverse may name `read`'s adjoint: a local of the body, a parameter
/// (whose adjoint is declared before the forward sweep then), or nothing active.
fn reachable(f: &Function, body: &Block, accumulator: VarId, read: VarId) -> bool {
    // A view's adjoint is its root buffer's shadow.
    let root = f.root(read);
    read != accumulator
        && (f.vars[root].block == body.id
            || f.vars[root].kind == VarKind::Param
            || !f.vars[root].active)
}
