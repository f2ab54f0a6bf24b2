//! Derivative rules for [nalgebra](https://nalgebra.org) matrices and vectors (feature
//! `nalgebra`, on by default).
//!
//! A generated reverse sweep treats a matrix like a scalar: its adjoint is a matrix of the
//! same type and shape, contributions are added with [`accumulate`](crate::accumulate), and
//! [`ZeroLike`] makes a zero of the primal's shape. `+`, `-` and unary `-`
//! need nothing more (their rules pass the cotangent on). This module adds the rest, chosen
//! by the operands' types:
//!
//! - **Products and quotients** ([`MulRule`](super::ops::MulRule),
//!   [`DivRule`](super::ops::DivRule)): every matrix product nalgebra's `*` accepts between
//!   owned matrices (`A * B`, `A * x`, `xᵀ * A`, `xᵀ * y`, the outer product `x * yᵀ`), a
//!   matrix times a scalar, an `f64` or `f32` times a matrix, and a matrix divided by a
//!   scalar.
//! - **Methods** (in [`rules::methods`](super::methods), so `__method_rule!` reaches them by
//!   name): [`transpose`](super::methods::transpose), [`dot`](super::methods::dot),
//!   [`norm`](super::methods::norm), [`norm_squared`](super::methods::norm_squared),
//!   [`normalize`](super::methods::normalize), [`sum`](super::methods::sum),
//!   [`trace`](super::methods::trace), [`determinant`](super::methods::determinant),
//!   [`cross`](super::methods::cross), [`component_mul`](super::methods::component_mul)
//!   and [`component_div`](super::methods::component_div).
//! - **`map` kept from the forward sweep**: [`map_with_derivatives`] and
//!   [`map_from_derivatives`], for a `map` whose entries' derivatives the forward sweep
//!   computes along with the values.
//! - **Element access**: [`accumulate_element`](crate::accumulate_element) and
//!   [`take_element`](crate::take_element) work on any indexable adjoint, matrices included.
//!
//! Every rule is generic over nalgebra's dimensions, so one rule covers the dynamic types
//! (`DMatrix`, `DVector`, `RowDVector`), the static ones (`SMatrix`, `SVector`,
//! `RowSVector` and their aliases `Matrix3`, `Vector3`, …) and mixes of the two, for every
//! matrix with *owned* storage ([`OMatrix`]); views (`a.column(0)`) have
//! no rules. Entries are [`Entry`] types: `f64`, `f32`, and dual numbers (forward over
//! reverse). The rules that need a square root or a factorization (`norm`, `normalize`,
//! `determinant`) take [`RealField`](nalgebra::RealField) entries, which dual numbers are
//! not.
//!
//! ```
//! use autodiff_core::rules::{methods, ops};
//! use nalgebra::{dmatrix, dvector};
//!
//! // f(x) = xᵀ A x; its gradient is (A + Aᵀ) x.
//! let (a, x) = (dmatrix![1.0, 2.0; 3.0, 4.0], dvector![1.0, -1.0]);
//! let xt = x.transpose();
//! let xt_a = &xt * &a;
//! let g = nalgebra::Matrix1::new(1.0); // cotangent of the 1×1 result
//! // Reverse sweep of `(xt * a) * x`, then of `xt * a`, then of `x.transpose()`.
//! let mut x_bar = Some(ops::mul_rhs(&xt_a, &x, &g));
//! let xt_a_bar = ops::mul_lhs(&xt_a, &x, &g);
//! let (from_xt,) = methods::transpose(&x, &ops::mul_lhs(&xt, &a, &xt_a_bar));
//! autodiff_core::accumulate(&mut x_bar, from_xt);
//! assert_eq!(x_bar.unwrap(), (&a + a.transpose()) * &x);
//! ```

use nalgebra::{ClosedAddAssign, ClosedDivAssign, ClosedMulAssign, ClosedSubAssign};
use nalgebra::{DefaultAllocator, Dim, OMatrix, Scalar};

use super::Real;
use crate::ZeroLike;

pub(super) mod methods;
mod products;
pub(super) mod tangents;

/// Matrix entries that the nalgebra rules accept: `f64`, `f32`, and dual numbers (any
/// [`num_traits::Float`] that nalgebra can store and multiply).
///
/// ```
/// fn takes_entries<T: autodiff_core::rules::linalg::Entry>() {}
///
/// takes_entries::<f64>();
/// takes_entries::<autodiff_core::Dual<f32>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "no derivative rules for matrices of `{Self}`",
    label = "matrix derivative rules need float entries",
    note = "derivative rules exist for nalgebra matrices of `f64`, `f32` and dual numbers"
)]
pub trait Entry:
    Real + Scalar + ClosedAddAssign + ClosedSubAssign + ClosedMulAssign + ClosedDivAssign
{
}

impl<T> Entry for T where
    T: Real + Scalar + ClosedAddAssign + ClosedSubAssign + ClosedMulAssign + ClosedDivAssign
{
}

/// A zero matrix of the same shape: the symbolic zero of a matrix adjoint made concrete.
///
/// ```
/// use autodiff_core::ZeroLike;
/// use nalgebra::{DMatrix, Vector3};
///
/// assert_eq!(DMatrix::<f64>::repeat(2, 3, 1.5).zero_like(), DMatrix::zeros(2, 3));
/// assert_eq!(Vector3::new(1.0_f32, 2.0, 3.0).zero_like(), Vector3::zeros());
/// ```
impl<T, R: Dim, C: Dim> ZeroLike for OMatrix<T, R, C>
where
    T: Scalar + num_traits::Zero,
    DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
{
    fn zero_like(&self) -> Self {
        let (rows, cols) = self.shape_generic();
        Self::zeros_generic(rows, cols)
    }
}

/// `x.map(f)` with each entry's derivative `f′(xᵢ)` beside it, from one run of `f` on dual
/// numbers: what the forward sweep computes for a `map` that [`map_from_derivatives`] pulls
/// back later.
///
/// [`map`](super::methods::map) runs `f` on dual numbers in the reverse sweep, after the forward sweep ran it on
/// the values: an expensive `f` (`tanh`, `exp`) was evaluated twice per entry, where one
/// dual evaluation gives both the value and the derivative. The values are the dual
/// numbers' real parts, which are computed by the same operations as `f` on plain floats.
///
/// ```
/// use autodiff_core::rules::linalg;
/// use nalgebra::dvector;
///
/// let (y, derivatives) = linalg::map_with_derivatives(&dvector![1.0, 3.0], &|v| v * v);
/// assert_eq!(y, dvector![1.0, 9.0]);
/// assert_eq!(derivatives, dvector![2.0, 6.0]);
/// ```
pub fn map_with_derivatives<T, R, C, F>(
    x: &OMatrix<T, R, C>,
    f: &F,
) -> (OMatrix<T, R, C>, OMatrix<T, R, C>)
where
    T: Entry + num_traits::Float,
    R: Dim,
    C: Dim,
    F: Fn(crate::Dual<T>) -> crate::Dual<T>,
    DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
{
    let (rows, cols) = x.shape_generic();
    let mut derivatives = OMatrix::<T, R, C>::zeros_generic(rows, cols);
    let values = OMatrix::from_iterator_generic(
        rows,
        cols,
        x.iter()
            .zip(derivatives.iter_mut())
            .map(|(&value, derivative)| {
                let y = f(crate::Dual::variable(value));
                *derivative = y.eps;
                y.re
            }),
    );
    (values, derivatives)
}

/// The pullback of `x.map(f)` from the derivatives [`map_with_derivatives`] kept:
/// `x̄ = g ∘ f′(x)`, written into the derivatives' own storage.
///
/// ```
/// use autodiff_core::{rules::linalg, NoTangent};
/// use nalgebra::dvector;
///
/// let (x_bar, NoTangent) = linalg::map_from_derivatives(dvector![2.0, 6.0], &dvector![1.0, 0.5]);
/// assert_eq!(x_bar, dvector![2.0, 3.0]);
/// ```
pub fn map_from_derivatives<T, R, C>(
    derivatives: OMatrix<T, R, C>,
    g: &OMatrix<T, R, C>,
) -> (OMatrix<T, R, C>, crate::NoTangent)
where
    T: Entry,
    R: Dim,
    C: Dim,
    DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
{
    let mut x_bar = derivatives;
    for (entry, &gi) in x_bar.iter_mut().zip(g.iter()) {
        // `g · f′` in the order `map` multiplies, so both give the same bits.
        *entry = gi * *entry;
    }
    (x_bar, crate::NoTangent)
}
