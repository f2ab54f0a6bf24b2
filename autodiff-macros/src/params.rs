//! What kind of derivative each parameter carries, read off its declared type, and the types
//! and values the generated functions use for it.
//!
//! | declared type                          | kind    | adjoint in the generated functions |
//! |----------------------------------------|---------|------------------------------------|
//! | `f64`, `f32`                           | scalar  | returned                           |
//! | `&[T]`, `&Vec<T>`, `Vec<T>` (T a float) | buffer  | accumulated into a `&mut [T]` shadow |
//! | `[T; N]`, `&[T; N]`                    | buffer  | accumulated into a `&mut [T; N]` shadow |
//! | anything else                          | inactive | none (`NoTangent`)                 |

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, Ident, Type};

use crate::check::float_kind;

/// How a buffer parameter is passed.
#[derive(Clone)]
pub enum BufferForm {
    /// `&[T]`, `&Vec<T>` or `Vec<T>`: the length is known at run time.
    Slice,
    /// `[T; N]` or `&[T; N]`.
    Array(Expr),
}

// A handful live per expansion; boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum ParamKind {
    Scalar,
    Buffer { element: Type, form: BufferForm },
    Inactive,
}

/// Reads the kind of a parameter of type `ty`.
pub fn classify(ty: &Type) -> ParamKind {
    let (inner, by_ref) = match ty {
        Type::Reference(r) if r.mutability.is_none() => (&*r.elem, true),
        other => (other, false),
    };
    if !by_ref && float_kind(inner).is_some() {
        return ParamKind::Scalar;
    }
    match inner {
        Type::Slice(s) if by_ref && float_kind(&s.elem).is_some() => ParamKind::Buffer {
            element: (*s.elem).clone(),
            form: BufferForm::Slice,
        },
        Type::Array(a) if float_kind(&a.elem).is_some() => ParamKind::Buffer {
            element: (*a.elem).clone(),
            form: BufferForm::Array(a.len.clone()),
        },
        Type::Path(p) => match vec_element(p) {
            Some(element) => ParamKind::Buffer {
                element,
                form: BufferForm::Slice,
            },
            None => ParamKind::Inactive,
        },
        _ => ParamKind::Inactive,
    }
}

/// `T` for `Vec<T>` with `T` a float.
fn vec_element(p: &syn::TypePath) -> Option<Type> {
    let segment = p.path.segments.last()?;
    if p.qself.is_some() || segment.ident != "Vec" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) if args.args.len() == 1 && float_kind(t).is_some() => {
            Some(t.clone())
        }
        _ => None,
    }
}

impl ParamKind {
    /// Whether the parameter can carry a derivative.
    pub fn is_differentiable(&self) -> bool {
        !matches!(self, ParamKind::Inactive)
    }

    /// The type of the `&mut` shadow a buffer's adjoint accumulates into.
    pub fn shadow_type(&self) -> Option<TokenStream> {
        match self {
            ParamKind::Buffer { element, form } => Some(match form {
                BufferForm::Slice => quote!(&mut [#element]),
                BufferForm::Array(len) => quote!(&mut [#element; #len]),
            }),
            _ => None,
        }
    }

    /// The owned type of this parameter's gradient, as `f_grad` returns it.
    pub fn gradient_type(&self, declared: &Type) -> TokenStream {
        match self {
            ParamKind::Buffer { element, form } => match form {
                BufferForm::Slice => quote!(::std::vec::Vec<#element>),
                BufferForm::Array(len) => quote!([#element; #len]),
            },
            _ => quote!(#declared),
        }
    }

    /// A zero gradient of the right shape for the parameter `ident`, owned.
    pub fn zero_gradient(&self, ident: &Ident) -> TokenStream {
        match self {
            ParamKind::Buffer { element, form } => {
                let zero = quote!(<#element as ::autodiff::__private::ZeroLike>::zero_like(&(0.0 as #element)));
                match form {
                    BufferForm::Slice => quote!(::std::vec![#zero; #ident.len()]),
                    BufferForm::Array(len) => quote!([#zero; #len]),
                }
            }
            _ => quote!(::autodiff::__private::ZeroLike::zero_like(&#ident)),
        }
    }
}
