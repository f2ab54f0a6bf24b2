//! [`Tangents`]: the derivatives of one float along `N` directions, the tangent type of the
//! `f_tangents` functions that `#[differentiate(tangents)]` generates.
//!
//! `f_tangent` carries one tangent per value and gives one directional derivative per run
//! of `f`; `f_tangents` carries `N` of them side by side, so one run gives `N` columns of the
//! Jacobian and the primal computation is shared between them. The tangent arithmetic is
//! the same, done on `N` lanes at once, which the compiler turns into vector instructions.

use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use num_traits::Zero;

use crate::adjoint::NoTangent;
use crate::rules::ops::CastRule;

/// The tangents of one float along `N` directions: entry `j` is the derivative of the value
/// along direction `j`.
///
/// Seed an input with [`Tangents::unit`] (or a slice with [`Tangents::seeds`]) to get the
/// derivatives with respect to it; the result's entries are then a Jacobian's columns.
///
/// ```
/// use autodiff_core::Tangents;
///
/// // z = x y at (x, y) = (2, 3), with direction 0 moving x and direction 1 moving y:
/// let (x, y) = (2.0, 3.0);
/// let (x_dot, y_dot) = (Tangents::<f64, 2>::unit(0), Tangents::unit(1));
/// let z_dot = x_dot * y + y_dot * x;
/// assert_eq!(z_dot.0, [3.0, 2.0]); // (∂z/∂x, ∂z/∂y)
/// ```
///
/// `#[differentiate(tangents)]` writes that arithmetic for a whole function; see the
/// `autodiff` crate's documentation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tangents<T, const N: usize>(pub [T; N]);

impl<T: Zero + Copy, const N: usize> Tangents<T, N> {
    /// All `N` tangents zero.
    ///
    /// ```
    /// assert_eq!(autodiff_core::Tangents::<f64, 3>::zero().0, [0.0; 3]);
    /// ```
    #[inline(always)]
    pub fn zero() -> Self {
        Tangents([T::zero(); N])
    }

    /// Zero tangents for a value like `value`: what a value that depends on no input carries.
    ///
    /// ```
    /// use autodiff_core::Tangents;
    ///
    /// let t: Tangents<f64, 2> = Tangents::zero_like(&5.0);
    /// assert_eq!(t.0, [0.0, 0.0]);
    /// ```
    #[inline(always)]
    pub fn zero_like(_value: &T) -> Self {
        Self::zero()
    }
}

impl<T: Zero + num_traits::One + Copy, const N: usize> Tangents<T, N> {
    /// The seed of direction `direction`: one there, zero in every other.
    ///
    /// # Panics
    ///
    /// If `direction >= N`.
    ///
    /// ```
    /// assert_eq!(autodiff_core::Tangents::<f64, 3>::unit(1).0, [0.0, 1.0, 0.0]);
    /// ```
    #[inline]
    pub fn unit(direction: usize) -> Self {
        let mut seed = Self::zero();
        seed.0[direction] = T::one();
        seed
    }

    /// Seeds for a buffer of `len` inputs whose entry `i` moves along direction
    /// `first + i`: the derivatives with respect to the whole buffer, in directions
    /// `first..first + len`. Directions at `N` or beyond are left out (those entries get zero
    /// tangents), so a buffer longer than `N` can be covered in several runs.
    ///
    /// ```
    /// use autodiff_core::Tangents;
    ///
    /// let seeds = Tangents::<f64, 3>::seeds(2, 1);
    /// assert_eq!(seeds, vec![Tangents([0.0, 1.0, 0.0]), Tangents([0.0, 0.0, 1.0])]);
    /// ```
    pub fn seeds(len: usize, first: usize) -> Vec<Self> {
        (0..len)
            .map(|i| match first.checked_add(i) {
                Some(direction) if direction < N => Self::unit(direction),
                _ => Self::zero(),
            })
            .collect()
    }
}

impl<T: Zero + Copy, const N: usize> Default for Tangents<T, N> {
    #[inline(always)]
    fn default() -> Self {
        Self::zero()
    }
}

impl<T: Copy + Add<Output = T>, const N: usize> Add for Tangents<T, N> {
    type Output = Self;
    #[inline(always)]
    fn add(mut self, rhs: Self) -> Self {
        for (t, r) in self.0.iter_mut().zip(&rhs.0) {
            *t = *t + *r;
        }
        self
    }
}

impl<T: Copy + Sub<Output = T>, const N: usize> Sub for Tangents<T, N> {
    type Output = Self;
    #[inline(always)]
    fn sub(mut self, rhs: Self) -> Self {
        for (t, r) in self.0.iter_mut().zip(&rhs.0) {
            *t = *t - *r;
        }
        self
    }
}

impl<T: Copy + Neg<Output = T>, const N: usize> Neg for Tangents<T, N> {
    type Output = Self;
    #[inline(always)]
    fn neg(mut self) -> Self {
        for t in &mut self.0 {
            *t = -*t;
        }
        self
    }
}

/// Scaling by a partial derivative: `∂y/∂x · ẋ` for each direction.
impl<T: Copy + Mul<Output = T>, const N: usize> Mul<T> for Tangents<T, N> {
    type Output = Self;
    #[inline(always)]
    fn mul(mut self, factor: T) -> Self {
        for t in &mut self.0 {
            *t = *t * factor;
        }
        self
    }
}

impl<T: Copy + Div<Output = T>, const N: usize> Div<T> for Tangents<T, N> {
    type Output = Self;
    #[inline(always)]
    fn div(mut self, divisor: T) -> Self {
        for t in &mut self.0 {
            *t = *t / divisor;
        }
        self
    }
}

impl<T: Copy + AddAssign, const N: usize> AddAssign for Tangents<T, N> {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        for (t, r) in self.0.iter_mut().zip(&rhs.0) {
            *t += *r;
        }
    }
}

impl<T: Copy + SubAssign, const N: usize> SubAssign for Tangents<T, N> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        for (t, r) in self.0.iter_mut().zip(&rhs.0) {
            *t -= *r;
        }
    }
}

impl<T: Copy + MulAssign, const N: usize> MulAssign<T> for Tangents<T, N> {
    #[inline(always)]
    fn mul_assign(&mut self, factor: T) {
        for t in &mut self.0 {
            *t *= factor;
        }
    }
}

// Generated code passes operands it cannot prove to be plain floats by reference, as it
// does for matrices: every operator also takes references.
macro_rules! by_reference {
    ($($op:ident :: $method:ident),*) => {$(
        impl<'a, T: Copy + $op<Output = T>, const N: usize> $op<&'a Tangents<T, N>> for Tangents<T, N> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, rhs: &'a Self) -> Self { self.$method(*rhs) }
        }
        impl<'a, T: Copy + $op<Output = T>, const N: usize> $op<Tangents<T, N>> for &'a Tangents<T, N> {
            type Output = Tangents<T, N>;
            #[inline(always)]
            fn $method(self, rhs: Tangents<T, N>) -> Tangents<T, N> { (*self).$method(rhs) }
        }
        impl<'a, 'b, T: Copy + $op<Output = T>, const N: usize> $op<&'b Tangents<T, N>> for &'a Tangents<T, N> {
            type Output = Tangents<T, N>;
            #[inline(always)]
            fn $method(self, rhs: &'b Tangents<T, N>) -> Tangents<T, N> { (*self).$method(*rhs) }
        }
    )*};
}

by_reference!(Add::add, Sub::sub);

macro_rules! scaled_by_reference {
    ($($op:ident :: $method:ident),*) => {$(
        impl<'a, T: Copy + $op<Output = T>, const N: usize> $op<&'a T> for Tangents<T, N> {
            type Output = Self;
            #[inline(always)]
            fn $method(self, factor: &'a T) -> Self { self.$method(*factor) }
        }
        impl<'a, T: Copy + $op<Output = T>, const N: usize> $op<T> for &'a Tangents<T, N> {
            type Output = Tangents<T, N>;
            #[inline(always)]
            fn $method(self, factor: T) -> Tangents<T, N> { (*self).$method(factor) }
        }
        impl<'a, 'b, T: Copy + $op<Output = T>, const N: usize> $op<&'b T> for &'a Tangents<T, N> {
            type Output = Tangents<T, N>;
            #[inline(always)]
            fn $method(self, factor: &'b T) -> Tangents<T, N> { (*self).$method(*factor) }
        }
    )*};
}

scaled_by_reference!(Mul::mul, Div::div);

impl<T: Copy + Neg<Output = T>, const N: usize> Neg for &Tangents<T, N> {
    type Output = Tangents<T, N>;
    #[inline(always)]
    fn neg(self) -> Tangents<T, N> {
        -*self
    }
}

macro_rules! scalar_times_tangents {
    ($($float:ty),*) => {$(
        /// A partial derivative times tangents, as in `∂y/∂x · ẋ` written the other way round.
        impl<const N: usize> Mul<Tangents<$float, N>> for $float {
            type Output = Tangents<$float, N>;
            #[inline(always)]
            fn mul(self, tangents: Tangents<$float, N>) -> Tangents<$float, N> {
                tangents * self
            }
        }
    )*};
}

scalar_times_tangents!(f64, f32);

/// The tangents of an `as` cast between floats: each direction's tangent cast the same way.
///
/// ```
/// use autodiff_core::{tangents::cast, Tangents};
///
/// let narrow: Tangents<f32, 2> = cast(&1.5_f32, &Tangents([0.25_f64, -2.0]));
/// assert_eq!(narrow.0, [0.25_f32, -2.0]);
/// ```
#[inline(always)]
pub fn cast<To, From, const N: usize>(_value: &To, tangents: &Tangents<From, N>) -> Tangents<To, N>
where
    To: CastRule<From>,
{
    Tangents(core::array::from_fn(|j| To::cast_back(&tangents.0[j])))
}

/// Zero tangents in `N` directions for a buffer: a `Vec`, a slice or an array of floats
/// gives a `Vec` or an array of [`Tangents`] of the same length.
///
/// ```
/// use autodiff_core::{Tangents, ZeroTangents};
///
/// let zeros: Vec<Tangents<f64, 4>> = ZeroTangents::<4>::zero_tangents(&[1.0, 2.0][..]);
/// assert_eq!(zeros, vec![Tangents::zero(); 2]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no tangents in `f_tangents`",
    label = "`#[differentiate(tangents)]` carries tangents for floats and buffers of floats"
)]
pub trait ZeroTangents<const N: usize> {
    /// The buffer of tangents.
    type Tangents;
    /// A buffer of zero tangents of the same length as `self`.
    fn zero_tangents(&self) -> Self::Tangents;
}

impl<T: Zero + Copy, const N: usize> ZeroTangents<N> for [T] {
    type Tangents = Vec<Tangents<T, N>>;
    fn zero_tangents(&self) -> Self::Tangents {
        vec![Tangents::zero(); self.len()]
    }
}

impl<T: Zero + Copy, const N: usize> ZeroTangents<N> for Vec<T> {
    type Tangents = Vec<Tangents<T, N>>;
    fn zero_tangents(&self) -> Self::Tangents {
        vec![Tangents::zero(); self.len()]
    }
}

impl<T: Zero + Copy, const N: usize, const LEN: usize> ZeroTangents<N> for [T; LEN] {
    type Tangents = [Tangents<T, N>; LEN];
    fn zero_tangents(&self) -> Self::Tangents {
        [Tangents::zero(); LEN]
    }
}

/// A bound that never holds, for better errors: a function without `f_tangents` gets a
/// hidden stand-in `g_tangents_all` bounded by this trait on a marker type
/// `g_without_tangents`, so that a caller's `f_tangents` that calls it fails to compile at
/// the call with this trait's message, rather than with an unknown name.
///
/// Nothing implements it.
#[diagnostic::on_unimplemented(
    message = "`{Self}`: this callee has no forward mode in many directions, which `f_tangents` calls",
    label = "called from a function with `#[differentiate(tangents)]`",
    note = "add `tangents` to the callee's `#[differentiate(..)]` too"
)]
pub trait Generated<const N: usize> {}

/// Wraps an argument that carries no tangents at a call in `f_tangents`, as
/// [`TangentProbe`](crate::TangentProbe) does for `f_tangent`: [`FloatTangents`] gives a
/// float zero tangents, and [`OtherTangents`] gives any other type [`NoTangent`].
///
/// ```
/// use autodiff_core::tangents::{FloatTangents, OtherTangents, TangentsProbe};
/// use autodiff_core::{NoTangent, Tangents};
///
/// assert_eq!((&TangentsProbe::<_, 2>(&2.5_f64)).zero_tangents(), Tangents([0.0, 0.0]));
/// assert_eq!((&TangentsProbe::<_, 2>(&7_usize)).zero_tangents(), NoTangent);
/// ```
pub struct TangentsProbe<'a, T, const N: usize>(pub &'a T);

/// Zero tangents for a float argument; see [`TangentsProbe`].
pub trait FloatTangents {
    /// The tangents' type.
    type Tangents;
    /// Zero tangents.
    fn zero_tangents(&self) -> Self::Tangents;
}

macro_rules! float_probe {
    ($($float:ty),*) => {$(
        impl<const N: usize> FloatTangents for TangentsProbe<'_, $float, N> {
            type Tangents = Tangents<$float, N>;
            #[inline(always)]
            fn zero_tangents(&self) -> Tangents<$float, N> {
                Tangents::zero()
            }
        }
    )*};
}

float_probe!(f64, f32);

/// No tangents for an argument of any other type; see [`TangentsProbe`].
pub trait OtherTangents {
    /// Nothing.
    fn zero_tangents(&self) -> NoTangent;
}

impl<T, const N: usize> OtherTangents for &TangentsProbe<'_, T, N> {
    #[inline(always)]
    fn zero_tangents(&self) -> NoTangent {
        NoTangent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::op_ref)] // the operators on references are what is tested
    fn arithmetic_works_lane_by_lane() {
        let a = Tangents([1.0_f64, 2.0, 3.0]);
        let b = Tangents([0.5, -1.0, 4.0]);
        assert_eq!((a + b).0, [1.5, 1.0, 7.0]);
        assert_eq!((a - b).0, [0.5, 3.0, -1.0]);
        assert_eq!((-a).0, [-1.0, -2.0, -3.0]);
        assert_eq!((a * 2.0).0, [2.0, 4.0, 6.0]);
        assert_eq!((2.0_f64 * a).0, [2.0, 4.0, 6.0]);
        assert_eq!((a / 2.0).0, [0.5, 1.0, 1.5]);
        let mut c = a;
        c += b;
        c -= a;
        c *= 2.0;
        assert_eq!(c.0, [1.0, -2.0, 8.0]);
        assert_eq!(&a + &b, a + b);
        assert_eq!(&a - b, a - b);
        assert_eq!(a * &2.0, a * 2.0);
        assert_eq!(&a / &2.0, a / 2.0);
        assert_eq!(-&a, -a);
    }

    #[test]
    fn seeds_past_the_width_are_zero() {
        let seeds = Tangents::<f32, 2>::seeds(3, 1);
        assert_eq!(
            seeds,
            vec![
                Tangents([0.0, 1.0]),
                Tangents([0.0, 0.0]),
                Tangents([0.0, 0.0])
            ]
        );
        assert_eq!(
            Tangents::<f64, 2>::seeds(2, usize::MAX)[1],
            Tangents::zero()
        );
    }

    #[test]
    fn zero_tangents_keep_the_shape() {
        let array: [Tangents<f64, 3>; 2] = ZeroTangents::<3>::zero_tangents(&[1.0, 2.0]);
        assert_eq!(array, [Tangents::zero(); 2]);
        let vec: Vec<Tangents<f32, 1>> = ZeroTangents::<1>::zero_tangents(&vec![1.0_f32; 4]);
        assert_eq!(vec.len(), 4);
    }
}
