//! Split reversal of calls: a callee's forward sweep records what its reverse needs while the
//! caller runs forward, instead of running again inside the callee's pullback.
//!
//! Every `#[differentiate]` function `g` gets `g_record`, which runs `g`'s forward sweep and
//! returns its value with a closure holding `g`'s tapes: called later with the same
//! arguments, their shadows and a cotangent, the closure runs `g`'s reverse sweep alone and
//! returns what `g_pullback` would. A caller's pullback calls `g_record` in its forward sweep,
//! keeps the closure on a tape and calls it where it would have called `g_pullback`. In
//! GMM's loop over points and components, `q_times` then computes its `exp`s and products
//! once per gradient rather than twice.
//!
//! The closure takes the arguments again rather than keeping them, so that it borrows
//! nothing and the caller may change its buffers while it waits. It is returned as
//! `impl FnOnce(..) + use<T..>`, which the compiler checks to hold no borrow. So `g_record`
//! records only when everything its reverse reads from the forward sweep is owned for
//! certain: plain scalars, local buffers, results of calls, tapes. Otherwise, and when `g`'s reverse reads a
//! buffer `g` writes (it would find the caller's contents there, not `g`'s), when a loop of
//! `g` runs its reverse during the forward sweep, or when `g` returns anything but a float,
//! `g_record` calls `g` and its closure calls `g_pullback`: the joint reversal of before.
//!
//! Only callers' pullbacks use `g_record`; its own forward sweep calls its callees plainly,
//! so that no closure type contains another (recursive functions would otherwise have
//! closure types that contain themselves). The dual copy (second order) stays joint too.

use std::collections::HashSet;

use proc_macro2::TokenStream;

use crate::activity::has_reverse;
use crate::ir::*;

/// Gives every differentiated call with a reverse a tape for the closures of its callee's
/// reverse; the forward and reverse sweeps then use `_record` and the closures. Not a call
/// whose result is a buffer: its cotangent goes to the pullback by reference, where the
/// closure takes it owned.
pub fn plan(f: &mut Function) {
    let mut sites = Vec::new();
    find_calls(f, &f.body, false, &mut sites);
    for (var, in_loop) in sites {
        let tape = f.tapes.len();
        f.tapes.push(Tape {
            ident: crate::names::generated(&f.vars[var].ident, "reverse"),
            in_loop,
            inverse: None,
            condition: None,
            read_by_callee: None,
        });
        f.split_calls.push((var, tape));
    }
}

fn find_calls(f: &Function, block: &Block, in_loop: bool, sites: &mut Vec<(VarId, bool)>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let {
                var,
                init: Some(Rhs::Call { .. }),
                ..
            } if has_reverse(stmt, f) && !f.vars[*var].buffer => sites.push((*var, in_loop)),
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                find_calls(f, then_block, in_loop, sites);
                find_calls(f, else_block, in_loop, sites);
            }
            Stmt::Loop { body, .. } => find_calls(f, body, true, sites),
            _ => {}
        }
    }
}

/// The tape of the reverse closures of the call that defines `var`, if it is split.
pub fn tape_of(f: &Function, var: VarId) -> Option<&Tape> {
    f.split_calls
        .iter()
        .find(|(v, _)| *v == var)
        .map(|(_, t)| &f.tapes[*t])
}

/// Whether `g_record` can keep `g`'s forward sweep for its reverse (see the module's
/// documentation): `reverse` is the reverse sweep `g`'s pullback runs, `writable` tells which
/// parameters `g` may write, and `returns_float` whether it returns a float or nothing.
pub fn can_record(
    f: &Function,
    reverse: &TokenStream,
    writable: &[bool],
    returns_float: bool,
) -> bool {
    if !returns_float || !f.fused.is_empty() {
        return false;
    }
    let named = idents_in(reverse);
    let writes_a_buffer_it_reads = f
        .params
        .iter()
        .zip(writable)
        .any(|(&p, &w)| w && named.contains(&f.vars[p].ident.to_string()));
    if writes_a_buffer_it_reads {
        return false;
    }
    // What the closure takes along: the function's own variables its reverse names, and what
    // the tapes hold. A differentiated callee's result is owned: none returns a reference.
    let mut call_results = HashSet::new();
    let mut assigned_on_tapes = Vec::new();
    f.body.walk(&mut |stmt| match stmt {
        Stmt::Let {
            var,
            init: Some(Rhs::Call { .. }),
            ..
        } => {
            call_results.insert(*var);
        }
        Stmt::Assign {
            var, tape: Some(_), ..
        } => assigned_on_tapes.push(*var),
        _ => {}
    });
    let owned = |id: VarId| {
        let v = &f.vars[id];
        v.plain
            || (v.buffer && v.view.is_none() && !v.borrowed)
            || (call_results.contains(&id) && !v.reassigned)
    };
    let kept_by_name = (0..f.vars.len()).filter(|&id| {
        let v = &f.vars[id];
        v.kind != VarKind::Param && v.block == ROOT && named.contains(&v.ident.to_string())
    });
    let recorded =
        (0..f.vars.len()).filter(|&id| f.vars[id].saved_tape.is_some() && !f.vars[id].kept_owned);
    kept_by_name
        .chain(recorded)
        .chain(assigned_on_tapes)
        .all(owned)
}

/// Every identifier in `tokens`, as text.
pub fn idents_in(tokens: &TokenStream) -> HashSet<String> {
    let mut found = HashSet::new();
    let mut stack = vec![tokens.clone()];
    while let Some(tokens) = stack.pop() {
        for tree in tokens {
            match tree {
                proc_macro2::TokenTree::Ident(ident) => {
                    found.insert(ident.to_string());
                }
                proc_macro2::TokenTree::Group(group) => stack.push(group.stream()),
                _ => {}
            }
        }
    }
    found
}

/// `f_record`: `f`'s value and a closure that pulls a cotangent back through `f` when given
/// the arguments again, their shadows and the cotangent, as `f_pullback` does.
/// `sweeps` is `None` for a stub (the function has errors), `Some(None)` where the closure
/// calls `f_pullback`, `Some(Some(parts))` where it runs the reverse sweep of the forward
/// sweep `f_record` ran. `bound`, if given, is the function's `where` clause.
pub fn record_function(
    item: &syn::ItemFn,
    sig: &crate::check::Signature,
    names: &crate::wrappers::Names,
    sweeps: Option<Option<&crate::expand::PullbackParts>>,
    bound: Option<&TokenStream>,
) -> TokenStream {
    use quote::quote;

    let private = crate::expand::private_path();
    let vis = &item.vis;
    let generics = &item.sig.generics;
    let where_clause = match bound {
        Some(bound) => quote!(where #bound),
        None => {
            let where_clause = &generics.where_clause;
            quote!(#where_clause)
        }
    };
    let attrs = crate::wrappers::carried_attributes(item);
    let out_ty = &sig.output;
    let d_out = crate::names::d_out();
    let (original, pullback) = (&names.original, &names.pullback);
    let record = crate::names::generated(original, "record");

    // The closure takes what the pullback takes, its references with elided lifetimes, so
    // that it is generic over them and borrows nothing of `f_record`'s arguments.
    let mut closure_params = Vec::new();
    let mut closure_types = Vec::new();
    let mut pullback_args = Vec::new();
    for p in &sig.params {
        let ident = &p.ident;
        let mutability = p.mutable.then(|| quote!(mut));
        let ty = without_lifetimes(&p.ty);
        closure_params.push(quote!(#mutability #ident: #ty));
        closure_types.push(quote!(#ty));
        pullback_args.push(quote!(#ident));
        if let Some(shadow_ty) = p.kind.shadow_type() {
            let shadow = crate::wrappers::shadow(p);
            closure_params.push(quote!(#shadow: #shadow_ty));
            closure_types.push(shadow_ty);
            pullback_args.push(quote!(#shadow));
        }
    }
    let plain_params = sig.params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        let mutability = p.mutable.then(|| quote!(mut));
        quote!(#mutability #ident: #ty)
    });
    let plain_args = sig.params.iter().map(|p| &p.ident);
    let cotangent_types: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            p.kind
                .cotangent_type(&p.ty)
                .unwrap_or_else(|| quote!(#private::NoTangent))
        })
        .collect();
    let returned = quote!((#out_ty, (#(#cotangent_types,)*)));
    // A caller passes a returned buffer's cotangent owned.
    let d_out_ty = match &sig.returns_buffer {
        Some(crate::params::ParamKind::Buffer {
            element,
            form: crate::params::BufferForm::Slice,
            ..
        }) => quote!(::std::vec::Vec<#element>),
        Some(crate::params::ParamKind::Buffer {
            element,
            form: crate::params::BufferForm::Array(len),
            ..
        }) => quote!([#element; #len]),
        _ => quote!(#out_ty),
    };
    let captured = generics.params.iter().filter_map(|p| match p {
        syn::GenericParam::Type(t) => Some(&t.ident),
        syn::GenericParam::Const(c) => Some(&c.ident),
        syn::GenericParam::Lifetime(_) => None,
    });
    let body = match sweeps {
        None => quote! {
            (
                ::core::unimplemented!(),
                move |#(#closure_params,)* #d_out: #d_out_ty| -> #returned { ::core::unimplemented!() },
            )
        },
        Some(None) => quote! {
            (
                #original(#(#plain_args),*),
                move |#(#closure_params,)* #d_out: #d_out_ty| -> #returned {
                    #pullback(#(#pullback_args,)* #d_out)
                },
            )
        },
        Some(Some(parts)) => {
            let crate::expand::PullbackParts {
                forward,
                reverse,
                result,
                output,
                ..
            } = parts;
            quote! {
                #forward
                (
                    #output,
                    move |#(#closure_params,)* #d_out: #d_out_ty| -> #returned {
                        #reverse
                        #result
                    },
                )
            }
        }
    };
    let doc = format!(
        "[`{original}`]'s value, and a closure that pulls a cotangent back through the call \
         as [`{pullback}`] would, given the same arguments again: for callers' pullbacks. \
         Generated by `#[differentiate]`."
    );
    quote! {
        #[doc = #doc]
        #[doc(hidden)]
        #(#attrs)*
        #[allow(dead_code, unused_mut, unused_variables, unused_assignments, unused_parens, unreachable_code, clippy::all)]
        #vis fn #record #generics (#(#plain_params,)*)
            -> (#out_ty, impl ::core::ops::FnOnce(#(#closure_types,)* #d_out_ty) -> #returned + use<#(#captured),*>)
            #where_clause
        {
            #body
        }
    }
}

/// `ty` with the lifetimes of its references left to elision.
fn without_lifetimes(ty: &syn::Type) -> syn::Type {
    use syn::visit_mut::VisitMut;

    struct Elide;
    impl VisitMut for Elide {
        fn visit_type_reference_mut(&mut self, reference: &mut syn::TypeReference) {
            reference.lifetime = None;
            syn::visit_mut::visit_type_reference_mut(self, reference);
        }
    }
    let mut ty = ty.clone();
    Elide.visit_type_mut(&mut ty);
    ty
}
