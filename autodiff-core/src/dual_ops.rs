//! What [`Dual`](crate::Dual) and [`DualVec`](crate::DualVec) share, apart from their
//! `num_traits` traits (in [`dual_float`](crate::dual_float)): arithmetic, comparisons,
//! `approx` (`DualVec`'s; `Dual`'s tolerance is a dual, for nalgebra, so it has its own), and
//! the chain rule itself.
//!
//! Both types are written once, as macros over the type name, and instantiated in their own
//! modules. A macro relies on five private methods of the type it is instantiated for:
//!
//! - `constant(re)`: a value with zero tangents;
//! - `tangents(&self) -> &[T]`: the tangents, in order;
//! - `map_tangent(self, re, f)`: a value `re` with tangents `f(ε)`;
//! - `zip_tangent(self, other, re, f)`: a value `re` with tangents `f(ε, ε')`;
//! - `zip3_tangent(self, a, b, re, f)`: a value `re` with tangents `f(ε, ε_a, ε_b)`.
//!
//! Every tangent term is a tangent times a partial derivative, formed by [`chain`]: an
//! exactly zero tangent contributes an exact zero, whatever the partial derivative, so that a
//! value that does not depend on the seeded inputs keeps a zero tangent even where a partial
//! derivative is infinite or NaN (`√x` at 0, `xʸ` for a negative `x`). This is the forward
//! counterpart of the symbolic zeros of the reverse sweeps: an operand that no seeded input
//! reaches contributes nothing, as an adjoint that nothing flowed into.

use core::fmt;

use num_traits::Float;

/// One part of a dual number, formatted with `f`'s precision, in parentheses if it is itself
/// a dual number (if its text has an `ε`).
pub(crate) fn format_part<T: fmt::Display>(part: &T, f: &fmt::Formatter<'_>) -> String {
    let text = match f.precision() {
        Some(precision) => format!("{part:.precision$}"),
        None => format!("{part}"),
    };
    if text.contains('ε') {
        format!("({text})")
    } else {
        text
    }
}

/// `tangent · d`, with an exact zero when the tangent is (entirely) zero.
///
/// For a nested dual number `is_zero` requires every component to be zero, so a tangent
/// whose value is zero but whose own tangent is not is multiplied out.
#[inline(always)]
pub(crate) fn chain<T: Float>(tangent: T, d: T) -> T {
    if tangent.is_zero() {
        T::zero()
    } else {
        tangent * d
    }
}

/// `tangent / d`, with an exact zero when the tangent is (entirely) zero.
#[inline(always)]
pub(crate) fn chain_div<T: Float>(tangent: T, d: T) -> T {
    if tangent.is_zero() {
        T::zero()
    } else {
        tangent / d
    }
}

/// The chain rule in terms of the type's tangent maps: `lift` for one operand, `lift2` and
/// `lift3` for two and three.
macro_rules! chain_rule_helpers {
    ($Dual:ident $(, $N:ident)?) => {
        impl<T: ::num_traits::Float $(, const $N: usize)?> $Dual<T $(, $N)?> {
            /// The value `re` of a function of `self` whose derivative at `self.re` is `d`.
            #[inline(always)]
            fn lift(self, re: T, d: T) -> Self {
                self.map_tangent(re, |e| $crate::dual_ops::chain(e, d))
            }

            /// The value `re` of a function of `self` and `other` with partial
            /// derivatives `dx` and `dy`.
            #[inline(always)]
            fn lift2(self, other: Self, re: T, dx: T, dy: T) -> Self {
                self.zip_tangent(other, re, |a, b| {
                    $crate::dual_ops::chain(a, dx) + $crate::dual_ops::chain(b, dy)
                })
            }

            /// The value `re` of a function of `self`, `a` and `b` with partial
            /// derivatives `dx`, `da` and `db`.
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            fn lift3(self, a: Self, b: Self, re: T, dx: T, da: T, db: T) -> Self {
                self.zip3_tangent(a, b, re, |x, y, z| {
                    $crate::dual_ops::chain(x, dx)
                        + $crate::dual_ops::chain(y, da)
                        + $crate::dual_ops::chain(z, db)
                })
            }

            /// Whether every tangent is exactly zero (for nested duals: in every component).
            #[inline(always)]
            fn tangents_are_zero(&self) -> bool {
                self.tangents().iter().all(::num_traits::Zero::is_zero)
            }
        }
    };
}
pub(crate) use chain_rule_helpers;

/// `+ - * / %` between two duals and between a dual and a `T`, and their assignments.
macro_rules! arithmetic {
    ($Dual:ident $(, $N:ident)?) => {
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Neg for $Dual<T $(, $N)?> {
            type Output = Self;
            #[inline]
            fn neg(self) -> Self {
                self.map_tangent(-self.re, |e| -e)
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Add for $Dual<T $(, $N)?> {
            type Output = Self;
            #[inline]
            fn add(self, rhs: Self) -> Self {
                self.zip_tangent(rhs, self.re + rhs.re, |a, b| a + b)
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Sub for $Dual<T $(, $N)?> {
            type Output = Self;
            #[inline]
            fn sub(self, rhs: Self) -> Self {
                self.zip_tangent(rhs, self.re - rhs.re, |a, b| a - b)
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Mul for $Dual<T $(, $N)?> {
            type Output = Self;
            #[inline]
            fn mul(self, rhs: Self) -> Self {
                self.lift2(rhs, self.re * rhs.re, rhs.re, self.re)
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Div for $Dual<T $(, $N)?> {
            type Output = Self;
            /// `d(a/b) = da / b - db · (a/b) / b`.
            #[inline]
            fn div(self, rhs: Self) -> Self {
                let q = self.re / rhs.re;
                let dy = -(q / rhs.re);
                self.zip_tangent(rhs, q, |a, b| {
                    $crate::dual_ops::chain_div(a, rhs.re) + $crate::dual_ops::chain(b, dy)
                })
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Rem for $Dual<T $(, $N)?> {
            type Output = Self;
            /// `a % b = a - trunc(a / b) · b`: `d/da = 1`, `d/db = -trunc(a / b)`, the
            /// truncation having a zero derivative; both NaN where the remainder is NaN.
            #[inline]
            fn rem(self, rhs: Self) -> Self {
                let r = self.re % rhs.re;
                let (dx, dy) = if r.is_nan() {
                    (T::nan(), T::nan())
                } else {
                    (T::one(), -(self.re / rhs.re).trunc())
                };
                self.lift2(rhs, r, dx, dy)
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Add<T> for $Dual<T $(, $N)?> {
            type Output = Self;
            #[inline]
            fn add(self, rhs: T) -> Self {
                self.map_tangent(self.re + rhs, |e| e)
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Sub<T> for $Dual<T $(, $N)?> {
            type Output = Self;
            #[inline]
            fn sub(self, rhs: T) -> Self {
                self.map_tangent(self.re - rhs, |e| e)
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Mul<T> for $Dual<T $(, $N)?> {
            type Output = Self;
            #[inline]
            fn mul(self, rhs: T) -> Self {
                self.lift(self.re * rhs, rhs)
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Div<T> for $Dual<T $(, $N)?> {
            type Output = Self;
            #[inline]
            fn div(self, rhs: T) -> Self {
                self.map_tangent(self.re / rhs, |e| $crate::dual_ops::chain_div(e, rhs))
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Rem<T> for $Dual<T $(, $N)?> {
            type Output = Self;
            #[inline]
            fn rem(self, rhs: T) -> Self {
                self % Self::constant(rhs)
            }
        }

        $crate::dual_ops::assign_op!($Dual $(, $N)?; AddAssign add_assign +);
        $crate::dual_ops::assign_op!($Dual $(, $N)?; SubAssign sub_assign -);
        $crate::dual_ops::assign_op!($Dual $(, $N)?; MulAssign mul_assign *);
        $crate::dual_ops::assign_op!($Dual $(, $N)?; DivAssign div_assign /);
        $crate::dual_ops::assign_op!($Dual $(, $N)?; RemAssign rem_assign %);

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::iter::Sum for $Dual<T $(, $N)?> {
            #[inline]
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(<Self as ::num_traits::Zero>::zero(), |sum, x| sum + x)
            }
        }

        impl<'a, T: ::num_traits::Float $(, const $N: usize)?> ::core::iter::Sum<&'a Self>
            for $Dual<T $(, $N)?>
        {
            #[inline]
            fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.fold(<Self as ::num_traits::Zero>::zero(), |sum, x| sum + *x)
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::iter::Product for $Dual<T $(, $N)?> {
            #[inline]
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(<Self as ::num_traits::One>::one(), |product, x| product * x)
            }
        }

        impl<'a, T: ::num_traits::Float $(, const $N: usize)?> ::core::iter::Product<&'a Self>
            for $Dual<T $(, $N)?>
        {
            #[inline]
            fn product<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.fold(<Self as ::num_traits::One>::one(), |product, x| product * *x)
            }
        }

        $crate::dual_ops::scalar_lhs!(f64; $Dual $(, $N)?);
        $crate::dual_ops::scalar_lhs!(f32; $Dual $(, $N)?);

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::Neg for &$Dual<T $(, $N)?> {
            type Output = $Dual<T $(, $N)?>;
            #[inline]
            fn neg(self) -> Self::Output {
                -*self
            }
        }
        $crate::dual_ops::by_reference!($Dual $(, $N)?; Add add +);
        $crate::dual_ops::by_reference!($Dual $(, $N)?; Sub sub -);
        $crate::dual_ops::by_reference!($Dual $(, $N)?; Mul mul *);
        $crate::dual_ops::by_reference!($Dual $(, $N)?; Div div /);
        $crate::dual_ops::by_reference!($Dual $(, $N)?; Rem rem %);
    };
}
pub(crate) use arithmetic;

/// The operators with either dual operand borrowed (`&a * &b`, `&a * b`, `a * &b`,
/// `&a * 2.0`), as on floats: generated code takes operands that are not known to be plain
/// floats by reference.
macro_rules! by_reference {
    ($Dual:ident $(, $N:ident)?; $Trait:ident $method:ident $op:tt) => {
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::$Trait<&$Dual<T $(, $N)?>>
            for $Dual<T $(, $N)?>
        {
            type Output = Self;
            #[inline]
            fn $method(self, rhs: &Self) -> Self {
                self $op *rhs
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::$Trait<$Dual<T $(, $N)?>>
            for &$Dual<T $(, $N)?>
        {
            type Output = $Dual<T $(, $N)?>;
            #[inline]
            fn $method(self, rhs: $Dual<T $(, $N)?>) -> Self::Output {
                *self $op rhs
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::$Trait<&$Dual<T $(, $N)?>>
            for &$Dual<T $(, $N)?>
        {
            type Output = $Dual<T $(, $N)?>;
            #[inline]
            fn $method(self, rhs: &$Dual<T $(, $N)?>) -> Self::Output {
                *self $op *rhs
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::$Trait<T>
            for &$Dual<T $(, $N)?>
        {
            type Output = $Dual<T $(, $N)?>;
            #[inline]
            fn $method(self, rhs: T) -> Self::Output {
                *self $op rhs
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::$Trait<&T>
            for $Dual<T $(, $N)?>
        {
            type Output = $Dual<T $(, $N)?>;
            #[inline]
            fn $method(self, rhs: &T) -> Self::Output {
                self $op *rhs
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::$Trait<&T>
            for &$Dual<T $(, $N)?>
        {
            type Output = $Dual<T $(, $N)?>;
            #[inline]
            fn $method(self, rhs: &T) -> Self::Output {
                *self $op *rhs
            }
        }

        $crate::dual_ops::by_reference!(@float_lhs f64; $Dual $(, $N)?; $Trait $method $op);
        $crate::dual_ops::by_reference!(@float_lhs f32; $Dual $(, $N)?; $Trait $method $op);
    };
    // A plain float on the left, either operand borrowed: `2.0 * &x`, `&c * x`, `&c * &x`.
    (@float_lhs $F:ty; $Dual:ident $(, $N:ident)?; $Trait:ident $method:ident $op:tt) => {
        impl$(<const $N: usize>)? ::core::ops::$Trait<&$Dual<$F $(, $N)?>> for $F {
            type Output = $Dual<$F $(, $N)?>;
            #[inline]
            fn $method(self, rhs: &$Dual<$F $(, $N)?>) -> Self::Output {
                self $op *rhs
            }
        }

        impl$(<const $N: usize>)? ::core::ops::$Trait<$Dual<$F $(, $N)?>> for &$F {
            type Output = $Dual<$F $(, $N)?>;
            #[inline]
            fn $method(self, rhs: $Dual<$F $(, $N)?>) -> Self::Output {
                *self $op rhs
            }
        }

        impl$(<const $N: usize>)? ::core::ops::$Trait<&$Dual<$F $(, $N)?>> for &$F {
            type Output = $Dual<$F $(, $N)?>;
            #[inline]
            fn $method(self, rhs: &$Dual<$F $(, $N)?>) -> Self::Output {
                *self $op *rhs
            }
        }
    };
}
pub(crate) use by_reference;

/// `dual op= dual` and `dual op= T`.
macro_rules! assign_op {
    ($Dual:ident $(, $N:ident)?; $Trait:ident $method:ident $op:tt) => {
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::$Trait for $Dual<T $(, $N)?> {
            #[inline]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }

        impl<T: ::num_traits::Float $(, const $N: usize)?> ::core::ops::$Trait<T> for $Dual<T $(, $N)?> {
            #[inline]
            fn $method(&mut self, rhs: T) {
                *self = *self $op rhs;
            }
        }
    };
}
pub(crate) use assign_op;

/// A plain float on the left of `+ - * / %` and of comparisons: `2.0 * x`, `1.0 < x`.
macro_rules! scalar_lhs {
    ($F:ty; $Dual:ident $(, $N:ident)?) => {
        impl$(<const $N: usize>)? ::core::ops::Add<$Dual<$F $(, $N)?>> for $F {
            type Output = $Dual<$F $(, $N)?>;
            #[inline]
            fn add(self, rhs: Self::Output) -> Self::Output {
                rhs.map_tangent(self + rhs.re, |e| e)
            }
        }

        impl$(<const $N: usize>)? ::core::ops::Sub<$Dual<$F $(, $N)?>> for $F {
            type Output = $Dual<$F $(, $N)?>;
            #[inline]
            fn sub(self, rhs: Self::Output) -> Self::Output {
                rhs.map_tangent(self - rhs.re, |e| -e)
            }
        }

        impl$(<const $N: usize>)? ::core::ops::Mul<$Dual<$F $(, $N)?>> for $F {
            type Output = $Dual<$F $(, $N)?>;
            #[inline]
            fn mul(self, rhs: Self::Output) -> Self::Output {
                rhs.lift(self * rhs.re, self)
            }
        }

        impl$(<const $N: usize>)? ::core::ops::Div<$Dual<$F $(, $N)?>> for $F {
            type Output = $Dual<$F $(, $N)?>;
            #[inline]
            fn div(self, rhs: Self::Output) -> Self::Output {
                <Self::Output>::constant(self) / rhs
            }
        }

        impl$(<const $N: usize>)? ::core::ops::Rem<$Dual<$F $(, $N)?>> for $F {
            type Output = $Dual<$F $(, $N)?>;
            #[inline]
            fn rem(self, rhs: Self::Output) -> Self::Output {
                <Self::Output>::constant(self) % rhs
            }
        }

        impl$(<const $N: usize>)? ::core::cmp::PartialEq<$Dual<$F $(, $N)?>> for $F {
            #[inline]
            fn eq(&self, other: &$Dual<$F $(, $N)?>) -> bool {
                *self == other.re
            }
        }

        impl$(<const $N: usize>)? ::core::cmp::PartialOrd<$Dual<$F $(, $N)?>> for $F {
            #[inline]
            fn partial_cmp(&self, other: &$Dual<$F $(, $N)?>) -> Option<::core::cmp::Ordering> {
                self.partial_cmp(&other.re)
            }
        }
    };
}
pub(crate) use scalar_lhs;

/// Comparisons by value, the tangents ignored.
macro_rules! comparisons {
    ($Dual:ident $(, $N:ident)?) => {
        impl<T: PartialEq $(, const $N: usize)?> ::core::cmp::PartialEq for $Dual<T $(, $N)?> {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.re == other.re
            }
        }

        impl<T: PartialOrd $(, const $N: usize)?> ::core::cmp::PartialOrd for $Dual<T $(, $N)?> {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<::core::cmp::Ordering> {
                self.re.partial_cmp(&other.re)
            }
        }

        impl<T: PartialEq $(, const $N: usize)?> ::core::cmp::PartialEq<T> for $Dual<T $(, $N)?> {
            #[inline]
            fn eq(&self, other: &T) -> bool {
                self.re == *other
            }
        }

        impl<T: PartialOrd $(, const $N: usize)?> ::core::cmp::PartialOrd<T> for $Dual<T $(, $N)?> {
            #[inline]
            fn partial_cmp(&self, other: &T) -> Option<::core::cmp::Ordering> {
                self.re.partial_cmp(other)
            }
        }
    };
}
pub(crate) use comparisons;

/// `approx`'s traits, comparing the values *and* every tangent with the same tolerance.
macro_rules! approx_impls {
    ($Dual:ident $(, $N:ident)?) => {
        impl<T: ::approx::AbsDiffEq $(, const $N: usize)?> ::approx::AbsDiffEq for $Dual<T $(, $N)?>
        where
            T::Epsilon: Clone,
        {
            type Epsilon = T::Epsilon;
            #[inline]
            fn default_epsilon() -> T::Epsilon {
                T::default_epsilon()
            }
            #[inline]
            fn abs_diff_eq(&self, other: &Self, epsilon: T::Epsilon) -> bool {
                self.re.abs_diff_eq(&other.re, epsilon.clone())
                    && self
                        .tangents()
                        .iter()
                        .zip(other.tangents())
                        .all(|(a, b)| a.abs_diff_eq(b, epsilon.clone()))
            }
        }

        impl<T: ::approx::RelativeEq $(, const $N: usize)?> ::approx::RelativeEq for $Dual<T $(, $N)?>
        where
            T::Epsilon: Clone,
        {
            #[inline]
            fn default_max_relative() -> T::Epsilon {
                T::default_max_relative()
            }
            #[inline]
            fn relative_eq(&self, other: &Self, epsilon: T::Epsilon, max_relative: T::Epsilon) -> bool {
                self.re.relative_eq(&other.re, epsilon.clone(), max_relative.clone())
                    && self
                        .tangents()
                        .iter()
                        .zip(other.tangents())
                        .all(|(a, b)| a.relative_eq(b, epsilon.clone(), max_relative.clone()))
            }
        }

        impl<T: ::approx::UlpsEq $(, const $N: usize)?> ::approx::UlpsEq for $Dual<T $(, $N)?>
        where
            T::Epsilon: Clone,
        {
            #[inline]
            fn default_max_ulps() -> u32 {
                T::default_max_ulps()
            }
            #[inline]
            fn ulps_eq(&self, other: &Self, epsilon: T::Epsilon, max_ulps: u32) -> bool {
                self.re.ulps_eq(&other.re, epsilon.clone(), max_ulps)
                    && self
                        .tangents()
                        .iter()
                        .zip(other.tangents())
                        .all(|(a, b)| a.ulps_eq(b, epsilon.clone(), max_ulps))
            }
        }
    };
}
pub(crate) use approx_impls;
