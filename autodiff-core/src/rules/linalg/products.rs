//! [`MulRule`] and [`DivRule`] for nalgebra matrices: matrix products, scaling by a scalar
//! on either side, and division by a scalar.
//!
//! With `⟨X, Y⟩ = Σ xᵢⱼ yᵢⱼ` the entrywise inner product, the pullback of a bilinear
//! `f(a, b)` sends the cotangent `G` of the result to the `ā` with `⟨ā, da⟩ = ⟨G, f(da, b)⟩`
//! for every `da` (and likewise for `b`).

use nalgebra::allocator::Allocator;
use nalgebra::constraint::ShapeConstraint;
use nalgebra::constraint::{AreMultipliable, SameNumberOfColumns, SameNumberOfRows};
use nalgebra::{DefaultAllocator, Dim, OMatrix};

use super::Entry;
use crate::rules::ops::{DivRule, MulRule};

/// `C = A B` for every pair of owned matrices that nalgebra multiplies: matrix × matrix,
/// matrix × vector, row vector × matrix, row vector × vector (a 1×1 result) and vector ×
/// row vector (an outer product), static, dynamic or mixed.
///
/// `⟨G, dA B⟩ = ⟨G Bᵀ, dA⟩` and `⟨G, A dB⟩ = ⟨Aᵀ G, dB⟩`, so `Ā = G Bᵀ` and `B̄ = Aᵀ G`.
/// When `B` is a single column (`A x`), `Ā = g xᵀ` is one outer product, written entry by
/// entry in one pass, and `B̄ = Aᵀ g` one transposed matrix-vector product (`gemv_tr`),
/// neither of which copies anything; otherwise each is one `gemm` on a transposed copy of the other factor, which
/// nalgebra hands to `matrixmultiply` for large dynamic `f64` and `f32` matrices. (A
/// strided view of the transpose would save the copy, but nalgebra 0.33's `axpy` kernel,
/// which `gemm` falls back to, reads past the end of a strided vector.)
///
/// `mul_lhs` takes the shape of `Ā` from `G` and `B`, never from `A`, and `mul_rhs` the shape
/// of `B̄` from `A` and `G`, never from `B`: the operand a rule must not read may be a stale
/// value whose dynamic dimensions differ.
///
/// ```
/// use autodiff_core::rules::ops;
/// use nalgebra::{dmatrix, dvector};
///
/// let (a, x) = (dmatrix![1.0, 2.0; 3.0, 4.0; 5.0, 6.0], dvector![1.0, -1.0]);
/// let g = dvector![1.0, 1.0, 1.0]; // cotangent of A x
/// assert_eq!(ops::mul_lhs(&a, &x, &g), dmatrix![1.0, -1.0; 1.0, -1.0; 1.0, -1.0]);
/// assert_eq!(ops::mul_rhs(&a, &x, &g), a.transpose() * &g); // Aᵀ 1
/// ```
impl<T, R1, C1, R2, C2> MulRule<OMatrix<T, R2, C2>> for OMatrix<T, R1, C1>
where
    T: Entry,
    R1: Dim,
    C1: Dim,
    R2: Dim,
    C2: Dim,
    DefaultAllocator: Allocator<R1, C1>
        + Allocator<R2, C2>
        + Allocator<R1, C2>
        + Allocator<C1, R1>
        + Allocator<C2, R2>,
    ShapeConstraint:
        AreMultipliable<R1, C1, R2, C2> + SameNumberOfColumns<C1, R2> + SameNumberOfRows<R2, C1>,
{
    type Output = OMatrix<T, R1, C2>;

    fn mul_lhs(_lhs: &Self, rhs: &OMatrix<T, R2, C2>, g: &Self::Output) -> Self {
        let (one, zero) = (T::one(), T::zero());
        let (rows, cols) = (g.shape_generic().0, C1::from_usize(rhs.nrows()));
        if rhs.ncols() == 1 {
            // The outer product g xᵀ, written once: no zero-filled matrix to overwrite.
            let (g, x) = (g.column(0), rhs.column(0));
            return Self::from_fn_generic(rows, cols, |i, j| g[i] * x[j]);
        }
        let mut lhs_bar = Self::zeros_generic(rows, cols);
        lhs_bar.gemm(one, g, &rhs.transpose(), zero);
        lhs_bar
    }

    fn mul_rhs(lhs: &Self, _rhs: &OMatrix<T, R2, C2>, g: &Self::Output) -> OMatrix<T, R2, C2> {
        let (one, zero) = (T::one(), T::zero());
        let rows = R2::from_usize(lhs.ncols());
        let mut rhs_bar = OMatrix::<T, R2, C2>::zeros_generic(rows, g.shape_generic().1);
        if g.ncols() == 1 {
            rhs_bar.column_mut(0).gemv_tr(one, lhs, &g.column(0), zero);
        } else {
            rhs_bar.gemm(one, &lhs.transpose(), g, zero);
        }
        rhs_bar
    }
}

/// `C = A s` for a matrix `A` and a scalar `s` of its entry type: `Ā = s G`, `s̄ = ⟨G, A⟩`.
///
/// ```
/// use autodiff_core::rules::ops;
/// use nalgebra::Vector2;
///
/// let (a, s, g) = (Vector2::new(1.0, 2.0), 3.0, Vector2::new(1.0, 10.0));
/// assert_eq!(ops::mul_lhs(&a, &s, &g), Vector2::new(3.0, 30.0));
/// assert_eq!(ops::mul_rhs(&a, &s, &g), 21.0);
/// ```
impl<T: Entry, R: Dim, C: Dim> MulRule<T> for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;

    fn mul_lhs(_lhs: &Self, rhs: &T, g: &Self) -> Self {
        g * *rhs
    }

    fn mul_rhs(lhs: &Self, _rhs: &T, g: &Self) -> T {
        g.dot(lhs)
    }
}

/// `s * A` for each primitive float `s`.
macro_rules! scalar_times_matrix {
    ($($float:ty),*) => {$(
        /// `C = s A` for an `f64` or `f32` scalar `s` (nalgebra has `s * A` for the primitive floats
        /// only): `s̄ = ⟨G, A⟩`, `Ā = s G`.
        ///
        /// ```
        /// use autodiff_core::rules::ops;
        /// use nalgebra::RowDVector;
        ///
        /// let (s, a, g) = (2.0_f32, RowDVector::from_vec(vec![1.0, 2.0]), RowDVector::repeat(2, 1.0));
        /// assert_eq!(ops::mul_lhs(&s, &a, &g), 3.0);
        /// assert_eq!(ops::mul_rhs(&s, &a, &g), RowDVector::repeat(2, 2.0));
        /// ```
        impl<R: Dim, C: Dim> MulRule<OMatrix<$float, R, C>> for $float
        where
            DefaultAllocator: Allocator<R, C>,
        {
            type Output = OMatrix<$float, R, C>;

            fn mul_lhs(_lhs: &Self, rhs: &OMatrix<$float, R, C>, g: &Self::Output) -> Self {
                g.dot(rhs)
            }

            fn mul_rhs(
                lhs: &Self,
                _rhs: &OMatrix<$float, R, C>,
                g: &Self::Output,
            ) -> OMatrix<$float, R, C> {
                g * *lhs
            }
        }
    )*};
}

scalar_times_matrix!(f64, f32);

/// `C = A / s` for a matrix `A` and a scalar `s` of its entry type: `Ā = G / s` and
/// `s̄ = -⟨G, A⟩ / s²`.
///
/// At `s = 0` the cotangents are infinite or NaN, as the quotient is.
///
/// ```
/// use autodiff_core::rules::ops;
/// use nalgebra::Matrix2;
///
/// let (a, s, g) = (Matrix2::new(1.0, 2.0, 3.0, 4.0), 2.0, Matrix2::repeat(1.0));
/// assert_eq!(ops::div_lhs(&a, &s, &g), Matrix2::repeat(0.5));
/// assert_eq!(ops::div_rhs(&a, &s, &g), -2.5); // -(1 + 2 + 3 + 4) / 4
/// ```
impl<T: Entry, R: Dim, C: Dim> DivRule<T> for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Output = Self;

    fn div_lhs(_lhs: &Self, rhs: &T, g: &Self) -> Self {
        g / *rhs
    }

    fn div_rhs(lhs: &Self, rhs: &T, g: &Self) -> T {
        -g.dot(lhs) / (*rhs * *rhs)
    }
}

/// `C = s A` for a dual scalar and a matrix of dual numbers, as in the second-order copy of
/// `2.0 * x`: `s̄ = ⟨G, A⟩`, `Ā = s G`.
///
/// ```
/// use autodiff_core::{rules::ops, Dual};
/// use nalgebra::DVector;
///
/// let (s, a) = (Dual::new(2.0, 1.0), DVector::from_element(2, Dual::constant(3.0)));
/// let g = DVector::from_element(2, Dual::constant(1.0));
/// assert_eq!(ops::mul_lhs(&s, &a, &g), Dual::constant(6.0));
/// assert_eq!(ops::mul_rhs(&s, &a, &g)[0], Dual::new(2.0, 1.0));
/// ```
impl<T, R: Dim, C: Dim> MulRule<OMatrix<crate::Dual<T>, R, C>> for crate::Dual<T>
where
    crate::Dual<T>: Entry,
    DefaultAllocator: Allocator<R, C>,
{
    type Output = OMatrix<crate::Dual<T>, R, C>;

    fn mul_lhs(_lhs: &Self, rhs: &OMatrix<crate::Dual<T>, R, C>, g: &Self::Output) -> Self {
        g.dot(rhs)
    }

    fn mul_rhs(
        lhs: &Self,
        _rhs: &OMatrix<crate::Dual<T>, R, C>,
        g: &Self::Output,
    ) -> OMatrix<crate::Dual<T>, R, C> {
        g * *lhs
    }
}
