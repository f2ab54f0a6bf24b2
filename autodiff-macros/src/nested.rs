//! Derivatives of `f_grad` and `f_tangent`, so that a `#[differentiate]` function can call
//! them: an update `x − η ∇f(x)` inside a function differentiated again, an inner
//! optimization whose result an outer one differentiates (nested derivatives, as JAX's
//! `grad(grad(f))`).
//!
//! A caller treats `f_grad` like any function it calls, so `f_grad` needs the forms every
//! differentiated function has: `f_grad_pullback` for the caller's reverse sweep and
//! `f_grad_tangent_all` for its forward mode. A caller destructures `f_tangent`'s pair,
//! `let (value, slope) = f_tangent(..)`, which it lowers to calls of `f_tangent_value` and
//! `f_tangent_slope` (one float each), with such forms too. All of them run the dual
//! pullback of `f` (the one behind `f_hvp`) seeded with a direction: its real parts are the
//! gradient, its tangent parts the Hessian times the direction. The pullback of the
//! gradient is `(∂∇f/∂x)ᵀ ḡ = H ḡ`, since the Hessian is symmetric; the slope `∇f·v` has
//! `H v` for its derivative in x and `∇f` in v. Parameters outside `wrt` get their block of
//! the Hessian-vector products too.
//!
//! There is no third order: these functions' `_second_order` traits have no
//! implementation and their dual forms are unreachable stand-ins, so a caller's own `f_hvp`
//! cannot be called. Generated for a float-valued function with a second order whose
//! parameters are floats, slices of floats (`&[f64]`), or inactive references and
//! primitives (which the forms pass more than once); `f_grad`'s forms need
//! exactly one parameter in `wrt`, so that it returns a float or a `Vec`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, ItemFn, Type};

use crate::args::Args;
use crate::check::{self, Errors, Signature};
use crate::expand::private_path;
use crate::names;
use crate::params::{BufferForm, ParamKind};
use crate::second_order::{self, Missing};

/// A parameter of `f_grad` or of a projection of `f_tangent`, as its forms take it.
struct Arg {
    ident: Ident,
    ty: Type,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Float,
    Slice,
    Inactive,
}

/// The forms of `f_grad`, `f_tangent_value` and `f_tangent_slope` (see the module docs);
/// nothing for a function outside their reach. `bound` is `f_hvp`'s, if any: the forms
/// reach the same dual copy.
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
    let Some(params) = sig
        .params
        .iter()
        .map(|p| {
            let kind = match &p.kind {
                ParamKind::Scalar => Kind::Float,
                ParamKind::Buffer {
                    form: BufferForm::Slice,
                    mutable: false,
                    ..
                } if matches!(&p.ty, Type::Reference(r) if matches!(&*r.elem, Type::Slice(_))) => {
                    Kind::Slice
                }
                // The forms pass inactive parameters more than once.
                kind if !kind.is_differentiable() && second_order::clonable(p) => Kind::Inactive,
                _ => return None,
            };
            Some(Arg {
                ident: p.ident.clone(),
                ty: p.ty.clone(),
                kind,
            })
        })
        .collect::<Option<Vec<Arg>>>()
    else {
        return TokenStream::new();
    };
    let context = Context {
        item,
        private: private_path(),
        element: Ident::new(element, Span::call_site()),
        dual_pullback: names::generated(&item.sig.ident, "dual_pullback"),
        params: &params,
        bound,
    };
    let wrt: Vec<bool> = sig
        .params
        .iter()
        .map(|p| p.in_wrt && p.kind.is_differentiable())
        .collect();
    let grad = (wrt.iter().filter(|w| **w).count() == 1).then(|| {
        let name = args
            .grad
            .clone()
            .unwrap_or_else(|| names::generated(&item.sig.ident, "grad"));
        context.grad_forms(&name, wrt.iter().position(|w| *w).expect("one"))
    });
    let tangent = args.modes().forward.then(|| context.tangent_forms(&wrt));
    quote!(#grad #tangent)
}

struct Context<'a> {
    item: &'a ItemFn,
    private: TokenStream,
    element: Ident,
    dual_pullback: Ident,
    params: &'a [Arg],
    bound: Option<&'a TokenStream>,
}

impl Context<'_> {
    fn zero(&self) -> TokenStream {
        let (private, element) = (&self.private, &self.element);
        quote!(<#element as #private::num_traits::Zero>::zero())
    }

    /// One sweep of the dual pullback at the parameters, each differentiable one seeded
    /// with the tangent `direction` gives it (an expression of `i` for a slice), zero if
    /// none. Binds `<param>_shadow`: real parts the gradient, tangent parts `H` times the
    /// direction.
    fn sweep(&self, direction: &dyn Fn(usize, &Arg) -> Option<TokenStream>) -> TokenStream {
        let (private, element) = (&self.private, &self.element);
        let one = quote!(<#element as #private::num_traits::One>::one());
        let i = index();
        let mut setup = Vec::new();
        let mut call_args = Vec::new();
        let mut bindings = Vec::new();
        for (position, p) in self.params.iter().enumerate() {
            let ident = &p.ident;
            let seeded = second_order::local(ident, "seeded");
            let shadow = shadow(ident);
            let tangent = direction(position, p).unwrap_or_else(|| self.zero());
            match p.kind {
                Kind::Float => {
                    setup.push(quote!(let #seeded = #private::Dual::new(#ident, #tangent);));
                    call_args.push(quote!(#seeded));
                    bindings.push(quote!(#shadow));
                }
                Kind::Slice => {
                    let zero = self.zero();
                    setup.push(quote! {
                        let #seeded: ::std::vec::Vec<#private::Dual<#element>> = (0..#ident.len())
                            .map(|#i| #private::Dual::new(#ident[#i], #tangent))
                            .collect();
                        let mut #shadow = ::std::vec![#private::Dual::constant(#zero); #ident.len()];
                    });
                    call_args.push(quote!(&#seeded[..], &mut #shadow[..]));
                    bindings.push(quote!(_));
                }
                Kind::Inactive => {
                    call_args.push(quote!(#ident));
                    bindings.push(quote!(_));
                }
            }
        }
        let dual_pullback = &self.dual_pullback;
        let zero = self.zero();
        quote! {
            #(#setup)*
            let (_, (#(#bindings,)*)) =
                #dual_pullback(#(#call_args,)* #private::Dual::new(#one, #zero));
        }
    }

    /// `name_pullback` and `name_tangent_all` of a function `name(args) -> E` (or `Vec<E>`
    /// for `returns_slice`), with `pullback_body` ending in `(value, (cotangents))` and
    /// `tangent_body` in `(value, tangent)`, and the trait and stand-ins of its missing
    /// second order.
    #[allow(clippy::too_many_arguments)]
    fn forms(
        &self,
        name: &Ident,
        args: &[Arg],
        returns_slice: bool,
        pullback_body: TokenStream,
        tangent_body: TokenStream,
        missing: Missing,
        doc: &str,
    ) -> TokenStream {
        let (private, element) = (&self.private, &self.element);
        let vis = &self.item.vis;
        let pullback = names::generated(name, "pullback");
        let tangent_all = names::generated(name, "tangent_all");
        let d_out = names::d_out();
        let (value_ty, d_out_ty) = if returns_slice {
            (
                quote!(::std::vec::Vec<#element>),
                quote!(impl ::core::convert::AsRef<[#element]>),
            )
        } else {
            (quote!(#element), quote!(#element))
        };
        let pullback_params = args.iter().map(|a| {
            let (ident, ty) = (&a.ident, &a.ty);
            match a.kind {
                Kind::Slice => {
                    let bar = names::adjoint(ident);
                    quote!(#ident: #ty, #bar: &mut [#element])
                }
                _ => quote!(#ident: #ty),
            }
        });
        let cotangent_types = args.iter().map(|a| match a.kind {
            Kind::Float => quote!(#element),
            _ => quote!(#private::NoTangent),
        });
        let tangent_params = args.iter().map(|a| {
            let (ident, ty) = (&a.ident, &a.ty);
            let dot = names::tangent(ident);
            match a.kind {
                Kind::Inactive => quote!(#ident: #ty, #dot: impl ::core::marker::Sized),
                _ => quote!(#ident: #ty, #dot: #ty),
            }
        });
        let where_clause = self.bound.map(|b| quote!(where #b));
        let doc_pullback = format!(
            "The pullback of {doc}, for callers that differentiate through it; generated by \
             `#[differentiate]`."
        );
        let doc_tangent = format!(
            "The forward mode of {doc}, for callers that differentiate through it; \
             generated by `#[differentiate]`."
        );
        // What a caller's second order looks for: a trait without implementation, and
        // stand-ins with the signatures the dual forms would have.
        let item = ItemFn {
            attrs: Vec::new(),
            sig: syn::Signature {
                ident: name.clone(),
                inputs: args
                    .iter()
                    .map(|a| -> syn::FnArg {
                        let (ident, ty) = (&a.ident, &a.ty);
                        syn::parse_quote!(#ident: #ty)
                    })
                    .collect(),
                output: syn::parse_quote!(-> #value_ty),
                ..self.item.sig.clone()
            },
            ..self.item.clone()
        };
        let mut scratch = Errors::default();
        let sig = check::signature(&item, &Args::default(), &mut scratch);
        let stand_ins = scratch
            .is_empty()
            .then(|| second_order::without_second_order(&item, &sig, missing));
        // These forms read their arguments and write none.
        let facts = crate::expand::argument_facts(&item, &vec![[false, true]; args.len()]);
        // Callers' pullbacks call `_record` (`split.rs`): here, the form and its pullback.
        let record = scratch.is_empty().then(|| {
            let names = crate::wrappers::Names::new(name, &Args::default());
            crate::split::record_function(&item, &sig, &names, Some(None), self.bound)
        });
        quote! {
            #[doc = #doc_pullback]
            #[doc(hidden)]
            #[inline]
            #[allow(dead_code, unused_mut, unused_variables, clippy::all)]
            #vis fn #pullback(#(#pullback_params,)* #d_out: #d_out_ty)
                -> (#value_ty, (#(#cotangent_types,)*)) #where_clause {
                #pullback_body
            }

            #[doc = #doc_tangent]
            #[doc(hidden)]
            #[inline]
            #[allow(dead_code, unused_mut, unused_variables, clippy::all)]
            #vis fn #tangent_all(#(#tangent_params,)*) -> (#value_ty, #value_ty) #where_clause {
                #tangent_body
            }

            #stand_ins
            #facts
            #record
        }
    }

    /// `f_grad`'s forms, `target` the position of the parameter in `wrt`.
    fn grad_forms(&self, grad: &Ident, target: usize) -> TokenStream {
        let private = &self.private;
        let (i, d) = (index(), Ident::new("d", Span::mixed_site()));
        let d_out = names::d_out();
        let element = &self.element;
        let target_arg = &self.params[target];
        let returns_slice = target_arg.kind == Kind::Slice;
        let target_shadow = shadow(&target_arg.ident);
        let (gradient, gradient_tangent) = if returns_slice {
            (
                quote!(#target_shadow.iter().map(|#d| #d.re).collect::<::std::vec::Vec<#element>>()),
                quote!(#target_shadow.iter().map(|#d| #d.eps).collect::<::std::vec::Vec<#element>>()),
            )
        } else {
            (quote!(#target_shadow.re), quote!(#target_shadow.eps))
        };
        // Seeded with the gradient's cotangent on the target, H·ḡ is added into the slices'
        // shadows and returned for the floats.
        let pullback_sweep = self.sweep(&|position, _| {
            (position == target).then(|| {
                if returns_slice {
                    quote!(#private::cotangent_slice(&#d_out)[#i])
                } else {
                    quote!(#d_out)
                }
            })
        });
        let accumulate = self
            .params
            .iter()
            .filter(|p| p.kind == Kind::Slice)
            .map(|p| {
                let (bar, shadow) = (names::adjoint(&p.ident), shadow(&p.ident));
                quote! {
                    for (#i, #d) in #shadow.iter().enumerate() {
                        #bar[#i] += #d.eps;
                    }
                }
            });
        let cotangents = self.params.iter().map(|p| match p.kind {
            Kind::Float => {
                let shadow = shadow(&p.ident);
                quote!(#shadow.eps)
            }
            _ => quote!(#private::NoTangent),
        });
        // Seeded with the parameters' tangents, the target's tangent parts are H·ẋ.
        let tangent_sweep = self.sweep(&|_, p| {
            let dot = names::tangent(&p.ident);
            match p.kind {
                Kind::Float => Some(quote!(#dot)),
                Kind::Slice => Some(quote!(#dot[#i])),
                Kind::Inactive => None,
            }
        });
        let original = &self.item.sig.ident;
        self.forms(
            grad,
            self.params,
            returns_slice,
            quote! {
                #pullback_sweep
                #(#accumulate)*
                (#gradient, (#(#cotangents,)*))
            },
            quote! {
                #tangent_sweep
                (#gradient, #gradient_tangent)
            },
            Missing::ThirdOrder,
            &format!("[`{grad}`] (the gradient of [`{original}`])"),
        )
    }

    /// The forms of `f_tangent_value` and `f_tangent_slope`, the two parts of
    /// `f_tangent(args)`: the parameters, each in `wrt` followed by its direction.
    fn tangent_forms(&self, wrt: &[bool]) -> TokenStream {
        let private = &self.private;
        let element = &self.element;
        let (i, d, w) = (
            index(),
            Ident::new("d", Span::mixed_site()),
            Ident::new("w", Span::mixed_site()),
        );
        let value_binding = Ident::new("value", Span::mixed_site());
        let d_out = names::d_out();
        let original = &self.item.sig.ident;
        let tangent = names::generated(original, "tangent");
        let value_name = names::generated(&tangent, "value");
        let slope_name = names::generated(&tangent, "slope");
        let pullback = names::generated(original, "pullback");
        let tangent_all = names::generated(original, "tangent_all");
        let direction = |p: &Arg| second_order::local(&p.ident, "direction");
        let mut args = Vec::new();
        for (p, in_wrt) in self.params.iter().zip(wrt) {
            args.push(Arg {
                ident: p.ident.clone(),
                ty: p.ty.clone(),
                kind: p.kind,
            });
            if *in_wrt {
                args.push(Arg {
                    ident: direction(p),
                    ty: p.ty.clone(),
                    kind: p.kind,
                });
            }
        }
        let call_args: Vec<TokenStream> = args
            .iter()
            .map(|a| {
                let ident = &a.ident;
                quote!(#ident)
            })
            .collect();

        // The value: `f` itself, whose pullback and forward mode are the first-order ones;
        // the directions do not enter it.
        let cots: Vec<Ident> = self
            .params
            .iter()
            .map(|p| second_order::local(&p.ident, "cotangent"))
            .collect();
        let pullback_args = self.params.iter().map(|p| {
            let ident = &p.ident;
            match p.kind {
                Kind::Slice => {
                    let bar = names::adjoint(ident);
                    quote!(#ident, &mut *#bar)
                }
                _ => quote!(#ident),
            }
        });
        let value_cotangents = self
            .params
            .iter()
            .zip(wrt)
            .zip(&cots)
            .flat_map(|((p, w), c)| {
                let own = quote!(#c);
                let of_direction = match p.kind {
                    Kind::Float => self.zero(),
                    _ => quote!(#private::NoTangent),
                };
                std::iter::once(own).chain(w.then_some(of_direction))
            });
        let tangent_all_args = self.params.iter().map(|p| {
            let (ident, dot) = (&p.ident, names::tangent(&p.ident));
            match p.kind {
                Kind::Inactive => quote!(#ident, #private::NoTangent),
                _ => quote!(#ident, #dot),
            }
        });
        let value = self.forms(
            &value_name,
            &args,
            false,
            quote! {
                let (#value_binding, (#(#cots,)*)) = #pullback(#(#pullback_args,)* #d_out);
                (#value_binding, (#(#value_cotangents,)*))
            },
            quote!(#tangent_all(#(#tangent_all_args,)*)),
            Missing::LeftOut,
            &format!("`{tangent}(..).0` (the value of [`{original}`])"),
        );

        // The slope ∇f·v: one sweep seeded with v gives ∇f (real parts) and H v (tangent
        // parts).
        let sweep = self.sweep(&|position, p| {
            wrt[position].then(|| {
                let v = direction(p);
                match p.kind {
                    Kind::Slice => quote!(#v[#i]),
                    _ => quote!(#v),
                }
            })
        });
        let dot_product = |p: &Arg, part: &Ident, with: &Ident| {
            let shadow = shadow(&p.ident);
            match p.kind {
                Kind::Float => Some(quote!(#shadow.#part * #with)),
                Kind::Slice => Some(quote! {
                    #shadow.iter().zip(#with.iter()).map(|(#d, #w)| #d.#part * *#w).sum::<#element>()
                }),
                Kind::Inactive => None,
            }
        };
        let (re, eps) = (
            Ident::new("re", Span::call_site()),
            Ident::new("eps", Span::call_site()),
        );
        let zero = self.zero();
        // The forward mode's value as `f_tangent` computes it, so that it is the caller's
        // to the bit; callers' reverse sweeps ignore the pullback's, which the sweep gives.
        let slope = quote!(#tangent(#(#call_args,)*).1);
        let slope_terms = self
            .params
            .iter()
            .zip(wrt)
            .filter(|(_, w)| **w)
            .filter_map(|(p, _)| dot_product(p, &re, &direction(p)));
        let swept_slope = quote!(#zero #(+ #slope_terms)*);
        let slope_cotangents = self.params.iter().zip(wrt).flat_map(|(p, w)| {
            let shadow = shadow(&p.ident);
            let own = match p.kind {
                Kind::Float => quote!(#d_out * #shadow.eps),
                _ => quote!(#private::NoTangent),
            };
            let of_direction = match p.kind {
                Kind::Float => quote!(#d_out * #shadow.re),
                _ => quote!(#private::NoTangent),
            };
            std::iter::once(own).chain(w.then_some(of_direction))
        });
        let accumulate = self
            .params
            .iter()
            .zip(wrt)
            .filter(|(p, _)| p.kind == Kind::Slice)
            .map(|(p, w)| {
                let (bar, shadow) = (names::adjoint(&p.ident), shadow(&p.ident));
                let into_direction = w.then(|| {
                    let bar = names::adjoint(&direction(p));
                    quote!(#bar[#i] += #d_out * #d.re;)
                });
                quote! {
                    for (#i, #d) in #shadow.iter().enumerate() {
                        #bar[#i] += #d_out * #d.eps;
                        #into_direction
                    }
                }
            });
        let slope_tangent_terms: Vec<TokenStream> = self
            .params
            .iter()
            .zip(wrt)
            .flat_map(|(p, w)| {
                let own = dot_product(p, &eps, &names::tangent(&p.ident));
                let of_direction = if *w {
                    dot_product(p, &re, &names::tangent(&direction(p)))
                } else {
                    None
                };
                own.into_iter().chain(of_direction)
            })
            .collect();
        let slope_form = self.forms(
            &slope_name,
            &args,
            false,
            quote! {
                #sweep
                #(#accumulate)*
                (#swept_slope, (#(#slope_cotangents,)*))
            },
            quote! {
                #sweep
                (#slope, #zero #(+ #slope_tangent_terms)*)
            },
            Missing::ThirdOrder,
            &format!("`{tangent}(..).1` (the derivative of [`{original}`] along the directions)"),
        );

        let vis = &self.item.vis;
        let params = args.iter().map(|a| {
            let (ident, ty) = (&a.ident, &a.ty);
            quote!(#ident: #ty)
        });
        let params: Vec<TokenStream> = params.collect();
        let plain_args = self.params.iter().map(|p| {
            let ident = &p.ident;
            quote!(#ident)
        });
        let doc_value = format!(
            "`{tangent}(..).0`, for callers that write `let (value, slope) = {tangent}(..)`."
        );
        let doc_slope = format!(
            "`{tangent}(..).1`, for callers that write `let (value, slope) = {tangent}(..)`."
        );
        quote! {
            #[doc = #doc_value]
            #[doc(hidden)]
            #[inline]
            #[allow(dead_code, clippy::all)]
            #vis fn #value_name(#(#params,)*) -> #element {
                #original(#(#plain_args,)*)
            }

            #[doc = #doc_slope]
            #[doc(hidden)]
            #[inline]
            #[allow(dead_code, clippy::all)]
            #vis fn #slope_name(#(#params,)*) -> #element {
                #tangent(#(#call_args,)*).1
            }

            #value
            #slope_form
        }
    }
}

fn index() -> Ident {
    Ident::new("i", Span::mixed_site())
}

fn shadow(ident: &Ident) -> Ident {
    second_order::local(ident, "shadow")
}
