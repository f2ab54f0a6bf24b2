//! Pullbacks of nalgebra's matrix and vector methods, re-exported in
//! [`rules::methods`](crate::rules::methods) beside the float ones.
//!
//! Each takes the primal operands (receiver first) and the cotangent `g` of the result, and
//! returns one cotangent per operand, of the operand's own type. `⟨X, Y⟩ = Σ xᵢⱼ yᵢⱼ` is the
//! entrywise inner product, which is what nalgebra's `dot` computes for matrices too.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, DimMin, OMatrix, RealField};

use super::Entry;

/// `x.transpose()`: `x̄ = gᵀ`.
///
/// ```
/// use nalgebra::{RowVector3, Vector3};
///
/// let x = Vector3::new(1.0, 2.0, 3.0);
/// let (x_bar,) = autodiff_core::rules::methods::transpose(&x, &RowVector3::new(4.0, 5.0, 6.0));
/// assert_eq!(x_bar, Vector3::new(4.0, 5.0, 6.0));
/// ```
pub fn transpose<T: Entry, R: Dim, C: Dim>(
    _x: &OMatrix<T, R, C>,
    g: &OMatrix<T, C, R>,
) -> (OMatrix<T, R, C>,)
where
    DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
{
    (g.transpose(),)
}

/// `x.dot(&y) = ⟨x, y⟩` (for matrices too): `x̄ = g y`, `ȳ = g x`.
///
/// ```
/// use nalgebra::dvector;
///
/// let (x, y) = (dvector![1.0, 2.0], dvector![3.0, 4.0]);
/// let (x_bar, y_bar) = autodiff_core::rules::methods::dot(&x, &y, &2.0);
/// assert_eq!((x_bar, y_bar), (dvector![6.0, 8.0], dvector![2.0, 4.0]));
/// ```
pub fn dot<T: Entry, R: Dim, C: Dim>(
    x: &OMatrix<T, R, C>,
    y: &OMatrix<T, R, C>,
    g: &T,
) -> (OMatrix<T, R, C>, OMatrix<T, R, C>)
where
    DefaultAllocator: Allocator<R, C>,
{
    (y * *g, x * *g)
}

/// `x.norm() = ‖x‖` (the Frobenius norm for matrices): `x̄ = g x / ‖x‖`.
///
/// At `x = 0`, where the norm has a corner, `x̄ = 0` (the minimal-norm subgradient, as for
/// [`hypot`](crate::rules::methods::hypot) at the origin).
///
/// ```
/// use nalgebra::Vector2;
///
/// let (x_bar,) = autodiff_core::rules::methods::norm(&Vector2::new(3.0, 4.0), &10.0);
/// assert_eq!(x_bar, Vector2::new(6.0, 8.0));
/// let (at_zero,) = autodiff_core::rules::methods::norm(&Vector2::zeros(), &1.0);
/// assert_eq!(at_zero, Vector2::zeros());
/// ```
pub fn norm<T: Entry + RealField, R: Dim, C: Dim>(
    x: &OMatrix<T, R, C>,
    g: &T,
) -> (OMatrix<T, R, C>,)
where
    DefaultAllocator: Allocator<R, C>,
{
    let r = x.norm();
    if r == T::zero() {
        (x * (*g * r),)
    } else {
        (x * (*g / r),)
    }
}

/// `x.norm_squared() = ⟨x, x⟩`: `x̄ = 2 g x`.
///
/// ```
/// use nalgebra::dmatrix;
///
/// let x = dmatrix![1.0, 2.0; 3.0, 4.0];
/// let (x_bar,) = autodiff_core::rules::methods::norm_squared(&x, &1.0);
/// assert_eq!(x_bar, &x * 2.0);
/// ```
pub fn norm_squared<T: Entry, R: Dim, C: Dim>(x: &OMatrix<T, R, C>, g: &T) -> (OMatrix<T, R, C>,)
where
    DefaultAllocator: Allocator<R, C>,
{
    (x * (*g + *g),)
}

/// `x.normalize() = x / ‖x‖`: with `u = x / ‖x‖`, `x̄ = (g - u ⟨u, g⟩) / ‖x‖`, the part of
/// `g` orthogonal to `u`, scaled.
///
/// At `x = 0`, where `normalize` itself is NaN (`0 / 0`), so is every entry of `x̄`.
///
/// ```
/// use nalgebra::Vector2;
///
/// let x = Vector2::new(2.0, 0.0);
/// let (x_bar,) = autodiff_core::rules::methods::normalize(&x, &Vector2::new(1.0, 1.0));
/// assert_eq!(x_bar, Vector2::new(0.0, 0.5)); // only the tangential part survives
/// ```
pub fn normalize<T: Entry + RealField, R: Dim, C: Dim>(
    x: &OMatrix<T, R, C>,
    g: &OMatrix<T, R, C>,
) -> (OMatrix<T, R, C>,)
where
    DefaultAllocator: Allocator<R, C>,
{
    let r = x.norm();
    let u = x / r;
    let radial = u.dot(g);
    ((g - u * radial) / r,)
}

/// `x.sum()`: every entry gets `g`.
///
/// ```
/// use nalgebra::DVector;
///
/// let (x_bar,) = autodiff_core::rules::methods::sum(&DVector::from_vec(vec![1.0, 2.0]), &3.0);
/// assert_eq!(x_bar, DVector::repeat(2, 3.0));
/// ```
pub fn sum<T: Entry, R: Dim, C: Dim>(x: &OMatrix<T, R, C>, g: &T) -> (OMatrix<T, R, C>,)
where
    DefaultAllocator: Allocator<R, C>,
{
    let (rows, cols) = x.shape_generic();
    (OMatrix::from_element_generic(rows, cols, *g),)
}

/// `a.trace()`: `ā = g I`.
///
/// ```
/// use nalgebra::Matrix2;
///
/// let (a_bar,) = autodiff_core::rules::methods::trace(&Matrix2::new(1.0, 2.0, 3.0, 4.0), &5.0);
/// assert_eq!(a_bar, Matrix2::new(5.0, 0.0, 0.0, 5.0));
/// ```
pub fn trace<T: Entry, R: Dim, C: Dim>(a: &OMatrix<T, R, C>, g: &T) -> (OMatrix<T, R, C>,)
where
    DefaultAllocator: Allocator<R, C>,
{
    let (rows, cols) = a.shape_generic();
    (OMatrix::from_diagonal_element_generic(rows, cols, *g),)
}

/// `a.determinant()` of a square matrix: `ā = g det(A) A⁻ᵀ` (Jacobi's formula,
/// `d det(A) = det(A) tr(A⁻¹ dA)`), from one LU factorization.
///
/// For a singular matrix (a zero pivot), where `A⁻¹` does not exist, every entry of `ā` is
/// NaN; it does not panic. The derivative exists there (it is the cofactor matrix), but this
/// rule does not compute it. Near-singular matrices give finite cotangents, as accurate as
/// `A⁻¹` is.
///
/// ```
/// use nalgebra::Matrix2;
///
/// let a = Matrix2::new(2.0, 1.0, 1.0, 3.0); // det 5
/// let (a_bar,) = autodiff_core::rules::methods::determinant(&a, &1.0);
/// assert!((a_bar - Matrix2::new(3.0, -1.0, -1.0, 2.0)).norm() < 1e-12); // the cofactors
/// let (singular,) = autodiff_core::rules::methods::determinant(&Matrix2::<f64>::zeros(), &1.0);
/// assert!(singular.iter().all(|e| e.is_nan()));
/// ```
pub fn determinant<T: Entry + RealField, D: DimMin<D, Output = D>>(
    a: &OMatrix<T, D, D>,
    g: &T,
) -> (OMatrix<T, D, D>,)
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    let lu = a.clone().lu();
    let a_bar = match lu.try_inverse() {
        Some(inverse) => inverse.transpose() * (lu.determinant() * *g),
        None => a.map(|_| <T as num_traits::Float>::nan()),
    };
    (a_bar,)
}

/// `a.cross(&b)` of two 3-vectors (columns or rows): `ā = b × g`, `b̄ = g × a`, since
/// `⟨g, a × b⟩ = ⟨b × g, a⟩ = ⟨g × a, b⟩`.
///
/// ```
/// use nalgebra::Vector3;
///
/// let (a, b) = (Vector3::<f64>::x(), Vector3::y());
/// let (a_bar, b_bar) = autodiff_core::rules::methods::cross(&a, &b, &Vector3::z());
/// assert_eq!((a_bar, b_bar), (Vector3::x(), Vector3::y()));
/// ```
///
/// # Panics
/// If the operands are not 3-vectors, as `cross` itself does.
pub fn cross<T: Entry, R: Dim, C: Dim>(
    a: &OMatrix<T, R, C>,
    b: &OMatrix<T, R, C>,
    g: &OMatrix<T, R, C>,
) -> (OMatrix<T, R, C>, OMatrix<T, R, C>)
where
    DefaultAllocator: Allocator<R, C>,
{
    (b.cross(g), g.cross(a))
}

/// `a.component_mul(&b)`, the entrywise product: `ā = g ∘ b`, `b̄ = g ∘ a`.
///
/// ```
/// use nalgebra::dvector;
///
/// let (a, b) = (dvector![1.0, 2.0], dvector![3.0, 4.0]);
/// let (a_bar, b_bar) = autodiff_core::rules::methods::component_mul(&a, &b, &dvector![1.0, 10.0]);
/// assert_eq!((a_bar, b_bar), (dvector![3.0, 40.0], dvector![1.0, 20.0]));
/// ```
pub fn component_mul<T: Entry, R: Dim, C: Dim>(
    a: &OMatrix<T, R, C>,
    b: &OMatrix<T, R, C>,
    g: &OMatrix<T, R, C>,
) -> (OMatrix<T, R, C>, OMatrix<T, R, C>)
where
    DefaultAllocator: Allocator<R, C>,
{
    (g.component_mul(b), g.component_mul(a))
}

/// `a.component_div(&b)`, the entrywise quotient: `ā = g ⊘ b`, `b̄ = -g ∘ a ⊘ b²`.
///
/// Where an entry of `b` is zero, the cotangents there are infinite or NaN, as the quotient
/// is.
///
/// ```
/// use nalgebra::dvector;
///
/// let (a, b) = (dvector![1.0, 6.0], dvector![2.0, 3.0]);
/// let (a_bar, b_bar) = autodiff_core::rules::methods::component_div(&a, &b, &dvector![1.0, 1.0]);
/// assert_eq!((a_bar, b_bar), (dvector![0.5, 1.0 / 3.0], dvector![-0.25, -6.0 / 9.0]));
/// ```
pub fn component_div<T: Entry, R: Dim, C: Dim>(
    a: &OMatrix<T, R, C>,
    b: &OMatrix<T, R, C>,
    g: &OMatrix<T, R, C>,
) -> (OMatrix<T, R, C>, OMatrix<T, R, C>)
where
    DefaultAllocator: Allocator<R, C>,
{
    let a_bar = g.component_div(b);
    let b_bar = -a_bar.component_mul(a).component_div(b);
    (a_bar, b_bar)
}

/// `x.map(f)`, entrywise: `x̄ = g ∘ f′(x)`.
///
/// `f′` comes from forward mode: generated code passes the user's closure a second time,
/// where the compiler types it over dual numbers, and each entry's derivative is the
/// tangent of `f` at that entry.
///
/// ```
/// use autodiff_core::{rules::methods, NoTangent};
/// use nalgebra::dvector;
///
/// let x = dvector![0.0, 1.0];
/// let (x_bar, NoTangent) = methods::map(&x, &|v| v * v, &dvector![1.0, 2.0]);
/// assert_eq!(x_bar, dvector![0.0, 4.0]); // g ∘ 2x
/// ```
pub fn map<T, R, C, F>(
    x: &OMatrix<T, R, C>,
    f: &F,
    g: &OMatrix<T, R, C>,
) -> (OMatrix<T, R, C>, crate::NoTangent)
where
    T: Entry + num_traits::Float,
    R: Dim,
    C: Dim,
    F: Fn(crate::Dual<T>) -> crate::Dual<T>,
    DefaultAllocator: Allocator<R, C>,
{
    let mut x_bar = g.clone();
    for (entry, &value) in x_bar.iter_mut().zip(x.iter()) {
        *entry *= f(crate::Dual::variable(value)).eps;
    }
    (x_bar, crate::NoTangent)
}

/// `a.column(j)`, which generated code makes an owned vector: `ā` is zero but for column
/// `j`, which is `g`.
///
/// ```
/// use autodiff_core::{rules::methods, NoTangent};
/// use nalgebra::{dmatrix, dvector};
///
/// let a = dmatrix![1.0, 2.0; 3.0, 4.0];
/// let (a_bar, NoTangent) = methods::column(&a, &1, &dvector![5.0, 6.0]);
/// assert_eq!(a_bar, dmatrix![0.0, 5.0; 0.0, 6.0]);
/// ```
///
/// # Panics
/// If `j` is out of bounds, as `column` itself does.
pub fn column<T: Entry, R: Dim, C: Dim>(
    a: &OMatrix<T, R, C>,
    j: &usize,
    g: &OMatrix<T, R, nalgebra::U1>,
) -> (OMatrix<T, R, C>, crate::NoTangent)
where
    DefaultAllocator: Allocator<R, C> + Allocator<R, nalgebra::U1>,
{
    let (rows, cols) = a.shape_generic();
    let mut a_bar = OMatrix::<T, R, C>::zeros_generic(rows, cols);
    a_bar.column_mut(*j).copy_from(g);
    (a_bar, crate::NoTangent)
}

/// `a.row(i)`, which generated code makes an owned row vector: `ā` is zero but for row
/// `i`, which is `g`.
///
/// ```
/// use autodiff_core::{rules::methods, NoTangent};
/// use nalgebra::{dmatrix, RowDVector};
///
/// let a = dmatrix![1.0, 2.0; 3.0, 4.0];
/// let g = RowDVector::from_row_slice(&[5.0, 6.0]);
/// let (a_bar, NoTangent) = methods::row(&a, &0, &g);
/// assert_eq!(a_bar, dmatrix![5.0, 6.0; 0.0, 0.0]);
/// ```
///
/// # Panics
/// If `i` is out of bounds, as `row` itself does.
pub fn row<T: Entry, R: Dim, C: Dim>(
    a: &OMatrix<T, R, C>,
    i: &usize,
    g: &OMatrix<T, nalgebra::U1, C>,
) -> (OMatrix<T, R, C>, crate::NoTangent)
where
    DefaultAllocator: Allocator<R, C> + Allocator<nalgebra::U1, C>,
{
    let (rows, cols) = a.shape_generic();
    let mut a_bar = OMatrix::<T, R, C>::zeros_generic(rows, cols);
    a_bar.row_mut(*i).copy_from(g);
    (a_bar, crate::NoTangent)
}
