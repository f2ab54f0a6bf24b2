//! Adjoint accumulators used by generated reverse sweeps.
//!
//! A generated reverse sweep keeps the adjoint of every active variable as an `Option<T>`:
//! `None` is a *symbolic zero* (nothing has flowed into it yet), so a variable that never
//! influences the output costs no arithmetic, and the adjoint's type is inferred from the
//! first contribution instead of being spelled out by the macro, which sees no types.

use core::ops::{AddAssign, IndexMut};

/// Adds a contribution `g` into an adjoint accumulator.
///
/// ```
/// use autodiff_core::accumulate;
///
/// let mut x_bar = None;
/// accumulate(&mut x_bar, 2.0);
/// accumulate(&mut x_bar, 0.5);
/// assert_eq!(x_bar, Some(2.5));
/// ```
#[inline(always)]
pub fn accumulate<T: AddAssign>(adjoint: &mut Option<T>, g: T) {
    match adjoint {
        Some(sum) => *sum += g,
        None => *adjoint = Some(g),
    }
}

/// Adds `g` into entry `index` of an adjoint accumulator: the pullback of reading one
/// element (`v[i]`, `m[(i, j)]`) of an indexable value.
///
/// A `None` adjoint (a symbolic zero) first becomes a zero of `primal`'s shape. `index` is
/// whatever the value's `Index` takes: `usize` for a `Vec`, an array or a vector (a matrix's
/// `usize` index runs down its columns), `(usize, usize)` for a matrix.
///
/// ```
/// use autodiff_core::accumulate_element;
///
/// let x = vec![1.0, 2.0, 3.0];
/// let mut x_bar = None;
/// accumulate_element(&mut x_bar, &x, 1, 0.5);
/// accumulate_element(&mut x_bar, &x, 1, 0.25);
/// assert_eq!(x_bar, Some(vec![0.0, 0.75, 0.0]));
/// ```
///
/// With nalgebra matrices (feature `nalgebra`):
///
/// ```
/// # #[cfg(feature = "nalgebra")] {
/// use autodiff_core::accumulate_element;
/// use nalgebra::{dmatrix, DMatrix};
///
/// let a = dmatrix![1.0, 2.0; 3.0, 4.0];
/// let mut a_bar: Option<DMatrix<f64>> = None;
/// accumulate_element(&mut a_bar, &a, (1, 0), 2.0);
/// assert_eq!(a_bar, Some(dmatrix![0.0, 0.0; 2.0, 0.0]));
/// # }
/// ```
///
/// # Panics
/// If `index` is out of bounds, as reading the element did.
#[inline]
pub fn accumulate_element<M, I, T>(adjoint: &mut Option<M>, primal: &M, index: I, g: T)
where
    M: ZeroLike + IndexMut<I, Output = T>,
    T: AddAssign,
{
    adjoint.get_or_insert_with(|| primal.zero_like())[index] += g;
}

/// Returns entry `index` of an adjoint accumulator and sets it to zero: the pullback of
/// writing one element (`v[i] = e`, `m[(i, j)] = e`), whose old value no longer reaches the
/// output while the written `e` gets what had flowed into that entry.
///
/// A `None` adjoint gives zero and stays `None`.
///
/// ```
/// use autodiff_core::take_element;
///
/// let mut v_bar = Some(vec![1.0, 2.0]);
/// assert_eq!(take_element(&mut v_bar, 1), 2.0);
/// assert_eq!(v_bar, Some(vec![1.0, 0.0]));
/// assert_eq!(take_element(&mut None::<Vec<f64>>, 0), 0.0);
/// ```
///
/// With nalgebra matrices (feature `nalgebra`):
///
/// ```
/// # #[cfg(feature = "nalgebra")] {
/// use autodiff_core::take_element;
/// use nalgebra::Matrix2;
///
/// let mut m_bar = Some(Matrix2::new(1.0, 2.0, 3.0, 4.0));
/// assert_eq!(take_element(&mut m_bar, (0, 1)), 2.0);
/// assert_eq!(m_bar, Some(Matrix2::new(1.0, 0.0, 3.0, 4.0)));
/// # }
/// ```
///
/// # Panics
/// If `index` is out of bounds for a `Some` adjoint, as writing the element did.
#[inline]
pub fn take_element<M, I, T>(adjoint: &mut Option<M>, index: I) -> T
where
    M: IndexMut<I, Output = T>,
    T: num_traits::Zero,
{
    match adjoint {
        Some(sum) => core::mem::replace(&mut sum[index], T::zero()),
        None => T::zero(),
    }
}

/// Turns a finished accumulator into a gradient, with an exact zero of the primal's shape
/// where nothing flowed.
///
/// ```
/// use autodiff_core::gradient_or_zero;
///
/// assert_eq!(gradient_or_zero(Some(3.0), &1.0), 3.0);
/// assert_eq!(gradient_or_zero(None, &7.0_f64), 0.0);
/// ```
#[inline(always)]
pub fn gradient_or_zero<T: ZeroLike>(adjoint: Option<T>, primal: &T) -> T {
    match adjoint {
        Some(g) => g,
        None => primal.zero_like(),
    }
}

/// Values that can produce a zero tangent of their own shape.
///
/// ```
/// use autodiff_core::ZeroLike;
///
/// assert_eq!(3.5_f64.zero_like(), 0.0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be differentiated: it has no zero tangent",
    label = "active parameters and outputs must be `f64` or `f32`"
)]
pub trait ZeroLike {
    /// A zero of the same shape as `self`.
    fn zero_like(&self) -> Self;
}

impl ZeroLike for f64 {
    #[inline(always)]
    fn zero_like(&self) -> Self {
        0.0
    }
}

impl ZeroLike for f32 {
    #[inline(always)]
    fn zero_like(&self) -> Self {
        0.0
    }
}

impl<T: ZeroLike> ZeroLike for Vec<T> {
    fn zero_like(&self) -> Self {
        self.iter().map(ZeroLike::zero_like).collect()
    }
}

impl<T: ZeroLike, const N: usize> ZeroLike for [T; N] {
    fn zero_like(&self) -> Self {
        core::array::from_fn(|i| self[i].zero_like())
    }
}

/// A zeroed copy of `values`' shape: a shadow for a buffer passed twice to one call.
///
/// ```
/// assert_eq!(autodiff_core::zeros_like(&[1.5, 2.5][..]), vec![0.0, 0.0]);
/// ```
pub fn zeros_like<T: ZeroLike>(values: &[T]) -> Vec<T> {
    values.iter().map(ZeroLike::zero_like).collect()
}

/// Adds `src` into `dst` element by element: the pullback of copying a buffer.
///
/// ```
/// let mut shadow = [1.0, 2.0];
/// autodiff_core::add_elements(&mut shadow, &[0.5, 0.5]);
/// assert_eq!(shadow, [1.5, 2.5]);
/// ```
///
/// # Panics
/// If the lengths differ, which generated code never asks for.
pub fn add_elements<T: AddAssign + Clone>(dst: &mut [T], src: &[T]) {
    assert_eq!(dst.len(), src.len(), "autodiff: shadow lengths differ");
    for (d, s) in dst.iter_mut().zip(src) {
        *d += s.clone();
    }
}

/// The cotangent of an operand that cannot carry a derivative (an integer exponent, a
/// boolean): zero-sized, so the work on it disappears.
///
/// ```
/// use autodiff_core::rules::methods;
/// use autodiff_core::NoTangent;
///
/// let (dx, dn) = methods::powi(&2.0_f64, &3, &1.0);
/// assert_eq!(dx, 12.0);
/// assert_eq!(dn, NoTangent);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoTangent;

/// Wraps an argument whose tangent forward mode needs but that carries no derivative at the
/// call site: [`FloatTangent`] gives a float argument a zero tangent, and, for any other type,
/// [`OtherTangent`] gives [`NoTangent`]. Generated code calls
/// `(&TangentProbe(&arg)).zero_tangent()` with both traits in scope; method resolution picks
/// the float impl when it applies.
///
/// ```
/// use autodiff_core::{FloatTangent, NoTangent, OtherTangent, TangentProbe};
///
/// assert_eq!((&TangentProbe(&2.5_f64)).zero_tangent(), 0.0);
/// assert_eq!((&TangentProbe(&7_usize)).zero_tangent(), NoTangent);
/// ```
pub struct TangentProbe<'a, T>(pub &'a T);

/// A zero tangent for a float argument; see [`TangentProbe`].
pub trait FloatTangent {
    /// The tangent's type: the float itself.
    type Tangent;
    /// A zero tangent.
    fn zero_tangent(&self) -> Self::Tangent;
}

impl FloatTangent for TangentProbe<'_, f64> {
    type Tangent = f64;
    fn zero_tangent(&self) -> f64 {
        0.0
    }
}

impl FloatTangent for TangentProbe<'_, f32> {
    type Tangent = f32;
    fn zero_tangent(&self) -> f32 {
        0.0
    }
}

/// No tangent for an argument of any other type; see [`TangentProbe`].
pub trait OtherTangent {
    /// Nothing.
    fn zero_tangent(&self) -> NoTangent;
}

impl<T> OtherTangent for &TangentProbe<'_, T> {
    fn zero_tangent(&self) -> NoTangent {
        NoTangent
    }
}

/// The elements of a returned `Vec`'s cotangent as a slice, however it comes.
///
/// The pullback of a function returning a `Vec` takes the cotangent as
/// `impl AsRef<[T]>`: a borrowed slice from `f_adjoint`, an owned `Vec` from a caller's
/// reverse sweep, which accumulated it.
///
/// ```
/// use autodiff_core::cotangent_slice;
///
/// assert_eq!(cotangent_slice(&vec![1.0, 2.0]), &[1.0, 2.0]);
/// assert_eq!(cotangent_slice(&&[3.0][..]), &[3.0]);
/// ```
#[inline(always)]
pub fn cotangent_slice<T, D: AsRef<[T]>>(cotangent: &D) -> &[T] {
    cotangent.as_ref()
}

/// A returned array's cotangent, however it comes (see [`cotangent_slice`]).
///
/// ```
/// use autodiff_core::cotangent_array;
///
/// assert_eq!(cotangent_array(&[1.0, 2.0]), [1.0, 2.0]);
/// assert_eq!(cotangent_array(&&[3.0]), [3.0]);
/// ```
#[inline(always)]
pub fn cotangent_array<T: Clone, const N: usize, D: core::borrow::Borrow<[T; N]>>(
    cotangent: &D,
) -> [T; N] {
    cotangent.borrow().clone()
}
