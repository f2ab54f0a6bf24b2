//! Assembles the generated functions: the pipeline parse → check → lower → restructure exits
//! → analyse → forward sweep → reverse sweep, and the public wrappers around the result.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Ident, ItemFn};

use crate::args::Args;
use crate::check::{self, Errors, Param, Signature};
use crate::{activity, exits, forward, lower, names, reverse};

/// The path generated code uses to reach the runtime; it works for users who depend only
/// on the `autodiff` facade.
pub fn private_path() -> TokenStream {
    quote!(::autodiff::__private)
}

/// [`private_path`] located at `span`, so that errors inside a rule call point at the
/// user's operator or method instead of at the attribute.
pub fn private_path_at(span: proc_macro2::Span) -> TokenStream {
    quote::quote_spanned!(span=> ::autodiff::__private)
}

pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let item: ItemFn = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => {
            let error = syn::Error::new(
                proc_macro2::Span::call_site(),
                "`#[differentiate]` applies to a free function (`fn name(x: f64, ..) -> f64 { .. }`)",
            );
            return quote!(#input)
                .into_iter()
                .chain(error.to_compile_error())
                .collect();
        }
    };
    let mut errors = Errors::default();
    let mut args = match syn::parse2::<Args>(args) {
        Ok(args) => args,
        Err(error) => {
            errors.push(error);
            Args::default()
        }
    };
    for error in std::mem::take(&mut args.errors) {
        errors.push(error);
    }
    let sig = check::signature(&item, &args, &mut errors);
    let names = Names::new(&item.sig.ident, &args);
    // The body is checked even when the signature has errors, so all are reported at once.
    let function = differentiate(&sig, &item, &mut errors);
    let generated = match function {
        Some(pullback_body) if errors.is_empty() => {
            generate(&item, &sig, &names, Bodies::Real(pullback_body))
        }
        _ => {
            // Stubs with the right names keep one mistake from cascading into "cannot find
            // `f_grad`" errors at every use.
            let stubs = (!sig.has_receiver).then(|| generate(&item, &sig, &names, Bodies::Stubs));
            let errors = errors.into_compile_errors();
            quote!(#errors #stubs)
        }
    };
    quote! {
        #item
        #generated
    }
}

/// The body of the composable pullback: forward sweep, reverse sweep, result.
fn differentiate(sig: &Signature, item: &ItemFn, errors: &mut Errors) -> Option<TokenStream> {
    // Every float parameter is active in the pullback, so that calls compose whatever the
    // callee's `wrt`; the public wrappers pick the requested gradients.
    let active_params: Vec<bool> = sig.params.iter().map(|p| p.is_float).collect();

    // First lowering, with everything lowered, to learn which bindings carry derivatives.
    let mut scratch = Errors::default();
    let first = lower::lower(sig, item, None, &mut scratch);
    let mut probe = first.function;
    activity::analyse(&mut probe, &active_params);
    let prior: HashMap<usize, bool> = first
        .binding_keys
        .iter()
        .zip(&probe.vars)
        .filter_map(|(key, var)| key.map(|k| (k, var.active)))
        .collect();

    let lowered = lower::lower(sig, item, Some(&prior), errors);
    if !errors.is_empty() {
        return None;
    }
    let mut function = lowered.function;
    exits::restructure(&mut function);
    activity::analyse(&mut function, &active_params);

    let forward = forward::emit(&function);
    let reverse = reverse::emit(&function, &sig.params);
    let private = private_path();
    let output = &function.vars[function.output].ident;
    let cotangents = function
        .params
        .iter()
        .zip(&sig.params)
        .map(|(&var, param)| {
            let ident = &param.ident;
            if !param.is_float {
                quote!(#private::NoTangent)
            } else if function.vars[var].active {
                let adjoint = names::adjoint(&function.vars[var].ident);
                quote!(#private::gradient_or_zero(#adjoint, &#ident))
            } else {
                quote!(#private::ZeroLike::zero_like(&#ident))
            }
        });
    Some(quote! {
        #forward
        #reverse
        (#output, (#(#cotangents,)*))
    })
}

/// Names of the generated functions.
struct Names {
    original: Ident,
    pullback: Ident,
    adjoint: Ident,
    grad: Ident,
    value_and_grad: Ident,
}

impl Names {
    fn new(original: &Ident, args: &Args) -> Self {
        let or_default = |given: &Option<Ident>, suffix| {
            given
                .clone()
                .unwrap_or_else(|| names::generated(original, suffix))
        };
        Names {
            original: original.clone(),
            pullback: names::generated(original, "pullback"),
            adjoint: or_default(&args.adjoint, "adjoint"),
            grad: or_default(&args.grad, "grad"),
            value_and_grad: or_default(&args.value_and_grad, "value_and_grad"),
        }
    }
}

/// Attributes of the user's function that also make sense on the generated ones.
fn carried_attributes(item: &ItemFn) -> Vec<&Attribute> {
    const CARRIED: &[&str] = &[
        "inline",
        "cold",
        "cfg",
        "cfg_attr",
        "allow",
        "expect",
        "warn",
        "deny",
        "forbid",
        "deprecated",
    ];
    item.attrs
        .iter()
        .filter(|a| CARRIED.iter().any(|name| a.path().is_ident(name)))
        .collect()
}

/// What the generated functions contain.
enum Bodies {
    /// The pullback's body; the wrappers call the pullback.
    Real(TokenStream),
    /// Every body is `unimplemented!()`: compilation fails anyway, with the errors reported.
    Stubs,
}

fn generate(item: &ItemFn, sig: &Signature, names: &Names, bodies: Bodies) -> TokenStream {
    let private = private_path();
    let vis = &item.vis;
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let attrs = carried_attributes(item);
    let out_ty = &sig.output;
    let d_out = names::d_out();
    let Names {
        original,
        pullback,
        adjoint,
        grad,
        value_and_grad,
    } = names;

    let declared = sig.params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        let mutability = p.mutable.then(|| quote!(mut));
        quote!(#mutability #ident: #ty)
    });
    let plain: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            let (ident, ty) = (&p.ident, &p.ty);
            quote!(#ident: #ty)
        })
        .collect();
    let idents: Vec<&Ident> = sig.params.iter().map(|p| &p.ident).collect();
    let cotangent_types = sig.params.iter().map(|p| {
        if p.is_float {
            let ty = &p.ty;
            quote!(#ty)
        } else {
            quote!(#private::NoTangent)
        }
    });

    let wrt: Vec<&Param> = sig.params.iter().filter(|p| p.in_wrt).collect();
    let grad_names: Vec<Ident> = wrt
        .iter()
        .map(|p| names::generated(&p.ident, "grad"))
        .collect();
    let bindings = sig.params.iter().map(|p| {
        if p.in_wrt {
            let name = names::generated(&p.ident, "grad");
            quote!(#name)
        } else {
            quote!(_)
        }
    });
    let (grad_ty, grad_value) = if wrt.len() == 1 {
        let ty = &wrt[0].ty;
        let name = &grad_names[0];
        (quote!(#ty), quote!(#name))
    } else {
        let tys = wrt.iter().map(|p| &p.ty);
        (quote!((#(#tys,)*)), quote!((#(#grad_names,)*)))
    };
    let wrt_list = wrt
        .iter()
        .map(|p| format!("`{}`", p.ident))
        .collect::<Vec<_>>()
        .join(", ");
    let grad_shape = if wrt.len() == 1 {
        format!("`∂{original}/∂{}`", wrt[0].ident)
    } else {
        let parts: Vec<String> = wrt
            .iter()
            .map(|p| format!("∂{original}/∂{}", p.ident))
            .collect();
        format!("`({})`", parts.join(", "))
    };

    // Whoever uses a derivative of `f` uses `f`: no dead-code warning for it then.
    let mark_original_used = generics
        .params
        .is_empty()
        .then(|| quote!(let _ = #original;));
    let unimplemented = quote!(::core::unimplemented!());
    let (pullback_body, adjoint_body, grad_body, value_and_grad_body) = match bodies {
        Bodies::Real(body) => (
            quote!(#mark_original_used #body),
            quote! {
                let (value, (#(#bindings,)*)) = #pullback(#(#idents,)* #d_out);
                (value, #grad_value)
            },
            quote!(#adjoint(#(#idents,)* 1.0).1),
            quote!(#adjoint(#(#idents,)* 1.0)),
        ),
        Bodies::Stubs => (
            unimplemented.clone(),
            unimplemented.clone(),
            unimplemented.clone(),
            unimplemented,
        ),
    };

    let doc_pullback = format!(
        "Pullback of [`{original}`] with respect to every float parameter, one entry per \
         parameter (`NoTangent` for the others). Generated by `#[differentiate]`; other \
         generated adjoints call it to differentiate through `{original}`."
    );
    let doc_adjoint = format!(
        "Reverse-mode adjoint of [`{original}`], generated by `#[differentiate]`.\n\n\
         Runs `{original}` forward, then pulls the output cotangent `d_out` back through it. \
         Returns the value of `{original}` and `d_out` times the gradient with respect to \
         {wrt_list}: {grad_shape}. With `d_out = 1` the second part is the gradient; with \
         another `d_out` it is a vector-Jacobian product."
    );
    let doc_grad = format!(
        "Gradient of [`{original}`] with respect to {wrt_list}: {grad_shape}. Generated by \
         `#[differentiate]` as one forward and one reverse sweep."
    );
    let doc_value_and_grad = format!(
        "Value of [`{original}`] and its gradient with respect to {wrt_list}, from one \
         forward and one reverse sweep. Generated by `#[differentiate]`."
    );

    quote! {
        #[doc = #doc_pullback]
        #[doc(hidden)]
        #(#attrs)*
        #[allow(dead_code, unused_mut, unused_variables, unused_assignments, unused_parens, unreachable_code, clippy::all)]
        #vis fn #pullback #generics (#(#declared,)* #d_out: #out_ty) -> (#out_ty, (#(#cotangent_types,)*)) #where_clause {
            #pullback_body
        }

        #[doc = #doc_adjoint]
        #(#attrs)*
        #[allow(dead_code, unused_variables, clippy::all)]
        #vis fn #adjoint #generics (#(#plain,)* #d_out: #out_ty) -> (#out_ty, #grad_ty) #where_clause {
            #adjoint_body
        }

        #[doc = #doc_grad]
        #(#attrs)*
        #[allow(dead_code, unused_variables, clippy::all)]
        #vis fn #grad #generics (#(#plain,)*) -> #grad_ty #where_clause {
            #grad_body
        }

        #[doc = #doc_value_and_grad]
        #(#attrs)*
        #[allow(dead_code, unused_variables, clippy::all)]
        #vis fn #value_and_grad #generics (#(#plain,)*) -> (#out_ty, #grad_ty) #where_clause {
            #value_and_grad_body
        }
    }
}
