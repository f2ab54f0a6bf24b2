//! Increments of buffer elements: `out[i] += x` is lowered as `t = out[i]; out[i] = t + x`,
//! whose reverse takes `out_bar[i]` (leaving zero), adds it to `t_bar`, and adds `t_bar`
//! back into `out_bar[i]` when it reaches the load: a store and a load-add-store of the
//! same element that leave it as it was. When nothing between the load and the store writes
//! the buffer and `t` has no other use, the reverse of the store reads `out_bar[i]` in place
//! and passes it on to `x` alone, and `t` gets no adjoint, so its load has no reverse work.
//! (Anything in between that reads `out[i]` adds into `out_bar[i]` in reverse, which is
//! right either way: the kept value is exactly what the load would have added back.)

use crate::ir::*;

/// Marks `increment` on the old-value temporaries of such stores.
pub fn mark(f: &mut Function) {
    let mut found = Vec::new();
    find_in_block(f, &f.body, &mut found);
    for var in found {
        if uses(f, var) == 1 {
            f.vars[var].increment = true;
        }
    }
}

/// The old-value temporaries of increments in `block` and the blocks nested in it.
fn find_in_block(f: &Function, block: &Block, found: &mut Vec<VarId>) {
    for (k, stmt) in block.stmts.iter().enumerate() {
        match stmt {
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                find_in_block(f, then_block, found);
                find_in_block(f, else_block, found);
            }
            Stmt::Loop { body, .. } => find_in_block(f, body, found),
            Stmt::Store {
                base,
                index,
                rhs:
                    Rhs::Binary {
                        op: BinOp::Add,
                        lhs: Atom::Var(old),
                        ..
                    },
                ..
            } if f.vars[*base].buffer => {
                if let Some(load) = loaded_before(&block.stmts[..k], *old, *base, index.as_ref()) {
                    found.push(load);
                }
            }
            _ => {}
        }
    }
}

/// `old`, when `before` declares it as `base[index]` and nothing after that declaration
/// but other declarations (no call, which may write the buffer) comes before the store.
fn loaded_before(before: &[Stmt], old: VarId, base: VarId, index: Option<&Atom>) -> Option<VarId> {
    for stmt in before.iter().rev() {
        let Stmt::Let { var, init, .. } = stmt else {
            return None;
        };
        match init {
            Some(Rhs::Index {
                base: loaded,
                index: at,
            }) if *var == old => {
                return (*loaded == base && same_atom(at.as_ref(), index)).then_some(old);
            }
            Some(Rhs::Call { .. }) | Some(Rhs::Construct { .. }) => return None,
            _ => {}
        }
    }
    None
}

fn same_atom(a: Option<&Atom>, b: Option<&Atom>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Atom::Var(x)), Some(Atom::Var(y))) => x == y,
        (Some(Atom::Const(x)), Some(Atom::Const(y))) => x.to_string() == y.to_string(),
        _ => false,
    }
}

/// How many times `var` is read anywhere in the function; a mention in code kept as written
/// counts twice, since it is not an operand this pass can see.
fn uses(f: &Function, var: VarId) -> usize {
    let mut operand_uses = 0;
    let mut kept: Vec<&proc_macro2::TokenStream> = Vec::new();
    f.body.walk(&mut |stmt| {
        let mut rhs_uses = |rhs: &Rhs| {
            operand_uses += rhs.dependencies().iter().filter(|&&v| v == var).count();
        };
        match stmt {
            Stmt::Let {
                init: Some(rhs), ..
            }
            | Stmt::Assign { rhs, .. } => rhs_uses(rhs),
            Stmt::Push { value, .. } => rhs_uses(value),
            Stmt::Store { index, rhs, .. } => {
                rhs_uses(rhs);
                if matches!(index, Some(Atom::Var(v)) if *v == var) {
                    operand_uses += 1;
                }
            }
            _ => {}
        }
    });
    collect_kept(&f.body, &mut kept);
    let kept_uses = kept
        .iter()
        .filter(|tokens| f.vars_named_in(tokens).contains(&var))
        .count();
    operand_uses + 2 * kept_uses
}

/// Every piece of code kept as written in `block`: effects, conditions, loop heads and
/// opaque expressions.
fn collect_kept<'a>(block: &'a Block, kept: &mut Vec<&'a proc_macro2::TokenStream>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Effect(tokens) => kept.push(tokens),
            Stmt::If {
                cond,
                then_block,
                else_block,
                ..
            } => {
                kept.push(cond);
                collect_kept(then_block, kept);
                collect_kept(else_block, kept);
            }
            Stmt::Loop { head, body, .. } => {
                match head {
                    LoopHead::While(tokens) | LoopHead::For { iter: tokens, .. } => {
                        kept.push(tokens)
                    }
                    LoopHead::Loop => {}
                }
                collect_kept(body, kept);
            }
            Stmt::Let {
                init: Some(Rhs::Opaque(tokens)),
                ..
            }
            | Stmt::Assign {
                rhs: Rhs::Opaque(tokens),
                ..
            }
            | Stmt::Store {
                rhs: Rhs::Opaque(tokens),
                ..
            } => kept.push(tokens),
            _ => {}
        }
    }
}
