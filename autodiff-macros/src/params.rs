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
//! | nalgebra `DVector<T>`, `Matrix3<T>`, … and `&` of them | value | returned, of the owned type       |
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
    /// A nalgebra vector or matrix of floats (`DVector<f64>`, `Matrix3<f32>`, …), by value or
    /// by `&`: treated like a scalar, its adjoint a value of the owned type.
    Value {
        owned: Type,
        by_ref: bool,
    },
    Inactive,
}

/// The nalgebra types, by their last path segment, whose first generic argument is the
/// entry type: `DVector<f64>`, `SMatrix<f32, 2, 3>`, `Matrix3x2<f64>`, ….
pub fn is_nalgebra_value(ty: &Type) -> bool {
    let Type::Path(p) = ty else {
        return false;
    };
    let Some(segment) = p.path.segments.last() else {
        return false;
    };
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return false;
    };
    is_nalgebra_type_name(ty)
        && matches!(args.args.first(), Some(syn::GenericArgument::Type(t)) if float_kind(t).is_some())
}

/// Whether `ty` names a nalgebra vector or matrix type, whatever its arguments.
pub fn is_nalgebra_type_name(ty: &Type) -> bool {
    let Type::Path(p) = ty else {
        return false;
    };
    p.path
        .segments
        .last()
        .is_some_and(|segment| is_nalgebra_name(&segment.ident.to_string()))
}

/// Whether `name` is one of nalgebra's vector or matrix type names (`DVector`, `Matrix3x2`, …).
pub fn is_nalgebra_name(name: &str) -> bool {
    let sized = |rest: &str| {
        let dims: Vec<&str> = rest.split('x').collect();
        !rest.is_empty()
            && dims.len() <= 2
            && dims
                .iter()
                .all(|d| matches!(*d, "1" | "2" | "3" | "4" | "5" | "6"))
    };
    matches!(
        name,
        "DVector"
            | "DMatrix"
            | "RowDVector"
            | "SVector"
            | "SMatrix"
            | "RowSVector"
            | "OVector"
            | "OMatrix"
    ) || name.strip_prefix("RowVector").is_some_and(sized)
        || name.strip_prefix("Vector").is_some_and(sized)
        || name.strip_prefix("Matrix").is_some_and(sized)
}

/// Reads the kind of a parameter of type `ty`.
pub fn classify(ty: &Type) -> ParamKind {
    let (inner, by_ref, mutable) = match ty {
        Type::Reference(r) => (&*r.elem, true, r.mutability.is_some()),
        other => (other, false, false),
    };
    if is_nalgebra_value(inner) && !mutable {
        return ParamKind::Value {
            owned: inner.clone(),
            by_ref,
        };
    }
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

/// The entry type of a nalgebra vector or matrix type (`f64` for `DVector<f64>`); `f64` if
/// it cannot be read.
pub fn nalgebra_entry(ty: &Type) -> TokenStream {
    if let Type::Path(p) = ty {
        if let Some(syn::PathArguments::AngleBracketed(args)) =
            p.path.segments.last().map(|s| &s.arguments)
        {
            if let Some(syn::GenericArgument::Type(entry)) = args.args.first() {
                return quote!(#entry);
            }
        }
    }
    quote!(f64)
}

impl ParamKind {
    /// Whether the parameter can carry a derivative.
    pub fn is_differentiable(&self) -> bool {
        !matches!(self, ParamKind::Inactive)
    }

    /// Whether its adjoint is a value the pullback returns (a scalar's, a matrix's), not a
    /// shadow it writes.
    pub fn is_value_like(&self) -> bool {
        matches!(self, ParamKind::Scalar | ParamKind::Value { .. })
    }

    /// The type of a value-like parameter's cotangent: the float, or the owned matrix.
    pub fn cotangent_type(&self, declared: &Type) -> Option<TokenStream> {
        match self {
            ParamKind::Scalar => Some(quote!(#declared)),
            ParamKind::Value { owned, .. } => Some(quote!(#owned)),
            _ => None,
        }
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

    /// The type of the `&mut` shadow `f_adjoint` adds this parameter's gradient into: a
    /// buffer's or cell's shadow, or a matrix of the owned type.
    pub fn adjoint_shadow_type(&self) -> Option<TokenStream> {
        match self {
            ParamKind::Value { owned, .. } => Some(quote!(&mut #owned)),
            _ => self.shadow_type(),
        }
    }

    /// The type of this parameter's tangent in `f_tangent`: the parameter's own type for a
    /// scalar, a slice or array reference for a buffer (`&mut` when the function writes it).
    pub fn tangent_type(&self, declared: &Type) -> Option<TokenStream> {
        self.tangent_type_of_floats(declared, |float| quote!(#float))
    }

    /// The shape of `tangent_type` with each float `T` of the parameter carrying
    /// `per_float(T)` instead: `f_tangents`' `Tangents<T, N>`. A scalar's type is `declared`.
    pub fn tangent_type_of_floats(
        &self,
        declared: &Type,
        per_float: impl Fn(&Type) -> TokenStream,
    ) -> Option<TokenStream> {
        match self {
            ParamKind::Scalar => Some(per_float(declared)),
            ParamKind::Buffer {
                element,
                form,
                mutable,
            } => {
                let mutability = mutable.then(|| quote!(mut));
                let element = per_float(element);
                Some(match form {
                    BufferForm::Slice => quote!(&#mutability [#element]),
                    BufferForm::Array(len) => quote!(&#mutability [#element; #len]),
                })
            }
            ParamKind::Cell { element } => {
                let element = per_float(element);
                Some(quote!(&mut #element))
            }
            ParamKind::Value { .. } => Some(quote!(#declared)),
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
            ParamKind::Value { by_ref: false, .. } => {
                quote!(let #mutability #dot = #private::ZeroLike::zero_like(&#ident);)
            }
            ParamKind::Value { by_ref: true, .. } => quote! {
                let #storage = #private::ZeroLike::zero_like(#ident);
                let #dot = &#storage;
            },
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
            ParamKind::Value { owned, .. } => quote!(#owned),
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
            ParamKind::Value { by_ref: true, .. } => {
                quote!(::autodiff::__private::ZeroLike::zero_like(#ident))
            }
            _ => quote!(::autodiff::__private::ZeroLike::zero_like(&#ident)),
        }
    }
}
