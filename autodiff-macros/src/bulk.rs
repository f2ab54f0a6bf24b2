//! A loop's element writes undone as one copy. `for i in a..b { .. out[i] = v; .. }` records
//! the element it overwrites on every trip, and its reverse puts them back one by one; the
//! push and pop in each trip keep both loops from vectorizing. When nothing in the loop's
//! reverse reads `out`'s contents, the forward sweep instead copies `out[a..b]` once before
//! the loop, and the reverse sweep copies it back once after the loop's reverse: the same
//! contents wherever anything outside the loop looks.
//!
//! Only for a write at the loop variable itself (so the trips write `out[a..b]`, no more)
//! of a buffer that the loop uses in no other way than by such writes and by element reads
//! whose values the reverse sweep does not read again (they are recorded, not recomputed).

use proc_macro2::TokenStream;

use crate::ir::*;
use crate::recompute::names_in;

/// A loop whose writes into `buffer` are undone by one copy: its range's bounds, the tape of
/// the copies and the tape of the copied ranges.
#[derive(Clone, Debug)]
pub struct Bulk {
    pub loop_id: LoopId,
    pub buffer: VarId,
    pub start: TokenStream,
    pub end: TokenStream,
    pub values: TapeId,
    pub ranges: TapeId,
}

/// Finds the loops and buffers that qualify, gives each pair its two tapes and takes the
/// per-element tapes off the writes. Runs once the tapes are planned.
pub fn plan(f: &mut Function) {
    // A replay runs a loop's trips again in forward order: a copy taken per run of a nested
    // loop would come back in the wrong order.
    if !f.replayed.is_empty() {
        return;
    }
    let mut sites = Vec::new();
    find(f, &f.body, &mut sites);
    for (loop_id, buffer, start, end) in sites {
        // The loops writing one buffer share its tapes: their copies come back in reverse
        // order anyway.
        let values = match f.bulk.iter().find(|bulk| bulk.buffer == buffer) {
            Some(bulk) => bulk.values,
            None => {
                let ident = &f.vars[buffer].ident;
                for suffix in ["copied", "copied_range"] {
                    f.tapes.push(Tape {
                        ident: crate::names::generated(ident, suffix),
                        in_loop: true,
                        inverse: None,
                        condition: None,
                        read_by_callee: None,
                    });
                }
                f.tapes.len() - 2
            }
        };
        drop_element_tapes(&mut f.body, loop_id, buffer);
        f.bulk.push(Bulk {
            loop_id,
            buffer,
            start,
            end,
            values,
            ranges: values + 1,
        });
    }
}

type Site = (LoopId, VarId, TokenStream, TokenStream);

fn find(f: &Function, block: &Block, sites: &mut Vec<Site>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Loop { id, head, body, .. } => {
                if let LoopHead::For {
                    var: Some(var),
                    iter,
                    ..
                } = head
                {
                    let fused = f.fused.iter().any(|fused| fused.loop_id == *id);
                    if let (Some((start, end)), false) = (range_bounds(iter), fused) {
                        for buffer in candidates(f, *var, body) {
                            sites.push((*id, buffer, start.clone(), end.clone()));
                        }
                    }
                }
                find(f, body, sites);
            }
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                find(f, then_block, sites);
                find(f, else_block, sites);
            }
            _ => {}
        }
    }
}

/// `start` and `end` of a loop over `start..end`, both free of side effects.
fn range_bounds(iter: &TokenStream) -> Option<(TokenStream, TokenStream)> {
    let Ok(syn::Expr::Range(range)) = syn::parse2::<syn::Expr>(iter.clone()) else {
        return None;
    };
    if !matches!(range.limits, syn::RangeLimits::HalfOpen(_)) {
        return None;
    }
    let start = range.start.filter(|e| crate::forward::is_pure_bound(e))?;
    let end = range.end.filter(|e| crate::forward::is_pure_bound(e))?;
    Some((quote::quote!(#start), quote::quote!(#end)))
}

/// The buffers that the body of a loop with variable `var` writes at `var` with a recorded
/// element, and uses in no way the copy would get wrong.
fn candidates(f: &Function, var: VarId, body: &Block) -> Vec<VarId> {
    if f.vars[var].reassigned {
        return Vec::new();
    }
    let mut found = Vec::new();
    for stmt in &body.stmts {
        if let Stmt::Store {
            base,
            index: Some(Atom::Var(index)),
            tape: Some(_),
            ..
        } = stmt
        {
            let v = &f.vars[*base];
            if *index == var && v.buffer && !v.cell && v.view.is_none() && !found.contains(base) {
                found.push(*base);
            }
        }
    }
    found.retain(|&buffer| only_written_at(f, body, var, buffer));
    found
}

/// Whether, in the whole body, `buffer` (or a view of it) is written only by top-level
/// element writes at `var`, and read only by element reads whose values are not recomputed.
fn only_written_at(f: &Function, body: &Block, var: VarId, buffer: VarId) -> bool {
    let of_buffer = |v: VarId| f.root(v) == buffer;
    let named = |tokens: &TokenStream| {
        let views: Vec<String> = (0..f.vars.len())
            .filter(|&v| of_buffer(v))
            .map(|v| f.vars[v].ident.to_string())
            .collect();
        tokens
            .clone()
            .into_iter()
            .any(|tree| views.iter().any(|name| names_in(&tree, name)))
    };
    let at_var = |stmt: &Stmt| {
        matches!(stmt, Stmt::Store { base, index: Some(Atom::Var(index)), .. }
            if *base == buffer && *index == var)
    };
    let top_level = body.stmts.iter().filter(|s| at_var(s)).count();
    let mut writes = 0;
    body.walk(&mut |stmt| {
        if let Stmt::Store { base, .. } = stmt {
            writes += usize::from(of_buffer(*base));
        }
    });
    if writes != top_level {
        return false;
    }
    let mut fine = true;
    body.walk(&mut |stmt| {
        let rhs = match stmt {
            Stmt::Let {
                var: defined,
                init: Some(rhs),
                ..
            }
            | Stmt::Assign {
                var: defined, rhs, ..
            } => {
                if of_buffer(*defined) {
                    fine = false;
                }
                if let Rhs::Index { base, .. } = rhs {
                    // An element read: its value comes back from a tape, unless recomputed
                    // from the buffer, which holds other contents during the reverse.
                    if of_buffer(*base) && f.vars[*defined].recomputed {
                        fine = false;
                    }
                    return;
                }
                rhs
            }
            Stmt::Let {
                var: defined,
                init: None,
                ..
            } => {
                fine &= !of_buffer(*defined);
                return;
            }
            Stmt::Store { rhs, .. } => rhs,
            Stmt::Push { base, value, .. } => {
                fine &= !of_buffer(*base);
                value
            }
            Stmt::Swap { a, b } => {
                fine &= !of_buffer(*a) && !of_buffer(*b);
                return;
            }
            Stmt::Effect(tokens) => {
                fine &= !named(tokens);
                return;
            }
            Stmt::If { cond, .. } => {
                fine &= !named(cond);
                return;
            }
            _ => return,
        };
        if rhs.dependencies().into_iter().any(of_buffer) {
            fine = false;
        }
        if let Rhs::Opaque(tokens) = rhs {
            fine &= !named(tokens);
        }
        if crate::activity::written_by_call(f, rhs)
            .into_iter()
            .any(of_buffer)
        {
            fine = false;
        }
    });
    fine
}

/// Takes the per-element tapes off the top-level writes of `buffer` in loop `loop_id`.
fn drop_element_tapes(block: &mut Block, loop_id: LoopId, buffer: VarId) {
    for stmt in &mut block.stmts {
        match stmt {
            Stmt::Loop { id, body, .. } if *id == loop_id => {
                for stmt in &mut body.stmts {
                    if let Stmt::Store { base, tape, .. } = stmt {
                        if *base == buffer {
                            *tape = None;
                        }
                    }
                }
            }
            Stmt::Loop { body, .. } => drop_element_tapes(body, loop_id, buffer),
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                drop_element_tapes(then_block, loop_id, buffer);
                drop_element_tapes(else_block, loop_id, buffer);
            }
            _ => {}
        }
    }
}

/// Before the loop, in the forward sweep: the copy of the range its trips write.
pub fn save(f: &Function, bulk: &Bulk) -> TokenStream {
    let buffer = &f.vars[bulk.buffer].ident;
    let (start, end) = (&bulk.start, &bulk.end);
    let (values, ranges) = (&f.tapes[bulk.values].ident, &f.tapes[bulk.ranges].ident);
    let (low, high) = range_names();
    quote::quote! {{
        let (#low, #high) = ::autodiff::__private::written_range(#start, #end, #buffer.len());
        #ranges.push((#low, #high));
        #values.extend_from_slice(&#buffer[#low..#high]);
    }}
}

/// After the loop's reverse: the range put back as it was before the loop.
pub fn restore(f: &Function, bulk: &Bulk) -> TokenStream {
    let buffer = &f.vars[bulk.buffer].ident;
    let (values, ranges) = (&f.tapes[bulk.values].ident, &f.tapes[bulk.ranges].ident);
    let (low, high) = range_names();
    quote::quote! {{
        let (#low, #high) = #ranges.pop();
        #buffer[#low..#high].clone_from_slice(#values.top(#high - #low));
        #values.discard(#high - #low);
    }}
}

/// The names of a copied range's bounds, hygienic so that they hide none of the user's.
fn range_names() -> (syn::Ident, syn::Ident) {
    let span = proc_macro2::Span::mixed_site();
    (syn::Ident::new("low", span), syn::Ident::new("high", span))
}
