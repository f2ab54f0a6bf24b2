//! What `#[differentiate]` accepts. Each rule is one function returning the error for the
//! construct it rejects, with a message saying what to write instead; `lower.rs` calls the
//! body rules as it meets each construct, and every error is reported together.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};

use crate::args::Args;
use crate::params::{classify, ParamKind};

/// Collects every error instead of stopping at the first (serde_derive's `Ctxt` habit).
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn extend(&mut self, other: Errors) {
        self.0.extend(other.0);
    }

    pub fn into_compile_errors(self) -> proc_macro2::TokenStream {
        self.0.into_iter().map(|e| e.to_compile_error()).collect()
    }
}

fn error(span: Span, message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new(span, message)
}

/// A parameter as the generated functions see it.
pub struct Param {
    pub ident: Ident,
    pub ty: Type,
    pub mutable: bool,
    /// What derivative it can carry, read off its type.
    pub kind: ParamKind,
    /// Differentiated with respect to (a float named by `wrt`, or every float without `wrt`).
    pub in_wrt: bool,
    /// The address of the parameter's pattern, which identifies its binding across lowerings.
    pub pattern_key: usize,
}

/// The checked signature.
pub struct Signature {
    pub params: Vec<Param>,
    pub output: Type,
    /// Whether the function takes `self` (then no stubs are generated after an error).
    pub has_receiver: bool,
    /// Returns `()` and writes its results into `&mut` parameters: no `d_out`, no `f_grad`.
    pub returns_unit: bool,
    /// Returns a `Vec` or an array of floats (its kind as a buffer): the output's cotangent
    /// is a slice or array, and `f_jacobian` replaces `f_grad`.
    pub returns_buffer: Option<ParamKind>,
    /// Returns a nalgebra vector or matrix: its cotangent is a value of the same type, and
    /// `f_jacobian` replaces `f_grad`.
    pub returns_value: bool,
}

/// Checks the signature and the attribute's options against it.
pub fn signature(item: &ItemFn, args: &Args, errors: &mut Errors) -> Signature {
    let sig = &item.sig;
    if let Some(token) = &sig.asyncness {
        errors.push(error(
            token.span,
            "`#[differentiate]` does not support `async fn`; differentiate a plain `fn` and call it from async code",
        ));
    }
    if let Some(token) = &sig.unsafety {
        errors.push(error(
            token.span,
            "`#[differentiate]` does not support `unsafe fn`; move the unsafe part out of the differentiated function",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(error(
            variadic.span(),
            "variadic functions cannot be differentiated",
        ));
    }

    let mut params = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.push(spanned(
                receiver,
                "`#[differentiate]` does not support methods yet; write a free function that takes the value as a parameter",
            )),
            FnArg::Typed(typed) => {
                let (ident, mutable) = match &*typed.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                        (p.ident.clone(), p.mutability.is_some())
                    }
                    other => {
                        errors.push(spanned(
                            other,
                            "parameters of a `#[differentiate]` function must be plain names (`x: f64`); destructure inside the body",
                        ));
                        continue;
                    }
                };
                if let Some(impl_trait) = impl_trait_in(&typed.ty) {
                    // The generated functions name every parameter's type again (the
                    // closures of `_record`, the dual copy), which an `impl Trait` forbids.
                    errors.push(spanned(
                        &impl_trait,
                        "`impl Trait` parameters are not supported by `#[differentiate]`; declare a type parameter instead (`fn f<K: Into<f64>>(.., k: K)`)",
                    ));
                    continue;
                }
                if let Type::Reference(reference) = &*typed.ty {
                    if reference.mutability.is_none() && float_kind(&reference.elem).is_some() {
                        errors.push(spanned(
                            &typed.ty,
                            "pass floats by value (`x: f64`), not by reference, so they can be differentiated",
                        ));
                    }
                }
                if let Type::Reference(reference) = &*typed.ty {
                    if reference.mutability.is_some()
                        && crate::params::is_nalgebra_value(&reference.elem)
                    {
                        errors.push(spanned(
                            &typed.ty,
                            "`&mut` nalgebra parameters are not supported yet: take the value (or `&`) and return the new one",
                        ));
                    }
                }
                let kind = classify(&typed.ty);
                let in_wrt = kind.is_differentiable();
                params.push(Param {
                    ident,
                    ty: (*typed.ty).clone(),
                    mutable,
                    kind,
                    in_wrt,
                    pattern_key: &*typed.pat as *const Pat as usize,
                });
            }
        }
    }

    if let Some(wrt) = &args.wrt {
        for param in &mut params {
            param.in_wrt = false;
        }
        for name in wrt {
            match params.iter_mut().find(|p| p.ident == *name) {
                None => errors.push(error(
                    name.span(),
                    format!(
                        "`wrt` names `{name}`, which is not a parameter of `{}`",
                        sig.ident
                    ),
                )),
                Some(param) if !param.kind.is_differentiable() => errors.push(error(
                    name.span(),
                    format!(
                        "`{name}` has type `{}`, which carries no derivative; only `f64` and `f32` parameters and float slices, arrays and `Vec`s can be in `wrt`",
                        param.ty.to_token_stream()
                    ),
                )),
                Some(param) => param.in_wrt = true,
            }
        }
    } else if !params.iter().any(|p| p.kind.is_differentiable()) && !params.is_empty() {
        errors.push(error(
            sig.inputs.span(),
            "no parameter to differentiate: `#[differentiate]` needs at least one `f64` or `f32` parameter",
        ));
    }

    let returns_unit = match &sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => matches!(&**ty, Type::Tuple(t) if t.elems.is_empty()),
    };
    let writes_an_output = params.iter().any(|p| p.kind.is_in_out());
    let mut returns_buffer = None;
    let mut returns_value = false;
    let output = match &sig.output {
        _ if returns_unit && writes_an_output => syn::parse_quote!(()),
        ReturnType::Type(_, ty) if float_kind(ty).is_some() => (**ty).clone(),
        ReturnType::Type(_, ty) if crate::params::is_nalgebra_value(ty) => {
            returns_value = true;
            (**ty).clone()
        }
        ReturnType::Type(_, ty)
            if matches!(classify(ty), ParamKind::Buffer { mutable: false, .. })
                && !matches!(&**ty, Type::Reference(_)) =>
        {
            returns_buffer = Some(classify(ty));
            (**ty).clone()
        }
        ReturnType::Type(_, ty) => {
            errors.push(error(
                ty.span(),
                format!(
                    "`#[differentiate]` needs a function returning `f64`, `f32`, a `Vec` or an array of them, or a nalgebra vector or matrix of them; `{}` cannot be differentiated",
                    ty.to_token_stream()
                ),
            ));
            (**ty).clone()
        }
        ReturnType::Default => {
            errors.push(error(
                sig.ident.span(),
                "`#[differentiate]` needs a function returning `f64` or `f32`, or writing its result into a `&mut` float parameter; this one does neither",
            ));
            syn::parse_quote!(f64)
        }
    };

    let has_receiver = sig.receiver().is_some();
    Signature {
        params,
        output,
        has_receiver,
        returns_unit: returns_unit && writes_an_output,
        returns_buffer,
        returns_value,
    }
}

/// `Some("f64")` / `Some("f32")` for those two types, written bare.
/// Whether `item` has one type, so that naming it alone (`let _ = f;`) compiles: no type
/// parameters, declared or `impl Trait`.
pub fn is_monomorphic(item: &syn::ItemFn) -> bool {
    item.sig.generics.params.is_empty()
        && item.sig.inputs.iter().all(|input| match input {
            FnArg::Typed(typed) => impl_trait_in(&typed.ty).is_none(),
            FnArg::Receiver(_) => true,
        })
}

/// The first `impl Trait` inside `ty`, if any.
fn impl_trait_in(ty: &Type) -> Option<syn::TypeImplTrait> {
    struct Find(Option<syn::TypeImplTrait>);
    impl<'ast> syn::visit::Visit<'ast> for Find {
        fn visit_type_impl_trait(&mut self, found: &'ast syn::TypeImplTrait) {
            self.0.get_or_insert_with(|| found.clone());
        }
    }
    let mut find = Find(None);
    syn::visit::Visit::visit_type(&mut find, ty);
    find.0
}

/// A number, `bool` or `char`: a `Copy` scalar that holds no borrow.
pub fn is_primitive(ty: &Type) -> bool {
    const PRIMITIVES: &[&str] = &[
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
        "bool", "char", "f32", "f64",
    ];
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.get_ident().is_some_and(|i| PRIMITIVES.iter().any(|n| i == n)))
}

pub fn float_kind(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let segment = &p.path.segments[0];
            if !segment.arguments.is_empty() {
                return None;
            }
            if segment.ident == "f64" {
                Some("f64")
            } else if segment.ident == "f32" {
                Some("f32")
            } else {
                None
            }
        }
        Type::Paren(p) => float_kind(&p.elem),
        Type::Group(g) => float_kind(&g.elem),
        _ => None,
    }
}

// ---- Body rules: one function per rejected construct. ----

pub fn closure(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "closures over active values are not supported yet; write the body inline or as a separate `#[differentiate]` function",
    )
}

pub fn map_capture(node: &dyn ToTokens, name: &str) -> syn::Error {
    spanned(
        node,
        format!(
            "this closure reads `{name}`, which carries a derivative that `map` cannot pass on; \
             compute the entries with operations on whole vectors instead (`v.component_mul(&w)`, \
             `&v * {name}`), or wrap `{name}` in `stop_gradient(..)` if no derivative should flow \
             through it"
        ),
    )
}

pub fn constructor(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "this nalgebra constructor has no derivative rule; build the value with `new`, \
         `from_element`, `from_fn`, `from_column_slice`, `from_row_slice` or `from_vec` from \
         active values, or wrap it in `stop_gradient(..)` if no derivative should flow through it",
    )
}

pub fn match_expr(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "`match` is not supported by `#[differentiate]`; use `if` / `else if` / `else`",
    )
}

pub fn if_let(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "`if let` / `while let` are not supported by `#[differentiate]`; use `if` / `while` with a condition",
    )
}

pub fn unsafe_block(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "`unsafe` blocks cannot be differentiated; move the unsafe code out of the differentiated function",
    )
}

pub fn async_expr(node: &dyn ToTokens) -> syn::Error {
    spanned(node, "`async` and `.await` cannot be differentiated")
}

pub fn pattern(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "this pattern is not supported by `#[differentiate]`; bind a plain name (`let x = ..`) or a tuple of names (`let (a, b) = (.., ..)`)",
    )
}

pub fn remainder(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "`%` has no derivative rule; use `x - (x / y).trunc() * y`, or wrap it in `stop_gradient(..)`",
    )
}

pub fn place(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "only local variables, elements of a flat buffer of floats (`v[i] = ..`) and `*out` for an `out: &mut f64` parameter can be assigned a value that carries a derivative",
    )
}

pub fn tuple_value(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "tuples of active values are only supported as `let (a, b) = (.., ..);` and `let (s, c) = x.sin_cos();`; compute each part in a `let` of its own",
    )
}

pub fn expression(node: &dyn ToTokens, what: &str) -> syn::Error {
    spanned(
        node,
        format!("{what} is not supported on active values in a `#[differentiate]` function; wrap it in `stop_gradient(..)` if no derivative should flow through it"),
    )
}

pub fn macro_call(node: &dyn ToTokens, name: &str) -> syn::Error {
    spanned(
        node,
        format!("the macro `{name}!` cannot be differentiated; only printing and assertion macros are allowed, and they run in the forward pass only"),
    )
}

pub fn labeled_block(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "labeled blocks are not supported by `#[differentiate]`; use a `loop` with `break`",
    )
}

pub fn unknown_label(node: &dyn ToTokens) -> syn::Error {
    spanned(node, "this label names no enclosing loop")
}

pub fn exit_outside_loop(node: &dyn ToTokens) -> syn::Error {
    spanned(node, "`break` / `continue` outside of a loop")
}

pub fn shadowed_inside_opaque(span: Span, name: &str) -> syn::Error {
    error(
        span,
        format!("this expression rebinds `{name}`, which `#[differentiate]` had to rename because it is shadowed in the function; use another name here"),
    )
}

pub fn for_over_active(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "iterating over values that carry a derivative is not supported yet; loop over indices (`for i in 0..n`) and compute each value in the body",
    )
}

pub fn closure_call(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "calling a closure is not supported by `#[differentiate]`; write the body inline or as a separate `#[differentiate]` function",
    )
}

pub fn turbofish(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "method calls with `::<..>` are not supported on active values",
    )
}

pub fn hidden_write(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "assigning to a variable inside a condition, `stop_gradient(..)` or another expression is not supported; assign it in a statement of its own",
    )
}

fn spanned(node: &dyn ToTokens, message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new_spanned(node.to_token_stream(), message)
}

pub fn buffer_value(node: &dyn ToTokens) -> syn::Error {
    spanned(
        node,
        "a slice, array or `Vec` of floats can only be indexed (`x[i]`), measured (`x.len()`) or iterated (`x.iter()..`) here; copying it or passing it to a function is not supported yet",
    )
}

/// A buffer operation outside what the reverse sweep can undo, with what to write instead.
pub fn buffer_operation(node: &dyn ToTokens, what: &str, instead: &str) -> syn::Error {
    spanned(
        node,
        format!("{what} is not supported by `#[differentiate]`; {instead}"),
    )
}
