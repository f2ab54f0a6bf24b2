//! Assembles the generated functions: the pipeline parse → check → lower → restructure exits
//! → analyse → forward sweep → reverse sweep, and the public wrappers around the result.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, ItemFn};

use crate::args::{Args, Modes};
use crate::check::{self, Errors, Signature};
use crate::wrappers::{generate, Bodies, Names};
use crate::{activity, exits, forward, ir, lower, names, reverse};

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
    let modes = args.modes();
    // Every float parameter is active in the pullback, so that calls compose whatever the
    // callee's `wrt`; the public wrappers pick the requested gradients.
    let every_param: Vec<bool> = sig
        .params
        .iter()
        .map(|p| p.kind.is_differentiable())
        .collect();
    let function = differentiate(&sig, &item, modes, &every_param, &mut errors);
    let first_order_body = function
        .as_ref()
        .and_then(|d| d.pullback.clone())
        .filter(|_| errors.is_empty());
    let variables = function.as_ref().map_or(&[][..], |d| &d.variables[..]);
    let argument_facts = (modes.reverse && !sig.has_receiver).then(|| {
        let uses = function.as_ref().filter(|_| errors.is_empty()).map_or_else(
            || vec![[true, true]; sig.params.len()],
            |d| d.argument_use.clone(),
        );
        argument_facts(&item, &uses)
    });
    // With a narrower `wrt`, `f_adjoint` gets a sweep of its own that computes no adjoint for
    // the other parameters (for a matrix, that saves a product as large as the function's); `f_hvp`
    // gets a dual copy of that sweep for the same reason.
    let wrt: Vec<bool> = sig.params.iter().map(|p| p.in_wrt).collect();
    let narrow = (modes.reverse
        && errors.is_empty()
        && wrt != every_param
        && !sig.params.iter().any(|p| p.kind.is_in_out()))
    .then(|| {
        let reverse_only = Modes {
            reverse: true,
            forward: false,
            tangents: false,
        };
        differentiate(&sig, &item, reverse_only, &wrt, &mut errors)
    })
    .flatten();
    let adjoint_body = narrow.as_ref().and_then(|d| d.split_pullback.clone());
    // The narrow sweep only where there are no errors, as the full one.
    let narrow_body = narrow
        .as_ref()
        .and_then(|d| Some((d.pullback.as_ref()?, &d.variables[..])))
        .filter(|_| errors.is_empty());
    let second_order = crate::second_order::generate(
        &item,
        &sig,
        &args,
        first_order_body.as_ref(),
        variables,
        narrow_body,
    );
    let record_wanted = modes.reverse && !sig.has_receiver;
    let generated = match function {
        Some(Differentiated {
            split_pullback: pullback_body,
            tangent: tangent_body,
            tangents: tangents_body,
            record,
            ..
        }) if errors.is_empty() => {
            let wrappers = generate(
                &item,
                &sig,
                &names,
                modes,
                Bodies::Real(pullback_body, tangent_body, adjoint_body),
            );
            let record = record_wanted.then(|| {
                crate::split::record_function(&item, &sig, &names, Some(record.as_ref()), None)
            });
            let tangents =
                tangents_body.map(|body| crate::wide::functions(&item, &sig, &names, Some(&body)));
            quote!(#wrappers #record #tangents)
        }
        _ => {
            // Stubs with the right names keep one mistake from cascading into "cannot find
            // `f_grad`" errors at every use.
            let stubs = (!sig.has_receiver).then(|| {
                let wrappers = generate(&item, &sig, &names, modes, Bodies::Stubs);
                let record = record_wanted
                    .then(|| crate::split::record_function(&item, &sig, &names, None, None));
                let tangents = modes
                    .tangents
                    .then(|| crate::wide::functions(&item, &sig, &names, None));
                quote!(#wrappers #record #tangents)
            });
            let errors = errors.into_compile_errors();
            quote!(#errors #stubs)
        }
    };
    let tangents_stand_in =
        (!modes.tangents && !sig.has_receiver).then(|| crate::wide::stand_in(&item, &sig, &names));
    quote! {
        #item
        #generated
        #argument_facts
        #second_order
        #tangents_stand_in
    }
}

/// `f_argument(i)`: whether `f` may write its `i`-th parameter, and read what it held on
/// entry. A caller that records a buffer's contents around a call to `f` needs them only
/// then; the answer is a constant once `i` is.
pub fn argument_facts(item: &ItemFn, uses: &[[bool; 2]]) -> TokenStream {
    let vis = &item.vis;
    let name = names::generated(&item.sig.ident, "argument");
    let index = Ident::new("index", proc_macro2::Span::mixed_site());
    let arms = uses
        .iter()
        .enumerate()
        .map(|(i, [writes, reads])| quote!(#i => [#writes, #reads],));
    quote! {
        #[doc(hidden)]
        #[inline(always)]
        #[allow(dead_code)]
        #vis const fn #name(#index: usize) -> [bool; 2] {
            match #index {
                #(#arms)*
                _ => [true, true],
            }
        }
    }
}

/// The bodies of the composable pullback (forward sweep, reverse sweep, result) and of the
/// composable forward mode, each when `modes` asks for it, and every variable with whether
/// it depends on a parameter (the dual copy leaves the others plain).
fn differentiate(
    sig: &Signature,
    item: &ItemFn,
    modes: Modes,
    active_params: &[bool],
    errors: &mut Errors,
) -> Option<Differentiated> {
    let outputs: Vec<bool> = sig.params.iter().map(|p| p.kind.is_in_out()).collect();

    // First lowering, with everything lowered, to learn which bindings depend on the
    // parameters (are varied). Lowering keeps an expression as written only when it reads no
    // varied binding, so the set it is given must contain every binding that turns out varied:
    // lower again with the union until the analysis of the result finds no new one.
    let mut scratch = Errors::default();
    let vec_bodies = lower::VecBodies::parse(item);
    let from_fn_bodies = lower::FromFnBodies::parse(item);
    let first = lower::lower(sig, item, &vec_bodies, &from_fn_bodies, None, &mut scratch);
    let mut probe = first.function;
    activity::analyse(&mut probe, active_params, &outputs);
    let mut prior: HashMap<usize, bool> = first
        .binding_keys
        .iter()
        .zip(&probe.vars)
        .filter_map(|(key, var)| key.map(|k| (k, var.varied)))
        .collect();

    let mut attempts = 0;
    let mut function = loop {
        let mut attempt_errors = Errors::default();
        let lowered = lower::lower(
            sig,
            item,
            &vec_bodies,
            &from_fn_bodies,
            Some(&prior),
            &mut attempt_errors,
        );
        let mut analysed = lowered.function.clone();
        activity::analyse(&mut analysed, active_params, &outputs);
        let mut grew = false;
        for (key, var) in lowered.binding_keys.iter().zip(&analysed.vars) {
            if let (Some(key), true) = (key, var.varied) {
                let known = prior.entry(*key).or_insert(false);
                grew |= !*known;
                *known = true;
            }
        }
        attempts += 1;
        if !grew || attempts == 4 || !attempt_errors.is_empty() {
            errors.extend(attempt_errors);
            if !errors.is_empty() {
                return None;
            }
            break lowered.function;
        }
    };
    exits::restructure(&mut function);
    // Which values are plain scalars decides which operands a rule call must name, and so
    // what the reverse sweep needs; `mark` runs again after the analysis for what depends on it.
    crate::values::mark(&mut function, sig);
    activity::analyse(&mut function, active_params, &outputs);
    crate::values::mark(&mut function, sig);
    crate::increments::mark(&mut function);

    let private = private_path();
    let writable: Vec<bool> = sig
        .params
        .iter()
        .map(|p| {
            p.kind.is_in_out() || matches!(&p.ty, syn::Type::Reference(r) if r.mutability.is_some())
        })
        .collect();
    let sweeps = modes
        .reverse
        .then(|| PullbackParts::of(&function, sig, active_params, &private));
    let pullback = sweeps.as_ref().map(PullbackParts::body);
    // The pullback callers run calls their callees' `_record` (`split.rs`); the dual copy
    // and `_record`'s own sweeps keep calling their callees plainly.
    let split_pullback = pullback.as_ref().map(|joint| {
        let mut split = function.clone();
        crate::split::plan(&mut split);
        if split.split_calls.is_empty() {
            // No call to split: the same body.
            return joint.clone();
        }
        PullbackParts::of(&split, sig, active_params, &private).body()
    });
    let returns_float = sig.returns_unit || crate::check::float_kind(&sig.output).is_some();
    let record = sweeps.filter(|parts| {
        parts.fused_adjoints.is_none()
            && parts.keep_results.is_empty()
            && crate::split::can_record(&function, &parts.reverse, &writable, returns_float)
    });
    // The composable forward mode: every differentiable parameter comes with a tangent.
    let tangent_body = |wide: bool| {
        let body = forward::emit_with_tangents(&function, wide);
        let output = &function.vars[function.output].ident;
        let output_dot = if sig.returns_unit {
            quote!(())
        } else if function.vars[function.output].active {
            let dot = names::tangent(output);
            quote!(#dot)
        } else {
            crate::tangent::zero_output(sig, output, wide)
        };
        quote! {
            #body
            (#output, #output_dot)
        }
    };
    let tangent = modes.forward.then(|| tangent_body(false));
    if modes.tangents {
        crate::wide::check(&function, sig, errors);
    }
    let tangents = modes.tangents.then(|| tangent_body(true));
    let variables = function
        .vars
        .iter()
        .map(|var| {
            let depends = var.varied || var.active || var.view.is_some();
            (var.ident.clone(), depends)
        })
        .collect();
    let argument_use = crate::reads::argument_use(&function, &writable);
    Some(Differentiated {
        pullback,
        split_pullback,
        record,
        tangent,
        tangents,
        variables,
        argument_use,
    })
}

/// What [`differentiate`] makes of a function.
struct Differentiated {
    /// The composable pullback's body, when the reverse mode is generated, with its calls
    /// reversed jointly (for the dual copy).
    pullback: Option<TokenStream>,
    /// The same with its calls split (`split.rs`), for the pullback itself.
    split_pullback: Option<TokenStream>,
    /// The sweeps of `_record`, when it can keep the forward sweep for the reverse.
    record: Option<PullbackParts>,
    /// The composable forward mode's body, when it is generated.
    tangent: Option<TokenStream>,
    /// `f_tangents_all`'s body, the same in many directions, when it is asked for.
    tangents: Option<TokenStream>,
    /// Every variable, with whether it depends on a parameter.
    variables: Vec<(Ident, bool)>,
    /// For each parameter: whether the function may write it, and read what it held.
    argument_use: Vec<[bool; 2]>,
}

/// The pieces of a pullback's body: forward sweep, reverse sweep, the result and the
/// cotangents.
pub struct PullbackParts {
    /// A fused loop's parameter adjoints, declared before the forward sweep.
    pub fused_adjoints: Option<TokenStream>,
    pub forward: TokenStream,
    /// Copies of in-out buffers' results, put back after the reverse sweep.
    pub keep_results: Vec<TokenStream>,
    pub reverse: TokenStream,
    pub put_back_results: Vec<TokenStream>,
    /// `(output, (cotangents..))`.
    pub result: TokenStream,
    /// The variable holding the function's value.
    pub output: Ident,
}

impl PullbackParts {
    fn of(
        function: &ir::Function,
        sig: &Signature,
        active_params: &[bool],
        private: &TokenStream,
    ) -> Self {
        let fused_adjoints =
            (!function.fused.is_empty()).then(|| reverse::param_adjoints(function, sig));
        let forward = forward::emit(function);
        let reverse = reverse::emit(function, sig);
        // The reverse sweep puts back the contents of buffers that calls read; a `&mut`
        // parameter must still hold the function's result when the adjoint returns.
        let (keep_results, put_back_results): (Vec<_>, Vec<_>) = function
            .params
            .iter()
            .zip(&sig.params)
            .filter(|(&var, param)| param.kind.is_in_out() && function.vars[var].contents_needed)
            .map(|(_, param)| {
                let ident = &param.ident;
                let kept = names::saved(ident);
                (
                    quote!(let #kept = #private::Snapshot::snapshot(&*#ident);),
                    quote!(#private::Snapshot::restore(&mut *#ident, &#kept);),
                )
            })
            .unzip();
        let output = &function.vars[function.output].ident;
        let cotangents =
            function
                .params
                .iter()
                .zip(&sig.params)
                .enumerate()
                .map(|(index, (&var, param))| {
                    let ident = &param.ident;
                    // A parameter passed by reference is already one.
                    let primal = if function.vars[var].borrowed {
                        quote!(#ident)
                    } else {
                        quote!(&#ident)
                    };
                    if !param.kind.is_value_like() || !active_params[index] {
                        // Buffers' adjoints are in their shadows; a parameter outside a narrower
                        // `wrt` gets none.
                        quote!(#private::NoTangent)
                    } else if function.vars[var].active {
                        let adjoint = names::adjoint(&function.vars[var].ident);
                        quote!(#private::gradient_or_zero(#adjoint, #primal))
                    } else {
                        quote!(#private::ZeroLike::zero_like(#primal))
                    }
                });
        PullbackParts {
            fused_adjoints,
            forward,
            keep_results,
            reverse,
            put_back_results,
            result: quote!((#output, (#(#cotangents,)*))),
            output: output.clone(),
        }
    }

    /// The pullback's body.
    fn body(&self) -> TokenStream {
        let PullbackParts {
            fused_adjoints,
            forward,
            keep_results,
            reverse,
            put_back_results,
            result,
            ..
        } = self;
        quote! {
            #fused_adjoints
            #forward
            #(#keep_results)*
            #reverse
            #(#put_back_results)*
            #result
        }
    }
}
