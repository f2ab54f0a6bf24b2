//! `f_tangents`, on request (`#[differentiate(tangents)]`): the forward mode in
//! `DIRECTIONS` directions at once. Every float carries `Tangents<T, DIRECTIONS>` instead of
//! one tangent, so one run gives as many Jacobian columns as there are directions while the
//! primal runs once.
//!
//! The body is `f_tangent_all`'s, emitted by `tangent.rs` with its `wide` switch: the same
//! operators on wider tangents. Only the signatures and a few zero tangents differ, and
//! nalgebra values, whose tangents would be matrices of `Tangents`, are refused.
//!
//! A function without `tangents` gets a hidden stand-in for `f_tangents_all` instead, whose
//! unsatisfiable bound makes a call from a caller with `tangents` an error that says what to
//! add.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{ItemFn, Type};

use crate::check::{Errors, Param, Signature};
use crate::expand::private_path;
use crate::ir::{Function, Rhs, Stmt};
use crate::names;
use crate::params::{BufferForm, ParamKind};
use crate::wrappers::{forward_functions, ForwardMode, Names};

const NALGEBRA: &str = "`#[differentiate(tangents)]` does not support nalgebra values yet: \
                        their tangents in many directions would be matrices of `Tangents`; \
                        use slices here, or `f_tangent` once per direction";

/// Reports what `f_tangents` cannot carry: nalgebra parameters, results and values.
pub fn check(f: &Function, sig: &Signature, errors: &mut Errors) {
    for p in &sig.params {
        if matches!(p.kind, ParamKind::Value { .. }) {
            errors.push(syn::Error::new(p.ty.span(), NALGEBRA));
        }
    }
    if sig.returns_value {
        errors.push(syn::Error::new(sig.output.span(), NALGEBRA));
    }
    f.body.walk(&mut |stmt| {
        let (var, rhs) = match stmt {
            Stmt::Let {
                var,
                init: Some(rhs),
                ..
            } => (*var, rhs),
            Stmt::Assign { var, rhs, .. } => (*var, rhs),
            _ => return,
        };
        if !f.vars[var].active {
            return;
        }
        let span = match rhs {
            Rhs::Construct { func, .. } => func.span(),
            Rhs::Method { name, .. } if crate::tangent::is_nalgebra_method(name) => name.span(),
            _ => return,
        };
        errors.push(syn::Error::new(span, NALGEBRA));
    });
}

/// `Tangents<T, DIRECTIONS>` for a float type `T`.
fn tangents_of(float: &Type) -> TokenStream {
    let private = private_path();
    let directions = names::directions();
    quote!(#private::Tangents<#float, #directions>)
}

/// A parameter's tangents in `f_tangents`: a float's `Tangents`, a buffer's buffer of them;
/// none for a nalgebra value (refused by `check`).
fn param_tangents(p: &Param) -> Option<TokenStream> {
    match p.kind {
        ParamKind::Value { .. } => None,
        _ => p.kind.tangent_type_of_floats(&p.ty, tangents_of),
    }
}

/// The result's tangents: `Tangents` for a float, a `Vec` or array of them for a buffer.
fn output_tangents(sig: &Signature) -> TokenStream {
    match &sig.returns_buffer {
        _ if sig.returns_unit => quote!(()),
        Some(ParamKind::Buffer { element, form, .. }) => {
            let tangents = tangents_of(element);
            match form {
                BufferForm::Slice => quote!(::std::vec::Vec<#tangents>),
                BufferForm::Array(len) => quote!([#tangents; #len]),
            }
        }
        _ => tangents_of(&sig.output),
    }
}

/// Zero tangents for a parameter outside `wrt`, bound to `dot`.
fn zero_tangents(p: &Param) -> TokenStream {
    let private = private_path();
    let directions = names::directions();
    let dot = names::tangent(&p.ident);
    let ident = &p.ident;
    let storage = quote::format_ident!("{}_zero", dot);
    match &p.kind {
        ParamKind::Scalar => {
            quote!(let #dot = #private::Tangents::<_, #directions>::zero_like(&#ident);)
        }
        ParamKind::Buffer { mutable, .. } => {
            let mutability = mutable.then(|| quote!(mut));
            quote! {
                let mut #storage = #private::ZeroTangents::<#directions>::zero_tangents(&#ident[..]);
                let #dot = &#mutability #storage[..];
            }
        }
        ParamKind::Cell { .. } => quote! {
            let mut #storage = #private::Tangents::<_, #directions>::zero_like(&*#ident);
            let #dot = &mut #storage;
        },
        ParamKind::Value { .. } | ParamKind::Inactive => TokenStream::new(),
    }
}

/// For a function without `tangents`: a hidden `f_tangents_all` that compiles only where it
/// is not called, bounded by `tangents::Generated` on a marker named after the function, so
/// that a caller with `tangents` gets an error at the call that says what to add. (Not the
/// public `f_tangents`: it would show in its crate's documentation.)
pub fn stand_in(item: &ItemFn, sig: &Signature, names: &Names) -> TokenStream {
    let private = private_path();
    let directions = names::directions();
    let vis = &item.vis;
    let original = &names.original;
    let marker = names::generated(original, "without_tangents");
    let mut mode = mode(item, sig, original);
    mode.generics
        .make_where_clause()
        .predicates
        .push(syn::parse_quote!(#marker: #private::tangents::Generated<#directions>));
    mode.doc_all = format!(
        "Stands in for the `{original}_tangents_all` that `#[differentiate(tangents)]` would \
         generate: a call of it does not compile, and says so."
    );
    let unimplemented = quote!(::core::unimplemented!());
    let (all, _) = forward_functions(item, sig, original, mode, &unimplemented);
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #marker;
        #all
    }
}

/// `f_tangents_all` (hidden, composable: tangents after every parameter) and `f_tangents`
/// (tangents after each parameter in `wrt`). `body` is `None` after an error: the functions
/// are then stubs, so that their uses report nothing more.
pub fn functions(
    item: &ItemFn,
    sig: &Signature,
    names: &Names,
    body: Option<&TokenStream>,
) -> TokenStream {
    let unimplemented = quote!(::core::unimplemented!());
    let mode = mode(item, sig, &names.original);
    let (all, public) = forward_functions(
        item,
        sig,
        &names.original,
        mode,
        body.unwrap_or(&unimplemented),
    );
    quote!(#all #public)
}

/// `f_tangents`' parameters and result: `Tangents` where `f_tangent` has one float.
fn mode<'a>(item: &ItemFn, sig: &Signature, original: &syn::Ident) -> ForwardMode<'a> {
    let directions = names::directions();
    // `DIRECTIONS` goes after the user's own generic parameters, so that turbofish calls
    // written for `f` keep their meaning for the other parameters' order.
    let mut generics = item.sig.generics.clone();
    generics
        .params
        .push(syn::parse_quote!(const #directions: usize));
    ForwardMode {
        suffix: "tangents",
        generics,
        tangent_type: &param_tangents,
        zero: &zero_tangents,
        output_tangent: output_tangents(sig),
        doc: format!(
            "Forward-mode derivative of [`{original}`] in `DIRECTIONS` directions at once, \
             generated by `#[differentiate(tangents)]`: each parameter being differentiated \
             is followed by its tangents (`autodiff::Tangents` for a float, a slice of them \
             for a slice), and the result comes with its own, the derivatives of \
             `{original}` along each direction (Jacobian-vector products), from one pass that \
             runs `{original}`'s own arithmetic once. `&mut` parameters' tangents go in as \
             the inputs' and come out as the outputs'."
        ),
        doc_all: format!(
            "[`{original}_tangents`] with tangents after every parameter; generated by \
             `#[differentiate(tangents)]` for other generated code to call."
        ),
    }
}
