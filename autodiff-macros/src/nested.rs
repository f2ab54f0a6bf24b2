//! Derivatives of `f_grad`, so that a `#[differentiate]` function can call it: an update
//! `x − η ∇f(x)` inside a function differentiated again, an inner optimization whose
//! result an outer one differentiates (nested derivatives, as JAX's `grad(grad(f))`).
//!
//! A caller treats `f_grad` like any function it calls, so `f_grad` needs the forms every
//! differentiated function has: `f_grad_pullback` for the caller's reverse sweep and
//! `f_grad_tangent_all` for its forward mode. Both are the dual pullback of `f` (the one
//! behind `f_hvp`) seeded with a direction: the cotangent ḡ of the gradient for the
//! pullback, since the Hessian is symmetric, `(∂∇f/∂x)ᵀ ḡ = H ḡ`, and the parameters'
//! tangents for the forward mode. Parameters outside `wrt` get their block of `H ḡ` too.
//! There is no third order: `f_grad`'s `_second_order` trait has no implementation, and
//! its dual forms are unreachable stand-ins, so a caller's own `f_hvp` cannot be called.
//!
//! Generated for a function with one parameter in `wrt` (a float or a slice of floats, so
//! that `f_grad` returns a float or a `Vec`), whose other parameters are floats, slices
//! of floats or inactive, and which has a second order.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, ItemFn, Type};

use crate::args::Args;
use crate::check::{self, Errors, Signature};
use crate::expand::private_path;
use crate::names;
use crate::params::{BufferForm, ParamKind};
use crate::second_order::{self, Missing};

/// `f_grad_pullback` and `f_grad_tangent_all`, with the trait and stand-ins a caller's
/// second order looks for; nothing where `f_grad` has no such forms (see the module docs).
/// `bound` is `f_hvp`'s, if any: the forms reach the same dual copy.
pub fn generate(
    item: &ItemFn,
    sig: &Signature,
    args: &Args,
    element: &str,
    bound: Option<&TokenStream>,
) -> TokenStream {
    if !item.sig.generics.params.is_empty() {
        return TokenStream::new();
    }
    let mut wrt = sig
        .params
        .iter()
        .filter(|p| p.in_wrt && p.kind.is_differentiable());
    let (Some(target), None) = (wrt.next(), wrt.next()) else {
        return TokenStream::new();
    };
    let slice_or_scalar = |kind: &ParamKind, ty: &Type| match kind {
        ParamKind::Scalar => true,
        ParamKind::Buffer {
            form: BufferForm::Slice,
            mutable: false,
            ..
        } => matches!(ty, Type::Reference(r) if matches!(&*r.elem, Type::Slice(_))),
        kind => !kind.is_differentiable(),
    };
    if !sig.params.iter().all(|p| slice_or_scalar(&p.kind, &p.ty)) {
        return TokenStream::new();
    }

    let private = private_path();
    let vis = &item.vis;
    let original = &item.sig.ident;
    let grad = args
        .grad
        .clone()
        .unwrap_or_else(|| names::generated(original, "grad"));
    let pullback = names::generated(&grad, "pullback");
    let tangent_all = names::generated(&grad, "tangent_all");
    let dual_pullback = names::generated(original, "dual_pullback");
    let element_ty = Ident::new(element, Span::call_site());
    let zero = quote!(<#element_ty as #private::num_traits::Zero>::zero());
    let one = quote!(<#element_ty as #private::num_traits::One>::one());
    let d_out = names::d_out();
    let i = Ident::new("i", Span::mixed_site());
    let d = Ident::new("d", Span::mixed_site());
    let target_is_buffer = !matches!(target.kind, ParamKind::Scalar);
    let (gradient_ty, d_out_ty) = if target_is_buffer {
        (
            quote!(::std::vec::Vec<#element_ty>),
            quote!(impl ::core::convert::AsRef<[#element_ty]>),
        )
    } else {
        (quote!(#element_ty), quote!(#element_ty))
    };

    // One sweep of the dual pullback, each differentiable parameter seeded with the
    // direction `direction(p)` gives it (an expression of `i` for a slice); then the
    // gradient is the target's real parts, and the directional derivatives their tangents.
    let sweep = |direction: &dyn Fn(&crate::check::Param) -> Option<TokenStream>| {
        let mut setup = Vec::new();
        let mut call_args = Vec::new();
        let mut bindings = Vec::new();
        for p in &sig.params {
            let ident = &p.ident;
            let seeded = second_order::local(ident, "seeded");
            let shadow = second_order::local(ident, "shadow");
            let tangent = direction(p).unwrap_or_else(|| zero.clone());
            match &p.kind {
                ParamKind::Scalar => {
                    setup.push(quote!(let #seeded = #private::Dual::new(#ident, #tangent);));
                    call_args.push(quote!(#seeded));
                    bindings.push(quote!(#shadow));
                }
                ParamKind::Buffer { .. } => {
                    setup.push(quote! {
                        let #seeded: ::std::vec::Vec<#private::Dual<#element_ty>> =
                            (0..#ident.len()).map(|#i| #private::Dual::new(#ident[#i], #tangent)).collect();
                        let mut #shadow = ::std::vec![#private::Dual::constant(#zero); #ident.len()];
                    });
                    call_args.push(quote!(&#seeded[..], &mut #shadow[..]));
                    bindings.push(quote!(_));
                }
                _ => {
                    call_args.push(quote!(#ident));
                    bindings.push(quote!(_));
                }
            }
        }
        quote! {
            #(#setup)*
            let (_, (#(#bindings,)*)) =
                #dual_pullback(#(#call_args,)* #private::Dual::new(#one, #zero));
        }
    };
    let target_shadow = second_order::local(&target.ident, "shadow");
    let (gradient, gradient_tangent) = if target_is_buffer {
        (
            quote!(#target_shadow.iter().map(|#d| #d.re).collect::<::std::vec::Vec<#element_ty>>()),
            quote!(#target_shadow.iter().map(|#d| #d.eps).collect::<::std::vec::Vec<#element_ty>>()),
        )
    } else {
        (quote!(#target_shadow.re), quote!(#target_shadow.eps))
    };

    // The pullback: seeded with the gradient's cotangent on the target, H·ḡ is added into
    // the slices' shadows and returned for the floats.
    let pullback_params = sig.params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        match p.kind.shadow_type() {
            Some(shadow) => {
                let bar = names::adjoint(ident);
                quote!(#ident: #ty, #bar: #shadow)
            }
            None => quote!(#ident: #ty),
        }
    });
    let pullback_sweep = sweep(&|p| {
        (p.ident == target.ident).then(|| {
            if target_is_buffer {
                quote!(#private::cotangent_slice(&#d_out)[#i])
            } else {
                quote!(#d_out)
            }
        })
    });
    let accumulate = sig.params.iter().filter_map(|p| {
        let ParamKind::Buffer { .. } = p.kind else {
            return None;
        };
        let (bar, shadow) = (
            names::adjoint(&p.ident),
            second_order::local(&p.ident, "shadow"),
        );
        Some(quote! {
            for (#i, #d) in #shadow.iter().enumerate() {
                #bar[#i] += #d.eps;
            }
        })
    });
    let cotangents = sig.params.iter().map(|p| match p.kind {
        ParamKind::Scalar => {
            let shadow = second_order::local(&p.ident, "shadow");
            quote!(#shadow.eps)
        }
        _ => quote!(#private::NoTangent),
    });
    let cotangent_types = sig.params.iter().map(|p| match p.kind {
        ParamKind::Scalar => quote!(#element_ty),
        _ => quote!(#private::NoTangent),
    });

    // The forward mode: seeded with the parameters' tangents, the target's tangents are
    // H·ẋ restricted to it.
    let tangent_params = sig.params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        if p.kind.is_differentiable() {
            let dot = names::tangent(ident);
            quote!(#ident: #ty, #dot: #ty)
        } else {
            quote!(#ident: #ty)
        }
    });
    let tangent_sweep = sweep(&|p| {
        p.kind.is_differentiable().then(|| {
            let dot = names::tangent(&p.ident);
            match p.kind {
                ParamKind::Scalar => quote!(#dot),
                _ => quote!(#dot[#i]),
            }
        })
    });
    let where_clause = bound.map(|b| quote!(where #b));
    let doc_pullback = format!(
        "The pullback of [`{grad}`]: adds `H·ḡ` into the shadows, for callers that \
         differentiate through the gradient; generated by `#[differentiate]`."
    );
    let doc_tangent = format!(
        "The forward mode of [`{grad}`]: the gradient and `H·ẋ`, for callers that \
         differentiate through the gradient; generated by `#[differentiate]`."
    );

    // What a caller's second order looks for: a trait without implementation, and
    // stand-ins (there is no third order).
    let grad_item = ItemFn {
        sig: syn::Signature {
            ident: grad.clone(),
            output: syn::parse_quote!(-> #gradient_ty),
            ..item.sig.clone()
        },
        attrs: Vec::new(),
        ..item.clone()
    };
    let mut scratch = Errors::default();
    let grad_sig = check::signature(&grad_item, &Args::default(), &mut scratch);
    let stand_ins = scratch
        .is_empty()
        .then(|| second_order::without_second_order(&grad_item, &grad_sig, Missing::ThirdOrder));

    quote! {
        #[doc = #doc_pullback]
        #[doc(hidden)]
        #[allow(dead_code, unused_mut, unused_variables, clippy::all)]
        #vis fn #pullback(#(#pullback_params,)* #d_out: #d_out_ty)
            -> (#gradient_ty, (#(#cotangent_types,)*)) #where_clause {
            #pullback_sweep
            #(#accumulate)*
            (#gradient, (#(#cotangents,)*))
        }

        #[doc = #doc_tangent]
        #[doc(hidden)]
        #[allow(dead_code, unused_mut, unused_variables, clippy::all)]
        #vis fn #tangent_all(#(#tangent_params,)*) -> (#gradient_ty, #gradient_ty) #where_clause {
            #tangent_sweep
            (#gradient, #gradient_tangent)
        }

        #stand_ins
    }
}
