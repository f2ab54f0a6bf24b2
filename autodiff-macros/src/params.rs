//! What kind of derivative each parameter carries, read off its declared type, and the types
//! and values the generated functions use for it.
//!
//! | declared type                                    | kind     | adjoint in the generated functions      |
//! |--------------------------------------------------|----------|-----------------------------------------|
//! | `f64`, `f32`                                     | scalar   | returned                                |
//! | `&[T]`, `&Vec<T>`, `Vec<T>` (T a float)          | buffer   | added into a `&mut [T]` shadow          |
//! | `[T; N]`, `&[T; N]`                              | buffer   | added into a `&mut [T; N]` shadow       |
//! | `&mut [T]`, `&mut Vec<T>`, `&mut [T; N]`         | buffer, in-out | its shadow brings the output's cotangent in and takes the input's adjoint out |
//! | `&mut T`                                         | cell, in-out   | likewise, through a `&mut T` shadow     |
//! | anything else                                    | inactive | none (`NoTangent`)                      |

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, Type};

use crate::check::float_kind;

/// How a buffer parameter is passed.
#[derive(Clone)]
pub enum BufferForm {
    /// `&[T]`, `&Vec<T>`, `Vec<T>` and their `&mut` forms: the length is known at run time.
    Slice,
    /// `[T; N]`, `&[T; N]`, `&mut [T; N]`.
    Array(Expr),
}

// A handful live per expansion; boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum ParamKind {
    Scalar,
    Buffer {
        element: Type,
        form: BufferForm,
        /// Passed as `&mut`: written by the function, so an output as well as an input.
        mutable: bool,
    },
    /// `&mut T`: one float the function may read and write.
    Cell {
        element: Type,
    },
    Inactive,
}

/// Reads the kind of a parameter of type `ty`.
pub fn classify(ty: &Type) -> ParamKind {
    let (inner, by_ref, mutable) = match ty {
        Type::Reference(r) => (&*r.elem, true, r.mutability.is_some()),
        other => (other, false, false),
    };
    if float_kind(inner).is_some() {
        return match (by_ref, mutable) {
            (false, _) => ParamKind::Scalar,
            (true, true) => ParamKind::Cell {
                element: inner.clone(),
            },
            (true, false) => ParamKind::Inactive,
        };
    }
    let buffer = |element: &Type, form| ParamKind::Buffer {
        element: element.clone(),
        form,
        mutable,
    };
    match inner {
        Type::Slice(s) if by_ref && float_kind(&s.elem).is_some() => {
            buffer(&s.elem, BufferForm::Slice)
        }
        Type::Array(a) if float_kind(&a.elem).is_some() && (by_ref || !mutable) => {
            buffer(&a.elem, BufferForm::Array(a.len.clone()))
        }
        Type::Path(p) => match vec_element(p) {
            Some(element) => buffer(&element, BufferForm::Slice),
            None => ParamKind::Inactive,
        },
        _ => ParamKind::Inactive,
    }
}

/// `T` for `Vec<T>` with `T` a float.
pub fn vec_element(p: &syn::TypePath) -> Option<Type> {
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

    /// Whether the function can write it, making it an output too.
    pub fn is_in_out(&self) -> bool {
        matches!(
            self,
            ParamKind::Cell { .. } | ParamKind::Buffer { mutable: true, .. }
        )
    }

    /// The type of the `&mut` shadow its adjoint accumulates into, for buffers and cells.
    pub fn shadow_type(&self) -> Option<TokenStream> {
        match self {
            ParamKind::Buffer { element, form, .. } => Some(match form {
                BufferForm::Slice => quote!(&mut [#element]),
                BufferForm::Array(len) => quote!(&mut [#element; #len]),
            }),
            ParamKind::Cell { element } => Some(quote!(&mut #element)),
            _ => None,
        }
    }

    /// The type of this parameter's tangent in `f_tangent`: the parameter's own type for a
    /// scalar, a slice or array reference for a buffer (`&mut` when the function writes it).
    pub fn tangent_type(&self, declared: &Type) -> Option<TokenStream> {
        match self {
            ParamKind::Scalar => Some(quote!(#declared)),
            ParamKind::Buffer {
                element,
                form,
                mutable,
            } => {
                let mutability = mutable.then(|| quote!(mut));
                Some(match form {
                    BufferForm::Slice => quote!(&#mutability [#element]),
                    BufferForm::Array(len) => quote!(&#mutability [#element; #len]),
                })
            }
            ParamKind::Cell { element } => Some(quote!(&mut #element)),
            ParamKind::Inactive => None,
        }
    }

    /// A zero tangent for a parameter outside `wrt`, bound to `dot` as `f_tangent`'s body
    /// expects it.
    pub fn zero_tangent(&self, ident: &syn::Ident, dot: &syn::Ident, mutable: bool) -> TokenStream {
        let mutability = mutable.then(|| quote!(mut));
        let private = quote!(::autodiff::__private);
        let storage = quote::format_ident!("{}_zero", dot);
        match self {
            ParamKind::Scalar => {
                quote!(let #mutability #dot = #private::ZeroLike::zero_like(&#ident);)
            }
            ParamKind::Buffer { mutable: false, .. } => quote! {
                let #storage = #private::zeros_like(&#ident[..]);
                let #dot = &#storage[..];
            },
            ParamKind::Buffer { mutable: true, .. } => quote! {
                let mut #storage = #private::zeros_like(&#ident[..]);
                let #dot = &mut #storage[..];
            },
            ParamKind::Cell { .. } => quote! {
                let mut #storage = #private::ZeroLike::zero_like(&*#ident);
                let #dot = &mut #storage;
            },
            ParamKind::Inactive => TokenStream::new(),
        }
    }

    /// The owned type of this parameter's gradient, as `f_grad` returns it.
    pub fn gradient_type(&self, declared: &Type) -> TokenStream {
        match self {
            ParamKind::Buffer { element, form, .. } => match form {
                BufferForm::Slice => quote!(::std::vec::Vec<#element>),
                BufferForm::Array(len) => quote!([#element; #len]),
            },
            ParamKind::Cell { element } => quote!(#element),
            _ => quote!(#declared),
        }
    }

    /// A zero gradient of the right shape for the parameter `ident`, owned.
    pub fn zero_gradient(&self, ident: &syn::Ident) -> TokenStream {
        let zero =
            |element: &Type| quote!(<#element as ::autodiff::__private::num_traits::Zero>::zero());
        match self {
            ParamKind::Buffer { element, form, .. } => {
                let zero = zero(element);
                match form {
                    BufferForm::Slice => quote!(::std::vec![#zero; #ident.len()]),
                    BufferForm::Array(len) => quote!([#zero; #len]),
                }
            }
            ParamKind::Cell { element } => zero(element),
            _ => quote!(::autodiff::__private::ZeroLike::zero_like(&#ident)),
        }
    }
}
