//! Second order, `#[differentiate(hessian)]`: `f_hvp` (a Hessian-vector product) and
//! `f_hessian`, by forward over reverse.
//!
//! The generated pullback is copied with every `f64` (`f32`) made a `Dual<f64>`
//! (`Dual<f32>`): float types, float literals, `as` casts and `f64::method` paths are
//! rewritten, the rest is kept (`stop_gradient` drops dual tangents by itself). Run on inputs `x + ε·v`, that
//! hidden `f_dual_pullback` returns `∇f(x) + ε·H(x)·v`: the derivative rules are generic
//! over `Real`, so the reverse sweep runs on dual numbers unchanged. `f_hvp` seeds the
//! tangents with `v` and keeps the tangent parts of the gradient; `f_hessian` calls it once
//! per input. Calls to other `hessian` functions go to their `_dual_value` (forward sweep)
//! and `_dual_pullback` (reverse sweep), which every `hessian` function generates, also
//! one returning `()` (then without `f_hvp`); one returning a buffer leaves a stub whose
//! unsatisfiable bound explains that it cannot be called yet.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Ident, ItemFn, Token, Type};

use crate::args::Args;
use crate::check::{float_kind, Param, Signature};
use crate::expand::private_path;
use crate::names;
use crate::params::{BufferForm, ParamKind};

/// `f_dual_pullback` (hidden), `f_hvp` and `f_hessian` for a function with `hessian` among
/// its options; nothing without it. `pullback_body` is the first-order pullback's body, `None`
/// after an error (then the functions are stubs, so that uses of them report no more errors).
pub fn generate(
    item: &ItemFn,
    sig: &Signature,
    args: &Args,
    pullback_body: Option<&TokenStream>,
) -> TokenStream {
    let Some(option) = &args.hessian else {
        return TokenStream::new();
    };
    if sig.has_receiver {
        return TokenStream::new();
    }
    let mut errors: Vec<syn::Error> = Vec::new();
    let element = float_kind(&sig.output);
    // `f_hvp` and `f_hessian` for a float result; for `()` or a buffer, only the hidden
    // functions that callers with `hessian` use.
    let scalar = element.is_some() && !sig.returns_unit && sig.returns_buffer.is_none();
    if !args.modes().reverse {
        errors.push(syn::Error::new_spanned(
            option,
            "`hessian` is computed from the reverse mode, which `#[differentiate(forward)]` does \
             not generate; remove `forward`",
        ));
    }
    if sig.has_values() || crate::check::body_mentions_nalgebra(item) {
        errors.push(syn::Error::new_spanned(
            option,
            "`hessian` through nalgebra vectors and matrices is not supported yet; remove \
             `hessian`, or write the function over slices",
        ));
        return errors.iter().map(syn::Error::to_compile_error).collect();
    }
    for p in sig.params.iter().filter(|_| scalar) {
        if p.kind.is_in_out() {
            errors.push(syn::Error::new_spanned(
                &p.ty,
                "`hessian` does not support `&mut` parameters in a function returning a float \
                 yet; return the value instead",
            ));
        } else if p.in_wrt && p.kind.is_differentiable() && element_kind(p) != element {
            errors.push(syn::Error::new_spanned(
                &p.ty,
                "`hessian` needs every differentiated parameter to have the float type of the \
                 result (`f64` with `f64`, `f32` with `f32`); list the others outside `wrt(..)`",
            ));
        }
    }
    let element = element.unwrap_or("f64");
    let dual_pullback = match pullback_body {
        Some(body) if errors.is_empty() => match syn::parse2::<syn::Block>(quote!({ #body })) {
            Ok(mut block) => {
                let mut rewriter = Rewriter {
                    callees: called_pullbacks(&block),
                    ..Rewriter::default()
                };
                rewriter.visit_block_mut(&mut block);
                errors.extend(rewriter.errors);
                let stmts = &block.stmts;
                Some(quote!(#(#stmts)*))
            }
            Err(error) => {
                errors.push(syn::Error::new(
                    error.span(),
                    format!("internal error in `hessian`: the pullback does not parse ({error})"),
                ));
                None
            }
        },
        _ => None,
    };
    let compile_errors: TokenStream = errors.iter().map(|e| e.to_compile_error()).collect();
    let functions = functions(
        item,
        sig,
        element,
        scalar,
        dual_pullback.filter(|_| errors.is_empty()),
    );
    quote!(#compile_errors #functions)
}

/// `f64` or `f32` for a scalar or float buffer parameter.
fn element_kind(p: &Param) -> Option<&'static str> {
    match &p.kind {
        ParamKind::Scalar => float_kind(&p.ty),
        ParamKind::Buffer { element, .. } | ParamKind::Cell { element } => float_kind(element),
        // Refused with an error before this is asked.
        ParamKind::Value { .. } | ParamKind::Inactive => None,
    }
}

fn dual_type(element: &str) -> TokenStream {
    let element = Ident::new(element, Span::call_site());
    let private = private_path();
    quote!(#private::Dual<#element>)
}

/// A name for a local of the generated wrappers that cannot clash with a parameter.
fn local(base: &Ident, suffix: &str) -> Ident {
    format_ident!("{}_{}", base, suffix, span = Span::mixed_site())
}

/// A type with its float types made dual numbers.
fn dual_of(ty: &Type) -> Type {
    let mut ty = ty.clone();
    Rewriter::default().visit_type_mut(&mut ty);
    ty
}

fn functions(
    item: &ItemFn,
    sig: &Signature,
    element: &str,
    scalar: bool,
    dual_body: Option<TokenStream>,
) -> TokenStream {
    let private = private_path();
    let vis = &item.vis;
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let original = &item.sig.ident;
    let dual_pullback = names::generated(original, "dual_pullback");
    let hvp = names::generated(original, "hvp");
    let hessian = names::generated(original, "hessian");
    let element_ty = Ident::new(element, Span::call_site());
    let unimplemented = quote!(::core::unimplemented!());
    // The wrappers' own locals, which must not capture or shadow the user's parameters.
    let hygienic = |name: &str| Ident::new(name, Span::mixed_site());
    let (i, k, n, offset, rows, row, d) = (
        hygienic("i"),
        hygienic("k"),
        hygienic("n"),
        hygienic("offset"),
        hygienic("rows"),
        hygienic("row"),
        hygienic("d"),
    );
    let mark_original_used = generics
        .params
        .is_empty()
        .then(|| quote!(let _ = #original;));
    let wrt: Vec<&Param> = sig
        .params
        .iter()
        .filter(|p| p.in_wrt && p.kind.is_differentiable())
        .collect();

    // The dual pullback: the first-order pullback's signature over dual numbers, inactive
    // parameters as they are.
    let dual_params = sig.params.iter().map(|p| {
        let ident = &p.ident;
        let mutability = p.mutable.then(|| quote!(mut));
        if !p.kind.is_differentiable() {
            let ty = &p.ty;
            return quote!(#mutability #ident: #ty);
        }
        let ty = dual_of(&p.ty);
        let shadow = p.kind.shadow_type().map(|t| {
            let t: Type = syn::parse2(t).expect("a shadow type parses");
            let t = dual_of(&t);
            let s = names::adjoint(ident);
            quote!(, #s: #t)
        });
        quote!(#mutability #ident: #ty #shadow)
    });
    let cotangent_types = sig.params.iter().map(|p| match p.kind {
        ParamKind::Scalar => {
            let ty = dual_of(&p.ty);
            quote!(#ty)
        }
        _ => quote!(#private::NoTangent),
    });
    let d_out = names::d_out();
    let dual_out = dual_of(&sig.output);
    let d_out_ty = match &sig.returns_buffer {
        Some(ParamKind::Buffer {
            element,
            form: BufferForm::Slice,
            ..
        }) => quote!(&[#private::Dual<#element>]),
        Some(ParamKind::Buffer {
            element,
            form: BufferForm::Array(len),
            ..
        }) => quote!(&[#private::Dual<#element>; #len]),
        _ => quote!(#dual_out),
    };
    let dual_value = names::generated(original, "dual_value");
    // `f_dual_value`: the value over dual numbers, for the forward sweeps of callers (whose
    // reverse sweeps call `f_dual_pullback`). A function returning a buffer has none.
    let dual_value_fn = dual_body
        .as_ref()
        .filter(|_| sig.returns_buffer.is_none())
        .map(|_| {
            let zero = |element: &Type| {
                quote!(<#private::Dual<#element> as #private::num_traits::Zero>::zero())
            };
            let mut scratch = Vec::new();
            let mut args = Vec::new();
            let params = sig.params.iter().map(|p| {
                let ident = &p.ident;
                let ty = if p.kind.is_differentiable() {
                    dual_of(&p.ty)
                } else {
                    p.ty.clone()
                };
                quote!(#ident: #ty)
            });
            for p in &sig.params {
                let ident = &p.ident;
                let shadow = local(ident, "scratch");
                match &p.kind {
                    ParamKind::Buffer {
                        element,
                        form: BufferForm::Slice,
                        ..
                    } => {
                        let zero = zero(element);
                        scratch.push(quote!(let mut #shadow = ::std::vec![#zero; #ident.len()];));
                        args.push(quote!(#ident, &mut #shadow[..]));
                    }
                    ParamKind::Buffer {
                        element,
                        form: BufferForm::Array(len),
                        ..
                    } => {
                        let zero = zero(element);
                        scratch.push(quote!(let mut #shadow = [#zero; #len];));
                        args.push(quote!(#ident, &mut #shadow));
                    }
                    ParamKind::Cell { element } => {
                        let zero = zero(element);
                        scratch.push(quote!(let mut #shadow = #zero;));
                        args.push(quote!(#ident, &mut #shadow));
                    }
                    _ => args.push(quote!(#ident)),
                }
            }
            let zero_out = if sig.returns_unit {
                quote!(())
            } else {
                quote!(<#dual_out as #private::num_traits::Zero>::zero())
            };
            let doc = format!(
                "[`{original}`] over dual numbers, for callers' `#[differentiate(hessian)]`."
            );
            quote! {
                #[doc = #doc]
                #[doc(hidden)]
                #[allow(dead_code, unused_mut, unused_variables, clippy::all)]
                #vis fn #dual_value #generics (#(#params,)*) -> #dual_out #where_clause {
                    #(#scratch)*
                    #dual_pullback(#(#args,)* #zero_out).0
                }
            }
        });
    // A function returning a buffer has no `f_dual_value` yet: a stub whose bound fails with
    // a message saying so at a caller's call.
    let dual_value_fn = dual_value_fn.or_else(|| {
        let ParamKind::Buffer { element, .. } = sig.returns_buffer.as_ref()? else {
            return None;
        };
        if dual_body.is_none() || !generics.params.is_empty() || sig.params.is_empty() {
            return None;
        }
        let types: Vec<Ident> = (0..sig.params.len())
            .map(|i| format_ident!("P{}", i))
            .collect();
        let values: Vec<Ident> = (0..sig.params.len())
            .map(|i| format_ident!("p{}", i))
            .collect();
        let first = &types[0];
        let rest = &types[1..];
        Some(quote! {
            #[doc(hidden)]
            #[allow(dead_code, unused_variables, clippy::all)]
            #vis fn #dual_value<#first: #private::second_order::BufferResultCall, #(#rest),*>(
                #(#values: #types),*
            ) -> ::std::vec::Vec<#private::Dual<#element>> {
                ::core::unreachable!()
            }
        })
    });
    let dual_pullback_fn = dual_body.as_ref().map(|body| {
        let doc = format!(
            "The pullback of [`{original}`] over dual numbers, behind `{hvp}` and \
             `{hessian}`; generated by `#[differentiate(hessian)]`."
        );
        quote! {
            #dual_value_fn

            #[doc = #doc]
            #[doc(hidden)]
            #[allow(dead_code, unused_mut, unused_variables, unused_assignments, unused_parens, unreachable_code, unused_imports, clippy::all)]
            #vis fn #dual_pullback #generics (#(#dual_params,)* #d_out: #d_out_ty) -> (#dual_out, (#(#cotangent_types,)*)) #where_clause {
                use #private::num_traits::Float as _;
                use #private::second_order::{
                    DualArgKind as _, KeepKind as _, LiftKind as _, NonScalarKind as _,
                    PlainArgKind as _, ScalarKind as _,
                };
                #body
            }
        }
    });

    // `f_hvp`: each parameter in `wrt` followed by its direction, as in `f_tangent`.
    let hvp_params = sig.params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        let direction = (p.in_wrt && p.kind.is_differentiable())
            .then(|| p.kind.tangent_type(ty))
            .flatten()
            .map(|t| {
                let dot = names::tangent(ident);
                quote!(, #dot: #t)
            });
        quote!(#ident: #ty #direction)
    });
    let mut setup = Vec::new();
    let mut call_args = Vec::new();
    let mut bindings = Vec::new();
    for p in &sig.params {
        let ident = &p.ident;
        let seeded = local(ident, "seeded");
        let shadow = local(ident, "shadow");
        let dot = names::tangent(ident);
        let in_wrt = p.in_wrt;
        match &p.kind {
            ParamKind::Scalar => {
                setup.push(if in_wrt {
                    quote!(let #seeded = #private::Dual::new(#ident, #dot);)
                } else {
                    quote!(let #seeded = #private::Dual::constant(#ident);)
                });
                call_args.push(quote!(#seeded));
                bindings.push(if in_wrt { quote!(#shadow) } else { quote!(_) });
            }
            ParamKind::Buffer { element, form, .. } => {
                let seed = if in_wrt {
                    quote!(#private::Dual::new(#ident[#i], #dot[#i]))
                } else {
                    quote!(#private::Dual::constant(#ident[#i]))
                };
                let check = in_wrt.then(|| {
                    let message = format!("`{dot}` must have the length of `{ident}`");
                    quote!(::core::assert_eq!(#ident.len(), #dot.len(), #message);)
                });
                let (by_ref, is_vec) = buffer_passing(&p.ty);
                match form {
                    BufferForm::Slice => {
                        setup.push(quote! {
                            #check
                            let #seeded: ::std::vec::Vec<#private::Dual<#element>> =
                                (0..#ident.len()).map(|#i| #seed).collect();
                            let mut #shadow = ::std::vec![#private::Dual::<#element>::constant(<#element as #private::num_traits::Zero>::zero()); #ident.len()];
                        });
                        let passed = match (by_ref, is_vec) {
                            (false, _) => quote!(#seeded),
                            (true, true) => quote!(&#seeded),
                            (true, false) => quote!(&#seeded[..]),
                        };
                        call_args.push(quote!(#passed, &mut #shadow[..]));
                    }
                    BufferForm::Array(len) => {
                        setup.push(quote! {
                            let #seeded: [#private::Dual<#element>; #len] =
                                ::core::array::from_fn(|#i| #seed);
                            let mut #shadow = [#private::Dual::<#element>::constant(<#element as #private::num_traits::Zero>::zero()); #len];
                        });
                        let passed = if by_ref {
                            quote!(&#seeded)
                        } else {
                            quote!(#seeded)
                        };
                        call_args.push(quote!(#passed, &mut #shadow));
                    }
                }
                bindings.push(quote!(_));
            }
            ParamKind::Cell { .. } => {
                // Rejected above; kept well-formed for the stubs.
                call_args.push(quote!(#ident, ::core::unimplemented!()));
                bindings.push(quote!(_));
            }
            // A matrix is refused with an error before this is generated.
            ParamKind::Value { .. } | ParamKind::Inactive => {
                call_args.push(quote!(#ident));
                bindings.push(quote!(_));
            }
        }
    }
    let results: Vec<TokenStream> = wrt
        .iter()
        .map(|p| {
            let shadow = local(&p.ident, "shadow");
            match &p.kind {
                ParamKind::Buffer {
                    element,
                    form: BufferForm::Slice,
                    ..
                } => quote!(#shadow.iter().map(|#d| #d.eps).collect::<::std::vec::Vec<#element>>()),
                ParamKind::Buffer {
                    form: BufferForm::Array(_),
                    ..
                } => quote!(#shadow.map(|#d| #d.eps)),
                _ => quote!(#shadow.eps),
            }
        })
        .collect();
    let result_types: Vec<TokenStream> = wrt.iter().map(|p| p.kind.gradient_type(&p.ty)).collect();
    let hvp_ty = tuple_or_single(&result_types);
    let hvp_value = tuple_or_single(&results);
    let hvp_body = match &dual_body {
        Some(_) => quote! {
            #mark_original_used
            #(#setup)*
            let (_, (#(#bindings,)*)) = #dual_pullback(#(#call_args,)* #private::Dual::new(
                <#element_ty as #private::num_traits::One>::one(),
                <#element_ty as #private::num_traits::Zero>::zero(),
            ));
            #hvp_value
        },
        None => unimplemented.clone(),
    };

    // `f_hessian`: one Hessian-vector product per input, along the unit vectors.
    let plain_params = sig.params.iter().map(|p| {
        let (ident, ty) = (&p.ident, &p.ty);
        quote!(#ident: #ty)
    });
    let sizes = wrt.iter().map(|p| match p.kind {
        ParamKind::Scalar => quote!(1),
        _ => {
            let ident = &p.ident;
            quote!(#ident.len())
        }
    });
    let zero = quote!(<#element_ty as #private::num_traits::Zero>::zero());
    let one = quote!(<#element_ty as #private::num_traits::One>::one());
    let unit_vectors = wrt.iter().map(|p| {
        let ident = &p.ident;
        let dot = local(ident, "unit");
        match &p.kind {
            ParamKind::Buffer {
                form: BufferForm::Slice,
                ..
            } => quote! {
                let #dot: ::std::vec::Vec<#element_ty> =
                    (0..#ident.len()).map(|#i| if #k == #offset + #i { #one } else { #zero }).collect();
                #offset += #ident.len();
            },
            ParamKind::Buffer {
                form: BufferForm::Array(len),
                ..
            } => quote! {
                let #dot: [#element_ty; #len] =
                    ::core::array::from_fn(|#i| if #k == #offset + #i { #one } else { #zero });
                #offset += #ident.len();
            },
            _ => quote! {
                let #dot: #element_ty = if #k == #offset { #one } else { #zero };
                #offset += 1;
            },
        }
    });
    let hvp_args = sig.params.iter().map(|p| {
        let ident = &p.ident;
        // `&mut` (inactive) parameters are reborrowed: each product runs the function again.
        let value = match &p.ty {
            Type::Reference(r) if r.mutability.is_some() => quote!(&mut *#ident),
            _ => quote!(::core::clone::Clone::clone(&#ident)),
        };
        if !(p.in_wrt && p.kind.is_differentiable()) {
            return value;
        }
        let dot = local(ident, "unit");
        match &p.kind {
            ParamKind::Buffer {
                form: BufferForm::Slice,
                ..
            } => quote!(#value, &#dot[..]),
            ParamKind::Buffer { .. } => quote!(#value, &#dot),
            _ => quote!(#value, #dot),
        }
    });
    let parts: Vec<Ident> = wrt.iter().map(|p| local(&p.ident, "hv")).collect();
    let parts_pattern = match parts.as_slice() {
        [single] => quote!(#single),
        several => quote!((#(#several,)*)),
    };
    let columns = wrt.iter().zip(&parts).map(|(p, part)| match p.kind {
        ParamKind::Scalar => quote!(#row.push(#part);),
        _ => quote!(#row.extend_from_slice(&#part[..]);),
    });
    let hessian_body = match &dual_body {
        Some(_) => quote! {
            let #n: usize = 0 #(+ #sizes)*;
            let mut #rows = ::std::vec::Vec::with_capacity(#n);
            for #k in 0..#n {
                let mut #offset: usize = 0;
                #(#unit_vectors)*
                let #parts_pattern = #hvp(#(#hvp_args,)*);
                let mut #row = ::std::vec::Vec::with_capacity(#n);
                #(#columns)*
                #rows.push(#row);
            }
            ::autodiff::nalgebra::DMatrix::from_fn(#n, #n, |r, c| #rows[r][c])
        },
        None => unimplemented,
    };

    let wrt_list = wrt
        .iter()
        .map(|p| format!("`{}`", p.ident))
        .collect::<Vec<_>>()
        .join(", ");
    let doc_hvp = format!(
        "Hessian-vector product of [`{original}`], generated by `#[differentiate(hessian)]`: \
         each parameter in {wrt_list} is followed by its component of the direction `v` (a \
         slice of the same length for a buffer), and the result is `H·v`, the derivative of \
         the gradient along `v`, shaped like `{original}_grad`'s result.\n\n\
         Forward over reverse: the reverse sweep runs once on dual numbers seeded with `v`, \
         at a small constant times the cost of `{original}_grad`. The branches and loop trips \
         taken are those at the given point, as for the gradient.\n\n\
         # Panics\n\nIf a buffer's direction has another length than the buffer."
    );
    let doc_hessian = format!(
        "Hessian of [`{original}`] with respect to {wrt_list}, generated by \
         `#[differentiate(hessian)]`: an `n × n` nalgebra `DMatrix`, the inputs flattened in \
         parameter order (scalars as one entry, buffers element by element). Row `k` is \
         `{hvp}` along the `k`-th unit vector, so `n` forward-over-reverse sweeps; the result \
         is symmetric up to rounding."
    );
    let attrs: Vec<&syn::Attribute> = item
        .attrs
        .iter()
        .filter(|a| {
            ["cfg", "cfg_attr", "allow", "deprecated", "inline"]
                .iter()
                .any(|n| a.path().is_ident(n))
        })
        .collect();
    if !scalar {
        return quote!(#dual_pullback_fn);
    }
    let tokens = quote! {
        #dual_pullback_fn

        #[doc = #doc_hvp]
        #(#attrs)*
        #[allow(dead_code, unused_mut, unused_variables, clippy::all)]
        #vis fn #hvp #generics (#(#hvp_params,)*) -> #hvp_ty #where_clause {
            #hvp_body
        }

        #[doc = #doc_hessian]
        #(#attrs)*
        #[allow(dead_code, unused_mut, unused_variables, clippy::all)]
        #vis fn #hessian #generics (#(#plain_params,)*) -> ::autodiff::nalgebra::DMatrix<#element_ty> #where_clause {
            #hessian_body
        }
    };
    tokens
}

/// The paths of the `#[differentiate]` functions `block` calls: those whose pullback it
/// calls (`g` for `g_pullback(..)`).
fn called_pullbacks(block: &syn::Block) -> Vec<String> {
    struct Finder(Vec<String>);
    impl<'a> syn::visit::Visit<'a> for Finder {
        fn visit_expr_call(&mut self, call: &'a syn::ExprCall) {
            if let Expr::Path(p) = &*call.func {
                let printed = quote!(#p).to_string();
                if let Some(callee) = printed.strip_suffix("_pullback") {
                    if !self.0.iter().any(|c| c == callee) {
                        self.0.push(callee.to_owned());
                    }
                }
            }
            syn::visit::visit_expr_call(self, call);
        }
    }
    let mut finder = Finder(Vec::new());
    syn::visit::Visit::visit_block(&mut finder, block);
    finder.0
}

/// Whether a buffer parameter is passed by reference, and whether as a `Vec`.
fn buffer_passing(ty: &Type) -> (bool, bool) {
    let (inner, by_ref) = match ty {
        Type::Reference(r) => (&*r.elem, true),
        other => (other, false),
    };
    (by_ref, matches!(inner, Type::Path(_)))
}

/// A tuple of `items`, or the item itself when there is exactly one.
fn tuple_or_single(items: &[TokenStream]) -> TokenStream {
    match items {
        [single] => single.clone(),
        items => quote!((#(#items,)*)),
    }
}

/// The float methods whose arguments are numbers: a plain float among them (a `const`)
/// is lifted to a dual number, since `Float`'s methods take `Self`.
const FLOAT_METHODS_WITH_ARGUMENTS: &[&str] = &[
    "atan2", "hypot", "powf", "powi", "log", "max", "min", "mul_add", "clamp", "copysign",
    "abs_sub",
];

/// A `const` or `static` by the naming convention: `LIMIT`, `XS`, `N`.
fn is_constant_path(expr: &Expr) -> bool {
    match expr {
        Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let name = p.path.segments[0].ident.to_string();
            name.chars().any(|c| c.is_ascii_uppercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }
        _ => false,
    }
}

/// A value read from outside the function, which the dual copy lifts to dual numbers: a
/// constant, a named field (of an inactive parameter: fields of active values are rejected),
/// or an element of either.
fn is_outside_value(expr: &Expr) -> bool {
    match expr {
        // A named field; tuple fields (`pair.0`) are the function's own values.
        Expr::Field(field) => matches!(field.member, syn::Member::Named(_)),
        Expr::Index(index) => {
            (is_constant_path(&index.expr)
                || matches!(&*index.expr, Expr::Field(f) if matches!(f.member, syn::Member::Named(_))))
                && !matches!(&*index.index, Expr::Range(_))
        }
        other => is_constant_path(other),
    }
}

/// Whether `path` names a helper function as the user writes it: `helper`, `module::helper`
/// (not `::core::..` as the generated code writes it, not a constructor or an associated
/// function such as `Some` or `Vec::new`).
fn is_helper_path(path: &syn::Path) -> bool {
    let lowercase = |s: &syn::PathSegment| {
        s.ident
            .to_string()
            .trim_start_matches("r#")
            .starts_with(|c: char| c.is_lowercase() || c == '_')
    };
    let segments: Vec<&syn::PathSegment> = path.segments.iter().collect();
    path.leading_colon.is_none()
        && !matches!(
            segments[0].ident.to_string().as_str(),
            "f64" | "f32" | "Self"
        )
        && segments.iter().all(|s| lowercase(s))
}

/// Whether `path` is `::autodiff::..`, the runtime the generated code calls.
fn is_runtime_path(path: &syn::Path) -> bool {
    path.leading_colon.is_some() && path.segments.first().is_some_and(|s| s.ident == "autodiff")
}

/// Rewrites a pullback (or a type) from floats to dual numbers.
#[derive(Default)]
struct Rewriter {
    errors: Vec<syn::Error>,
    /// The `#[differentiate]` functions the body calls, as their paths print: their calls
    /// become calls of `_dual_value` (forward sweep) and `_dual_pullback` (reverse sweep).
    callees: Vec<String>,
    /// The expression being visited is a method receiver, an index base or a borrowed
    /// place: it stays as it is, even if it is a value from outside.
    in_place: bool,
}
impl Rewriter {
    /// Visits `expr` as a place (a receiver, an index base, a borrow), not lifted itself.
    fn visit_place(&mut self, expr: &mut Expr) {
        self.in_place = true;
        self.visit_expr_mut(expr);
        self.in_place = false;
    }

    /// `vec![..]`'s elements, which `syn` leaves as tokens.
    fn rewrite_vec(&mut self, mac: &mut syn::Macro) {
        let repeat = mac.parse_body_with(|input: syn::parse::ParseStream| {
            let value: Expr = input.parse()?;
            input.parse::<Token![;]>()?;
            let count: Expr = input.parse()?;
            Ok((value, count))
        });
        if let Ok((mut value, mut count)) = repeat {
            self.visit_expr_mut(&mut value);
            self.visit_expr_mut(&mut count);
            mac.tokens = quote!(#value; #count);
            return;
        }
        if let Ok(items) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            let mut items: Vec<Expr> = items.into_iter().collect();
            for item in &mut items {
                self.visit_expr_mut(item);
            }
            mac.tokens = quote!(#(#items),*);
        }
    }
}

impl VisitMut for Rewriter {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Some(kind) = float_kind(ty) {
            let dual = dual_type(kind);
            *ty = syn::parse2(dual).expect("a dual type parses");
            return;
        }
        if let Type::Array(array) = ty {
            // The length is a constant expression: kept as written.
            self.visit_type_mut(&mut array.elem);
            return;
        }
        visit_mut::visit_type_mut(self, ty);
    }

    fn visit_generic_argument_mut(&mut self, argument: &mut syn::GenericArgument) {
        // Const arguments (`::<N>`) are kept as written.
        if !matches!(argument, syn::GenericArgument::Const(_)) {
            visit_mut::visit_generic_argument_mut(self, argument);
        }
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        let private = private_path();
        let in_place = std::mem::take(&mut self.in_place);
        if !in_place && is_outside_value(expr) {
            self.visit_place(expr);
            let r = Ident::new("place", Span::mixed_site());
            *expr = syn::parse_quote!({
                let #r = &#expr;
                #r.__lift_kind().place(#r)
            });
            return;
        }
        match expr {
            Expr::MethodCall(call) => {
                self.visit_place(&mut call.receiver);
                let lifted = FLOAT_METHODS_WITH_ARGUMENTS
                    .iter()
                    .any(|m| call.method == m);
                for arg in &mut call.args {
                    self.visit_expr_mut(arg);
                    if lifted {
                        *arg = syn::parse_quote!(#private::second_order::lift(&#arg));
                    }
                }
            }
            Expr::Index(index) => {
                self.visit_place(&mut index.expr);
                self.visit_expr_mut(&mut index.index);
            }
            Expr::Reference(reference) => self.visit_place(&mut reference.expr),
            Expr::Field(field) => self.visit_place(&mut field.base),
            Expr::Repeat(repeat) => {
                // The length is a constant expression: kept as written.
                self.visit_expr_mut(&mut repeat.expr);
            }
            Expr::Cast(cast) => {
                self.visit_expr_mut(&mut cast.expr);
                let value = &cast.expr;
                let span = cast.as_token.span;
                *expr = match float_kind(&cast.ty) {
                    Some(kind) => {
                        let dual = dual_type(kind);
                        syn::parse_quote_spanned!(span=> #private::second_order::dual_cast::<#dual, _>(#value))
                    }
                    None => {
                        let ty = &cast.ty;
                        syn::parse_quote_spanned!(span=> (#private::second_order::primal(#value) as #ty))
                    }
                };
            }
            Expr::Lit(lit) if matches!(lit.lit, syn::Lit::Float(_)) => {
                let lit = lit.clone();
                *expr = syn::parse_quote!(#private::Dual::constant(#lit));
            }
            Expr::Path(path)
                if path.qself.is_none()
                    && path.path.leading_colon.is_none()
                    && path.path.segments.len() >= 2
                    && matches!(
                        path.path.segments[0].ident.to_string().as_str(),
                        "f64" | "f32"
                    ) =>
            {
                let kind = path.path.segments[0].ident.to_string();
                let last = path
                    .path
                    .segments
                    .last()
                    .expect("two segments")
                    .ident
                    .to_string();
                if last.starts_with(|c: char| c.is_lowercase()) {
                    // `f64::sin` → `<Dual<f64>>::sin`.
                    let dual = dual_type(&kind);
                    let rest: Vec<_> = path.path.segments.iter().skip(1).collect();
                    *expr = syn::parse_quote!(<#dual>::#(#rest)::*);
                } else {
                    // `f64::MAX`, `f64::consts::PI`: a constant.
                    let constant = path.clone();
                    *expr = syn::parse_quote!(#private::Dual::constant(#constant));
                }
            }
            Expr::Call(call) => {
                let path = match &*call.func {
                    Expr::Path(p) if p.qself.is_none() => Some(p.path.clone()),
                    _ => None,
                };
                let name = path
                    .as_ref()
                    .and_then(|p| p.segments.last().map(|s| s.ident.clone()));
                let float_path = path.as_ref().is_some_and(|p| {
                    p.leading_colon.is_none()
                        && p.segments.len() >= 2
                        && matches!(p.segments[0].ident.to_string().as_str(), "f64" | "f32")
                });
                // `::autodiff::__private::method_rule!(min)(&x, &LIMIT, &g)`.
                let rule_name = match &*call.func {
                    Expr::Macro(m)
                        if is_runtime_path(&m.mac.path)
                            && m.mac
                                .path
                                .segments
                                .last()
                                .is_some_and(|s| s.ident == "method_rule") =>
                    {
                        syn::parse2::<Ident>(m.mac.tokens.clone()).ok()
                    }
                    _ => None,
                };
                let runtime = path.as_ref().is_some_and(is_runtime_path) || rule_name.is_some();
                let is_stop = name.as_ref().is_some_and(|n| n == "stop_gradient");
                // A call of a `#[differentiate]` function: its dual forms.
                if let Some(path) = path.as_ref() {
                    let printed = quote!(#path).to_string();
                    let pullback = printed.ends_with("_pullback");
                    if pullback || self.callees.contains(&printed) {
                        let mut renamed = path.clone();
                        let last = renamed.segments.last_mut().expect("a path has a segment");
                        let callee = last.ident.to_string();
                        let callee = callee.trim_end_matches("_pullback");
                        let suffix = if pullback {
                            "dual_pullback"
                        } else {
                            "dual_value"
                        };
                        last.ident =
                            format_ident!("{}_{}", callee, suffix, span = last.ident.span());
                        *call.func = syn::parse_quote!(#renamed);
                        for arg in &mut call.args {
                            self.visit_expr_mut(arg);
                        }
                        return;
                    }
                }
                if path.as_ref().is_some_and(is_helper_path) && !is_stop {
                    // A helper called without derivatives (else it would be a call to a
                    // `#[differentiate]` function, or under `stop_gradient`): it gets the
                    // values of dual arguments, and a float result becomes a constant.
                    let v = Ident::new("value", Span::mixed_site());
                    for arg in &mut call.args {
                        self.visit_expr_mut(arg);
                        *arg = syn::parse_quote!(match #arg { #v => (&#v).__arg_kind().value(#v) });
                    }
                    let call = call.clone();
                    *expr =
                        syn::parse_quote!(match #call { #v => (&#v).__scalar_kind().value(#v) });
                    return;
                }
                if !(runtime || float_path || is_stop) {
                    // A constructor (`Some(..)`, `Vec::new()`), or a path of the standard library
                    // the generated code writes out: rewritten like the rest.
                    visit_mut::visit_expr_call_mut(self, call);
                    return;
                }
                // A method rule (`rules::methods::max(&x, &LIMIT, &g)`) takes operands of one
                // type: a plain float among them is lifted, as in the method call itself.
                let method_rule = rule_name
                    .as_ref()
                    .is_some_and(|n| FLOAT_METHODS_WITH_ARGUMENTS.iter().any(|m| n == m));
                let from = float_path && name.as_ref().is_some_and(|n| n == "from");
                for arg in &mut call.args {
                    self.visit_expr_mut(arg);
                    if method_rule {
                        *arg = syn::parse_quote!(&#private::second_order::lift(#arg));
                    } else if float_path && !from {
                        *arg = syn::parse_quote!(#private::second_order::lift(&#arg));
                    }
                }
                if from {
                    let kind = &path.as_ref().expect("a float path").segments[0].ident;
                    let dual = dual_type(&kind.to_string());
                    *call.func = syn::parse_quote!(#private::second_order::dual_cast::<#dual, _>);
                    return;
                }
                // `stop_gradient` drops the tangents of dual numbers itself.
                if !is_stop {
                    self.visit_expr_mut(&mut call.func);
                }
            }
            Expr::Macro(mac)
                if mac
                    .mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "vec") =>
            {
                self.rewrite_vec(&mut mac.mac);
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }
}
