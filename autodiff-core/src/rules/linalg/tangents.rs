//! Forward-mode rules for the nalgebra methods whose result is a matrix: each takes the
//! primal operands and, for each, its tangent when it has one (`None` for an operand that
//! carries no derivative), and returns the tangent of the result. Methods with a scalar
//! result need none: their tangent is `⟨∇, dx⟩`, from the pullback at a cotangent of one and
//! [`inner`].
//!
//! Each panics if no operand has a tangent, which generated code never asks for.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix, RealField, U1};

use super::Entry;
use crate::{Dual, NoTangent};

/// `⟨a, b⟩`: the product of two scalars, the entrywise inner product of two matrices. The
/// tangent of a scalar function of its operands is the sum over them of `⟨∂f/∂xₖ, dxₖ⟩`.
///
/// ```
/// use autodiff_core::rules::tangents::inner;
/// use nalgebra::dvector;
///
/// assert_eq!(inner(&2.0, &3.0), 6.0);
/// assert_eq!(inner(&dvector![1.0, 2.0], &dvector![3.0, 4.0]), 11.0);
/// ```
pub fn inner<T: Inner>(a: &T, b: &T) -> T::Output {
    a.inner(b)
}

/// Values with an inner product; see [`inner`].
pub trait Inner {
    /// The scalar the product is.
    type Output;
    /// `⟨self, other⟩`.
    fn inner(&self, other: &Self) -> Self::Output;
}

macro_rules! scalar_inner {
    ($($t:ty),*) => {$(
        impl Inner for $t {
            type Output = $t;
            #[inline(always)]
            fn inner(&self, other: &Self) -> $t {
                *self * *other
            }
        }
    )*};
}

scalar_inner!(f32, f64);

impl<T: num_traits::Float> Inner for Dual<T> {
    type Output = Dual<T>;
    #[inline(always)]
    fn inner(&self, other: &Self) -> Dual<T> {
        *self * *other
    }
}

impl<T: Entry, R: Dim, C: Dim> Inner for OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Output = T;
    fn inner(&self, other: &Self) -> T {
        self.dot(other)
    }
}

/// The sum of the terms present: `None` when no operand carried a tangent.
fn sum<M: core::ops::Add<Output = M>>(a: Option<M>, b: Option<M>) -> M {
    match (a, b) {
        (Some(a), Some(b)) => a + b,
        (Some(t), None) | (None, Some(t)) => t,
        (None, None) => unreachable!("generated code asks for a tangent only when one flows"),
    }
}

/// `x.transpose()`: `dxᵀ`.
///
/// ```
/// use autodiff_core::rules::tangents;
/// use nalgebra::{RowVector2, Vector2};
///
/// let (x, dx) = (Vector2::new(1.0, 2.0), Vector2::new(3.0, 4.0));
/// assert_eq!(tangents::transpose(&x, Some(&dx)), RowVector2::new(3.0, 4.0));
/// ```
pub fn transpose<T: Entry, R: Dim, C: Dim>(
    _x: &OMatrix<T, R, C>,
    dx: Option<&OMatrix<T, R, C>>,
) -> OMatrix<T, C, R>
where
    DefaultAllocator: Allocator<R, C> + Allocator<C, R>,
{
    sum(dx.map(|d| d.transpose()), None)
}

/// `x.normalize()`: `(dx − u ⟨u, dx⟩) / ‖x‖` with `u = x / ‖x‖`.
///
/// ```
/// use autodiff_core::rules::tangents;
/// use nalgebra::Vector2;
///
/// let x = Vector2::new(2.0, 0.0);
/// let du = tangents::normalize(&x, Some(&Vector2::new(1.0, 1.0)));
/// assert_eq!(du, Vector2::new(0.0, 0.5)); // only the tangential part turns u
/// ```
pub fn normalize<T: Entry + RealField, R: Dim, C: Dim>(
    x: &OMatrix<T, R, C>,
    dx: Option<&OMatrix<T, R, C>>,
) -> OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    let r = x.norm();
    let u = x / r;
    sum(dx.map(|d| (d - &u * u.dot(d)) / r), None)
}

/// `a.cross(&b)`: `da × b + a × db`.
///
/// ```
/// use autodiff_core::rules::tangents;
/// use nalgebra::Vector3;
///
/// let (a, b) = (Vector3::<f64>::x(), Vector3::y());
/// assert_eq!(tangents::cross(&a, &b, Some(&Vector3::y()), None), Vector3::zeros());
/// assert_eq!(tangents::cross(&a, &b, None, Some(&Vector3::z())), -Vector3::y());
/// ```
///
/// # Panics
/// If the operands are not 3-vectors, as `cross` itself does.
pub fn cross<T: Entry, R: Dim, C: Dim>(
    a: &OMatrix<T, R, C>,
    b: &OMatrix<T, R, C>,
    da: Option<&OMatrix<T, R, C>>,
    db: Option<&OMatrix<T, R, C>>,
) -> OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    sum(da.map(|d| d.cross(b)), db.map(|d| a.cross(d)))
}

/// `a.component_mul(&b)`: `da ∘ b + a ∘ db`.
///
/// ```
/// use autodiff_core::rules::tangents;
/// use nalgebra::dvector;
///
/// let (a, b) = (dvector![1.0, 2.0], dvector![3.0, 4.0]);
/// let d = tangents::component_mul(&a, &b, Some(&dvector![1.0, 0.0]), Some(&dvector![0.0, 1.0]));
/// assert_eq!(d, dvector![3.0, 2.0]);
/// ```
pub fn component_mul<T: Entry, R: Dim, C: Dim>(
    a: &OMatrix<T, R, C>,
    b: &OMatrix<T, R, C>,
    da: Option<&OMatrix<T, R, C>>,
    db: Option<&OMatrix<T, R, C>>,
) -> OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    sum(
        da.map(|d| d.component_mul(b)),
        db.map(|d| a.component_mul(d)),
    )
}

/// `a.component_div(&b)`: `da ⊘ b − a ∘ db ⊘ b²`.
///
/// ```
/// use autodiff_core::rules::tangents;
/// use nalgebra::dvector;
///
/// let (a, b) = (dvector![1.0, 6.0], dvector![2.0, 3.0]);
/// let d = tangents::component_div(&a, &b, None, Some(&dvector![1.0, 1.0]));
/// assert_eq!(d, dvector![-0.25, -6.0 / 9.0]);
/// ```
pub fn component_div<T: Entry, R: Dim, C: Dim>(
    a: &OMatrix<T, R, C>,
    b: &OMatrix<T, R, C>,
    da: Option<&OMatrix<T, R, C>>,
    db: Option<&OMatrix<T, R, C>>,
) -> OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    sum(
        da.map(|d| d.component_div(b)),
        db.map(|d| -a.component_mul(d).component_div(&b.component_mul(b))),
    )
}

/// `x.map(f)`, entrywise: `dx ∘ f′(x)`, `f′` from running the closure on dual numbers as
/// the pullback [`map`](crate::rules::methods::map) does.
///
/// ```
/// use autodiff_core::rules::tangents;
/// use nalgebra::dvector;
///
/// let x = dvector![1.0, 2.0];
/// let d = tangents::map(&x, &|v| v * v, Some(&dvector![1.0, 1.0]), None);
/// assert_eq!(d, dvector![2.0, 4.0]);
/// ```
pub fn map<T, R, C, F>(
    x: &OMatrix<T, R, C>,
    f: &F,
    dx: Option<&OMatrix<T, R, C>>,
    _df: Option<&NoTangent>,
) -> OMatrix<T, R, C>
where
    T: Entry + num_traits::Float,
    R: Dim,
    C: Dim,
    F: Fn(Dual<T>) -> Dual<T>,
    DefaultAllocator: Allocator<R, C>,
{
    sum(dx.map(|d| crate::rules::methods::map(x, f, d).0), None)
}

/// `a.column(j)`, made owned: the same column of `da`.
///
/// ```
/// use autodiff_core::rules::tangents;
/// use nalgebra::{dmatrix, dvector};
///
/// let (a, da) = (dmatrix![1.0, 2.0; 3.0, 4.0], dmatrix![5.0, 6.0; 7.0, 8.0]);
/// assert_eq!(tangents::column(&a, &1, Some(&da), None), dvector![6.0, 8.0]);
/// ```
pub fn column<T: Entry, R: Dim, C: Dim>(
    _a: &OMatrix<T, R, C>,
    j: &usize,
    da: Option<&OMatrix<T, R, C>>,
    _dj: Option<&NoTangent>,
) -> OMatrix<T, R, U1>
where
    DefaultAllocator: Allocator<R, C> + Allocator<R, U1>,
{
    sum(da.map(|d| d.column(*j).clone_owned()), None)
}

/// `a.row(i)`, made owned: the same row of `da`.
///
/// ```
/// use autodiff_core::rules::tangents;
/// use nalgebra::{dmatrix, RowDVector};
///
/// let (a, da) = (dmatrix![1.0, 2.0; 3.0, 4.0], dmatrix![5.0, 6.0; 7.0, 8.0]);
/// let row = tangents::row(&a, &0, Some(&da), None);
/// assert_eq!(row, RowDVector::from_row_slice(&[5.0, 6.0]));
/// ```
pub fn row<T: Entry, R: Dim, C: Dim>(
    _a: &OMatrix<T, R, C>,
    i: &usize,
    da: Option<&OMatrix<T, R, C>>,
    _di: Option<&NoTangent>,
) -> OMatrix<T, U1, C>
where
    DefaultAllocator: Allocator<R, C> + Allocator<U1, C>,
{
    sum(da.map(|d| d.row(*i).clone_owned()), None)
}
