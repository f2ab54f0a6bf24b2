//! Shadow elements carried from one trip to the next, in loops whose reverse runs its trips
//! in forward order (fused loops, `fusion.rs`, and replayed loops, `replay.rs`).
//!
//! In Rosenbrock's `for i in 0..n - 1 { let a = x[i + 1] - x[i] * x[i]; .. }` trip `i`
//! adds into `x_bar[i + 1]` and trip `i + 1` then adds into the same element as `x_bar[i]`.
//! Written as `x_bar[..] += g`, every element is loaded and stored twice, and the second load
//! waits for the first store. Since the trips' reverses run in increasing `i`, the part for
//! `x_bar[i + 1]` can stay in a local (`x_bar_next`) until the next trip, which starts its
//! `x_bar[i]` from it: each element is then loaded and stored once, and the additions into
//! it happen in the same order as before.
//!
//! A root buffer's shadow is carried when the loop counts up by one over a range, and the
//! loop's statements name the buffer only as reads `x[i]` and `x[i + 1]` (`i` the loop's
//! variable), at least one of the latter: no views, writes, calls or other indices.

use crate::ir::*;

/// A root buffer whose shadow elements `i` and `i + 1` a trip's reverse adds into.
#[derive(Clone, Debug)]
pub struct Carried {
    /// The root buffer (its shadow is named after it).
    pub root: VarId,
    /// The variables holding `i + 1` (the lowering may compute it more than once).
    pub next: Vec<VarId>,
}

/// The root buffers whose shadows the reverse of a loop with variable `loop_var`, counting up
/// by one, may carry from trip to trip. `body` is straight-line (as fused and replayed
/// bodies are).
pub fn elements(f: &Function, loop_var: VarId, body: &Block) -> Vec<Carried> {
    let mut assigned_loop_var = false;
    let mut next = Vec::new();
    body.walk(&mut |stmt| match stmt {
        Stmt::Assign { var, .. } if *var == loop_var => assigned_loop_var = true,
        Stmt::Let {
            var,
            init: Some(init),
            ..
        } if !f.vars[*var].reassigned && is_one_past(f, init, loop_var) => next.push(*var),
        _ => {}
    });
    if assigned_loop_var || next.is_empty() {
        return Vec::new();
    }
    // Per root buffer: whether it is read at `i + 1`, or `None` once it is named otherwise.
    let mut roots: Vec<(VarId, Option<bool>)> = Vec::new();
    let mut note =
        |root: VarId, at_next: Option<bool>| match roots.iter_mut().find(|(r, _)| *r == root) {
            Some((_, seen)) => {
                *seen = match (*seen, at_next) {
                    (Some(a), Some(b)) => Some(a || b),
                    _ => None,
                }
            }
            None => roots.push((root, at_next)),
        };
    f.each_mention(body, |root, read| {
        let at_next = match read {
            Some((base, Some(Atom::Var(index))))
                if f.vars[base].buffer && f.vars[base].view.is_none() =>
            {
                if index == loop_var {
                    Some(false)
                } else if next.contains(&index) {
                    Some(true)
                } else {
                    None
                }
            }
            _ => None,
        };
        note(root, at_next);
    });
    roots
        .into_iter()
        .filter(|&(root, at_next)| at_next == Some(true) && f.vars[root].active)
        .map(|(root, _)| Carried {
            root,
            next: next.clone(),
        })
        .collect()
}

/// `i + 1` or `1 + i`, as the lowering keeps integer arithmetic: written as it was.
fn is_one_past(f: &Function, init: &Rhs, loop_var: VarId) -> bool {
    let is_one = |e: &syn::Expr| {
        matches!(e, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(int), .. })
            if int.base10_digits() == "1" && matches!(int.suffix(), "" | "usize"))
    };
    let is_loop_var = |e: &syn::Expr| matches!(e, syn::Expr::Path(path) if path.path.is_ident(&f.vars[loop_var].ident));
    let expr = match init {
        Rhs::Opaque(tokens) => syn::parse2::<syn::Expr>(tokens.clone()),
        _ => return false,
    };
    match expr {
        Ok(syn::Expr::Binary(syn::ExprBinary {
            left,
            op: syn::BinOp::Add(_),
            right,
            ..
        })) => (is_loop_var(&left) && is_one(&right)) || (is_one(&left) && is_loop_var(&right)),
        _ => false,
    }
}

/// Whether a `for` loop over `iter` counts up by one: a range, `a..b` or `a..=b`.
pub fn counts_up_by_one(iter: &proc_macro2::TokenStream) -> bool {
    matches!(
        syn::parse2::<syn::Expr>(iter.clone()),
        Ok(syn::Expr::Range(_))
    )
}
