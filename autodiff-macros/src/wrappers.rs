//! The generated functions around the pullback: `f_pullback` itself (composable: a cotangent
//! or shadow for every parameter), and the public `f_adjoint`, `f_grad`, `f_value_and_grad`
//! (only the parameters in `wrt`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Ident, ItemFn};

use crate::args::{Args, Modes};
use crate::check::{Param, Signature};
use crate::expand::private_path;
use crate::names;
use crate::params::{BufferForm, ParamKind};

/// Names of the generated functions.
pub struct Names {
    pub original: Ident,
    pub pullback: Ident,
    pub adjoint: Ident,
    pub grad: Ident,
    pub value_and_grad: Ident,
}

impl Names {
    pub fn new(original: &Ident, args: &Args) -> Self {
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

/// What the generated functions contain.
pub enum Bodies {
    /// The pullback's body (the wrappers call the pullback) and `f_tangent_all`'s, each
    /// when its mode is generated, and a pullback body active in the `wrt` parameters alone,
    /// for `f_adjoint`, when `wrt` leaves some out.
    Real(
        Option<TokenStream>,
        Option<TokenStream>,
        Option<TokenStream>,
    ),
    /// Every body is `unimplemented!()`: compilation fails anyway, with the errors reported.
    Stubs,
}

/// Attributes of the user's function that also make sense on the generated ones.
pub fn carried_attributes(item: &ItemFn) -> Vec<&Attribute> {
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

/// `x_bar`: the shadow of a buffer parameter, and the adjoint of a scalar one.
pub fn shadow(param: &Param) -> Ident {
    names::adjoint(&param.ident)
}

/// A tuple of `items`, or the item itself when there is exactly one.
fn tuple_or_single(items: &[TokenStream]) -> TokenStream {
    match items {
        [single] => single.clone(),
        items => quote!((#(#items,)*)),
    }
}

pub fn generate(
    item: &ItemFn,
    sig: &Signature,
    names: &Names,
    modes: Modes,
    bodies: Bodies,
) -> TokenStream {
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
    let narrow_pullback = names::generated(original, "pullback_wrt");
    let wrt: Vec<&Param> = sig.params.iter().filter(|p| p.in_wrt).collect();
    // A function returning `()` has no output cotangent: its outputs' cotangents come in
    // through the shadows of its `&mut` parameters, and there is no scalar to take a gradient of.
    let unit = sig.returns_unit;
    // A returned `Vec`'s cotangent is a slice of the same length; an array's, an array.
    let d_out_ty = match &sig.returns_buffer {
        Some(ParamKind::Buffer {
            element,
            form: BufferForm::Slice,
            ..
        }) => quote!(&[#element]),
        Some(ParamKind::Buffer {
            element,
            form: BufferForm::Array(len),
            ..
        }) => quote!(&[#element; #len]),
        _ => quote!(#out_ty),
    };
    let d_out_param = (!unit).then(|| quote!(#d_out: #d_out_ty));
    // The pullback always takes the output's cotangent, `()` for a function returning `()`,
    // so that a caller can pass it without knowing which kind it calls.
    // A returned buffer's cotangent comes borrowed from `f_adjoint` and owned from a
    // caller's reverse sweep.
    let pullback_d_out_ty = match &sig.returns_buffer {
        Some(ParamKind::Buffer {
            element,
            form: BufferForm::Slice,
            ..
        }) => quote!(impl ::core::convert::AsRef<[#element]>),
        Some(ParamKind::Buffer {
            element,
            form: BufferForm::Array(len),
            ..
        }) => quote!(impl ::core::borrow::Borrow<[#element; #len]>),
        _ => quote!(#out_ty),
    };
    let pullback_d_out = quote!(#d_out: #pullback_d_out_ty);

    // Signatures. The pullback takes a shadow after every buffer; the adjoint after every
    // buffer in `wrt`; the others take the parameters alone.
    let pullback_params: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            let (ident, ty) = (&p.ident, &p.ty);
            let mutability = p.mutable.then(|| quote!(mut));
            let shadow_ty = p.kind.shadow_type();
            let shadow_param = shadow_ty.map(|t| {
                let s = shadow(p);
                quote!(, #s: #t)
            });
            quote!(#mutability #ident: #ty #shadow_param)
        })
        .collect();
    let adjoint_params = sig.params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        let shadow_param = p
            .in_wrt
            .then(|| p.kind.adjoint_shadow_type())
            .flatten()
            .map(|t| {
                let s = shadow(p);
                quote!(, #s: #t)
            });
        quote!(#ident: #ty #shadow_param)
    });
    let plain_params: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            let (ident, ty) = (&p.ident, &p.ty);
            quote!(#ident: #ty)
        })
        .collect();
    let cotangent_types = sig.params.iter().map(|p| {
        p.kind
            .cotangent_type(&p.ty)
            .unwrap_or_else(|| quote!(#private::NoTangent))
    });

    // What `f_adjoint` returns besides the value: the gradients of the scalars in `wrt`.
    let scalar_wrt: Vec<&&Param> = wrt
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Scalar))
        .collect();
    let scalar_grads: Vec<TokenStream> = scalar_wrt
        .iter()
        .map(|p| {
            let name = names::generated(&p.ident, "grad");
            quote!(#name)
        })
        .collect();
    let scalar_grad_types: Vec<TokenStream> = scalar_wrt
        .iter()
        .filter_map(|p| p.kind.cotangent_type(&p.ty))
        .collect();
    let adjoint_ty = tuple_or_single(&scalar_grad_types);
    let adjoint_value = tuple_or_single(&scalar_grads);

    // What `f_grad` returns: every gradient in `wrt`, buffers' as owned values.
    let grad_types: Vec<TokenStream> = wrt.iter().map(|p| p.kind.gradient_type(&p.ty)).collect();
    let grad_ty = tuple_or_single(&grad_types);
    // `x_grad`: a scalar's or matrix's gradient as the pullback returns it, or the storage
    // of a buffer's shadow.
    let grad_values: Vec<TokenStream> = wrt
        .iter()
        .map(|p| {
            let name = names::generated(&p.ident, "grad");
            quote!(#name)
        })
        .collect();
    let grad_value = tuple_or_single(&grad_values);

    let docs = Docs::new(original, &wrt);
    // Whoever uses a derivative of `f` uses `f`: no dead-code warning for it then.
    let mark_original_used = crate::check::is_monomorphic(item).then(|| quote!(let _ = #original;));

    let unimplemented = quote!(::core::unimplemented!());
    let tangent_function = match &bodies {
        _ if !modes.forward => None,
        Bodies::Real(_, Some(tangent_body), _) => Some(tangent(item, sig, names, tangent_body)),
        _ => Some(tangent(item, sig, names, &unimplemented)),
    };
    if !modes.reverse {
        return quote!(#tangent_function);
    }
    let bodies = match bodies {
        Bodies::Stubs | Bodies::Real(None, _, _) => None,
        Bodies::Real(Some(body), _, narrow_adjoint) => {
            // A slice outside `wrt` whose shadow the narrower sweep never touches (no callee
            // wants it) gets an empty one, which costs no allocation.
            let named_by_sweep = narrow_adjoint.as_ref().map(crate::split::idents_in);
            let zero_shadow = |p: &Param| match (&p.kind, &named_by_sweep) {
                (
                    ParamKind::Buffer {
                        element,
                        form: crate::params::BufferForm::Slice,
                        ..
                    },
                    Some(named),
                ) if !p.in_wrt && !named.contains(&shadow(p).to_string()) => {
                    quote!(::std::vec::Vec::<#element>::new())
                }
                _ => p.kind.zero_gradient(&p.ident),
            };
            // `f_adjoint` gives the pullback a scratch shadow for each buffer not in `wrt`.
            let scratch = sig.params.iter().filter(|p| !p.in_wrt).filter_map(|p| {
                p.kind.shadow_type()?;
                let s = shadow(p);
                let zero = zero_shadow(p);
                Some(quote!(let mut #s = #zero;))
            });
            let pullback_args = sig.params.iter().map(|p| {
                let ident = &p.ident;
                match p.kind.shadow_type() {
                    Some(_) if p.in_wrt => {
                        let s = shadow(p);
                        quote!(#ident, #s)
                    }
                    Some(_) => {
                        let s = shadow(p);
                        quote!(#ident, &mut #s)
                    }
                    None => quote!(#ident),
                }
            });
            let bindings = sig.params.iter().map(|p| {
                if p.in_wrt && p.kind.is_value_like() {
                    let name = names::generated(&p.ident, "grad");
                    quote!(#name)
                } else {
                    quote!(_)
                }
            });
            // A matrix's gradient comes back from the pullback as a value and is added into
            // its shadow.
            let into_shadows: Vec<TokenStream> = wrt
                .iter()
                .filter(|p| matches!(p.kind, ParamKind::Value { .. }))
                .map(|p| {
                    let (s, name) = (shadow(p), names::generated(&p.ident, "grad"));
                    quote!(*#s += #name;)
                })
                .collect();
            // With a narrower `wrt`, the public functions call a sweep of their own, active in
            // the `wrt` parameters alone: it returns no adjoint for the others (a call may
            // still want a buffer's shadow).
            let sweep_function = if narrow_adjoint.is_some() {
                &narrow_pullback
            } else {
                pullback
            };
            let adjoint_body = if unit {
                quote! {
                    #(#scratch)*
                    let ((), (#(#bindings,)*)) = #pullback(#(#pullback_args,)* ());
                    #(#into_shadows)*
                    #adjoint_value
                }
            } else {
                quote! {
                    #(#scratch)*
                    let (value, (#(#bindings,)*)) = #sweep_function(#(#pullback_args,)* #d_out);
                    #(#into_shadows)*
                    (value, #adjoint_value)
                }
            };
            // `f_grad` owns a zeroed shadow for each buffer in `wrt`.
            // `f_value_and_grad` runs the sweep itself rather than through `f_adjoint`, so
            // that a matrix's gradient is returned as the sweep made it, not added into a
            // zeroed copy. Every buffer gets a zeroed shadow: those in `wrt` are returned.
            let local_shadows = sig.params.iter().filter_map(|p| {
                let shadow_ty = p.kind.shadow_type()?;
                let s = shadow(p);
                let storage = names::generated(&p.ident, "grad");
                let zero = zero_shadow(p);
                Some(quote! {
                    let mut #storage = #zero;
                    let #s: #shadow_ty = &mut #storage;
                })
            });
            let sweep_args = sig.params.iter().map(|p| {
                let ident = &p.ident;
                match p.kind.shadow_type() {
                    Some(_) => {
                        let s = shadow(p);
                        quote!(#ident, #s)
                    }
                    None => quote!(#ident),
                }
            });
            let gradient_bindings = sig.params.iter().map(|p| {
                if p.in_wrt && p.kind.is_value_like() {
                    let name = names::generated(&p.ident, "grad");
                    quote!(#name)
                } else {
                    quote!(_)
                }
            });
            let value_and_grad_body = quote! {
                #(#local_shadows)*
                let (value, (#(#gradient_bindings,)*)) = #sweep_function(#(#sweep_args,)* 1.0);
                (value, #grad_value)
            };
            let narrow_function = narrow_adjoint.map(|narrow| {
                let cotangent_types = sig.params.iter().map(|p| {
                    p.kind
                        .cotangent_type(&p.ty)
                        .filter(|_| p.in_wrt)
                        .unwrap_or_else(|| quote!(#private::NoTangent))
                });
                let doc = format!(
                    "[`{pullback}`] with respect to the parameters in `wrt` alone, for the \
                     public functions: no adjoint is computed for the others."
                );
                quote! {
                    #[doc = #doc]
                    #[doc(hidden)]
                    #(#attrs)*
                    #[allow(dead_code, unused_mut, unused_variables, unused_assignments, unused_parens, unreachable_code, clippy::all)]
                    #vis fn #narrow_pullback #generics (#(#pullback_params,)* #pullback_d_out) -> (#out_ty, (#(#cotangent_types,)*)) #where_clause {
                        #narrow
                    }
                }
            });
            let plain_args = sig.params.iter().map(|p| &p.ident);
            let grad_body = quote!(#value_and_grad(#(#plain_args,)*).1);
            Some((
                quote!(#mark_original_used #body),
                adjoint_body,
                grad_body,
                value_and_grad_body,
                narrow_function,
            ))
        }
    };
    let (pullback_body, adjoint_body, grad_body, value_and_grad_body, narrow_function) = bodies
        .unwrap_or_else(|| {
            (
                unimplemented.clone(),
                unimplemented.clone(),
                unimplemented.clone(),
                unimplemented,
                None,
            )
        });
    let Docs {
        pullback: doc_pullback,
        adjoint: doc_adjoint,
        grad: doc_grad,
        value_and_grad: doc_value_and_grad,
    } = docs;

    let adjoint_output = if unit {
        adjoint_ty
    } else {
        quote!((#out_ty, #adjoint_ty))
    };
    let jacobian_function = sig
        .returns_buffer
        .as_ref()
        .filter(|_| !sig.params.iter().any(|p| p.kind.is_in_out()))
        .map(|output| crate::jacobian::of_buffer(item, sig, names, output, &wrt, &attrs))
        .or_else(|| {
            sig.returns_value
                .then(|| crate::jacobian::of_value(item, sig, names, &wrt, &attrs))
        });
    let gradient_functions = (!unit && sig.returns_buffer.is_none() && !sig.returns_value).then(|| {
        quote! {
            #[doc = #doc_grad]
            #(#attrs)*
            #[allow(dead_code, unused_variables, clippy::all)]
            #vis fn #grad #generics (#(#plain_params,)*) -> #grad_ty #where_clause {
                #grad_body
            }

            #[doc = #doc_value_and_grad]
            #(#attrs)*
            #[allow(dead_code, unused_variables, clippy::all)]
            #vis fn #value_and_grad #generics (#(#plain_params,)*) -> (#out_ty, #grad_ty) #where_clause {
                #value_and_grad_body
            }
        }
    });

    quote! {
        #[doc = #doc_pullback]
        #[doc(hidden)]
        #(#attrs)*
        #[allow(dead_code, unused_mut, unused_variables, unused_assignments, unused_parens, unreachable_code, clippy::all)]
        #vis fn #pullback #generics (#(#pullback_params,)* #pullback_d_out) -> (#out_ty, (#(#cotangent_types,)*)) #where_clause {
            #pullback_body
        }

        #narrow_function

        #[doc = #doc_adjoint]
        #(#attrs)*
        #[allow(dead_code, unused_mut, unused_variables, unused_assignments, unused_parens, unreachable_code, clippy::all)]
        #vis fn #adjoint #generics (#(#adjoint_params,)* #d_out_param) -> #adjoint_output #where_clause {
            #adjoint_body
        }

        #gradient_functions
        #jacobian_function
        #tangent_function
    }
}

/// The rustdoc of each generated function.
struct Docs {
    pullback: String,
    adjoint: String,
    grad: String,
    value_and_grad: String,
}

impl Docs {
    fn new(original: &Ident, wrt: &[&Param]) -> Self {
        let wrt_list = wrt
            .iter()
            .map(|p| format!("`{}`", p.ident))
            .collect::<Vec<_>>()
            .join(", ");
        let parts: Vec<String> = wrt
            .iter()
            .map(|p| format!("∂{original}/∂{}", p.ident))
            .collect();
        let grad_shape = match parts.as_slice() {
            [single] => format!("`{single}`"),
            parts => format!("`({})`", parts.join(", ")),
        };
        let buffers: Vec<String> = wrt
            .iter()
            .filter(|p| p.kind.adjoint_shadow_type().is_some())
            .map(|p| format!("`{}`", p.ident))
            .collect();
        let shadows = if buffers.is_empty() {
            String::new()
        } else {
            format!(
                "\n\nThe adjoints of {} are added (`+=`) into the `&mut` shadow that follows \
                 each of them, as PyTorch accumulates into `.grad`: zero the shadows first for a \
                 plain gradient. The other gradients are returned.",
                buffers.join(", ")
            )
        };
        Docs {
            pullback: format!(
                "Pullback of [`{original}`] with respect to every float parameter: a \
                 cotangent per scalar parameter (`NoTangent` for the others) and a shadow after \
                 every float buffer. Generated by `#[differentiate]`; other generated adjoints \
                 call it to differentiate through `{original}`."
            ),
            adjoint: format!(
                "Reverse-mode adjoint of [`{original}`], generated by `#[differentiate]`.\n\n\
                 Runs `{original}` forward, then pulls the output cotangent `d_out` back \
                 through it: the result is the value of `{original}` and `d_out` times the \
                 gradient with respect to {wrt_list}. With `d_out = 1` that is the gradient; \
                 with another `d_out` it is a vector-Jacobian product.{shadows}"
            ),
            grad: format!(
                "Gradient of [`{original}`] with respect to {wrt_list}: {grad_shape}. \
                 Generated by `#[differentiate]` as one forward and one reverse sweep."
            ),
            value_and_grad: format!(
                "Value of [`{original}`] and its gradient with respect to {wrt_list}, from \
                 one forward and one reverse sweep. Generated by `#[differentiate]`."
            ),
        }
    }
}

/// `f_tangent_all` and `f_tangent`: the forward mode with one tangent per float.
fn tangent(item: &ItemFn, sig: &Signature, names: &Names, body: &TokenStream) -> TokenStream {
    let original = &names.original;
    let out_ty = &sig.output;
    let mode = ForwardMode {
        suffix: "tangent",
        generics: item.sig.generics.clone(),
        tangent_type: &|p: &Param| p.kind.tangent_type(&p.ty),
        zero: &|p: &Param| {
            p.kind
                .zero_tangent(&p.ident, &names::tangent(&p.ident), false)
        },
        output_tangent: quote!(#out_ty),
        doc: format!(
            "Forward-mode derivative of [`{original}`], generated by `#[differentiate]`: each \
             parameter being differentiated is followed by its tangent, and the result comes \
             with its own, the derivative of `{original}` along those tangents (a \
             Jacobian-vector product) from one pass. `&mut` parameters' tangents go in as the \
             inputs' and come out as the outputs'."
        ),
        doc_all: format!(
            "Forward mode of [`{original}`] with a tangent after every parameter; generated by \
             `#[differentiate]` for other generated code to call."
        ),
    };
    let (all, public) = forward_functions(item, sig, original, mode, body);
    quote!(#all #public)
}

/// How a forward mode's parameters carry their tangents: `f_tangent`'s one per float,
/// `f_tangents`' one per float and direction (`wide.rs`).
pub struct ForwardMode<'a> {
    /// `tangent` for `f_tangent` and `f_tangent_all`.
    pub suffix: &'a str,
    /// The functions' generics: the user's, and any the mode adds.
    pub generics: syn::Generics,
    /// A parameter's tangent type, `None` for one that carries none.
    pub tangent_type: &'a dyn Fn(&Param) -> Option<TokenStream>,
    /// Binds the zero tangent of a parameter outside `wrt` to its `_dot` name.
    pub zero: &'a dyn Fn(&Param) -> TokenStream,
    /// The result's tangent type.
    pub output_tangent: TokenStream,
    pub doc: String,
    pub doc_all: String,
}

/// The hidden, composable `f_<suffix>_all` (a tangent after every parameter, `impl Sized`
/// for the ones that carry none; its body is `body`) and the public `f_<suffix>` (a tangent
/// after each parameter in `wrt`, zeros for the others), in that order.
pub fn forward_functions(
    item: &ItemFn,
    sig: &Signature,
    original: &Ident,
    mode: ForwardMode,
    body: &TokenStream,
) -> (TokenStream, TokenStream) {
    let private = private_path();
    let vis = &item.vis;
    let attrs = carried_attributes(item);
    let generics = &mode.generics;
    let where_clause = &generics.where_clause;
    // Whoever uses a derivative of `f` uses `f`: no dead-code warning for it then.
    let mark_original_used = crate::check::is_monomorphic(item).then(|| quote!(let _ = #original;));
    let name = names::generated(original, mode.suffix);
    let all = names::generated(original, &format!("{}_all", mode.suffix));
    let (out_ty, out_tangent) = (&sig.output, &mode.output_tangent);
    let all_params = sig.params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        let mutability = p.mutable.then(|| quote!(mut));
        let dot = names::tangent(ident);
        let tangent_ty =
            (mode.tangent_type)(p).unwrap_or_else(|| quote!(impl ::core::marker::Sized));
        quote!(#mutability #ident: #ty, #mutability #dot: #tangent_ty)
    });
    let params = sig.params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        let tangent = p.in_wrt.then(|| (mode.tangent_type)(p)).flatten().map(|t| {
            let dot = names::tangent(ident);
            quote!(, #dot: #t)
        });
        quote!(#ident: #ty #tangent)
    });
    // Parameters outside `wrt` vary not at all: their tangents are zero.
    let zeros = sig
        .params
        .iter()
        .filter(|p| !p.in_wrt)
        .map(|p| (mode.zero)(p));
    let args = sig.params.iter().map(|p| {
        let ident = &p.ident;
        if (mode.tangent_type)(p).is_some() {
            let dot = names::tangent(ident);
            quote!(#ident, #dot)
        } else {
            quote!(#ident, #private::NoTangent)
        }
    });
    let (output, call) = if sig.returns_unit {
        (TokenStream::new(), quote!(#all(#(#args,)*);))
    } else {
        (quote!(-> (#out_ty, #out_tangent)), quote!(#all(#(#args,)*)))
    };
    let (doc, doc_all) = (&mode.doc, &mode.doc_all);
    let all_function = quote! {
        #[doc = #doc_all]
        #[doc(hidden)]
        #(#attrs)*
        #[allow(dead_code, unused_mut, unused_variables, unused_assignments, unused_parens, unreachable_code, clippy::all)]
        #vis fn #all #generics (#(#all_params,)*) -> (#out_ty, #out_tangent) #where_clause {
            #mark_original_used
            #body
        }
    };
    let public_function = quote! {
        #[doc = #doc]
        #(#attrs)*
        #[allow(dead_code, unused_mut, unused_variables, clippy::all)]
        #vis fn #name #generics (#(#params,)*) #output #where_clause {
            #(#zeros)*
            #call
        }
    };
    (all_function, public_function)
}
