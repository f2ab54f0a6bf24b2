//! Pullbacks of the arithmetic operators and of `as` casts.
//!
//! `+`, `-` and unary `-` are linear: their pullbacks need only the cotangent, so the
//! generated code records nothing for them, and they take it by value, so that a matrix's
//! cotangent is passed on without a copy. `*` and `/` are chosen by operand types through
//! [`MulRule`] and [`DivRule`].

use core::ops::Neg;

use super::Real;
use crate::{Dual, DualVec};

/// Pullback of `lhs + rhs` into `lhs`.
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::add_lhs(2.0), 2.0);
/// ```
#[inline(always)]
pub fn add_lhs<T>(g: T) -> T {
    g
}

/// Pullback of `lhs + rhs` into `rhs`.
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::add_rhs(2.0), 2.0);
/// ```
#[inline(always)]
pub fn add_rhs<T>(g: T) -> T {
    g
}

/// Pullback of `lhs - rhs` into `lhs`.
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::sub_lhs(2.0), 2.0);
/// ```
#[inline(always)]
pub fn sub_lhs<T>(g: T) -> T {
    g
}

/// Pullback of `lhs - rhs` into `rhs`.
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::sub_rhs(2.0), -2.0);
/// ```
#[inline(always)]
pub fn sub_rhs<T: Neg<Output = T>>(g: T) -> T {
    -g
}

/// Pullback of `-x`.
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::neg(2.0), -2.0);
/// ```
#[inline(always)]
pub fn neg<T: Neg<Output = T>>(g: T) -> T {
    -g
}

/// The derivative rule of `Self * Rhs`.
///
/// `mul_lhs` must not read `lhs`, and `mul_rhs` must not read `rhs`: by the product rule they
/// need only the other factor, and generated code passes the operand it does not record only
/// for its type (its value may be stale).
#[diagnostic::on_unimplemented(
    message = "no derivative rule for `{Self} * {Rhs}`",
    label = "no derivative rule for this `*`",
    note = "rules exist for floats, dual numbers and owned nalgebra matrices (products, scaling); wrap the product in `stop_gradient(..)` if no derivative should flow through it"
)]
pub trait MulRule<Rhs = Self>: Sized {
    /// The type of the product (and of its cotangent).
    type Output;
    /// Cotangent of the left operand.
    fn mul_lhs(lhs: &Self, rhs: &Rhs, g: &Self::Output) -> Self;
    /// Cotangent of the right operand.
    fn mul_rhs(lhs: &Self, rhs: &Rhs, g: &Self::Output) -> Rhs;
}

/// The derivative rule of `Self / Rhs`.
///
/// `div_lhs` must not read `lhs`: generated code passes that operand only for its type.
#[diagnostic::on_unimplemented(
    message = "no derivative rule for `{Self} / {Rhs}`",
    label = "no derivative rule for this `/`",
    note = "rules exist for floats, dual numbers and an owned nalgebra matrix divided by a scalar; wrap the quotient in `stop_gradient(..)` if no derivative should flow through it"
)]
pub trait DivRule<Rhs = Self>: Sized {
    /// The type of the quotient (and of its cotangent).
    type Output;
    /// Cotangent of the numerator.
    fn div_lhs(lhs: &Self, rhs: &Rhs, g: &Self::Output) -> Self;
    /// Cotangent of the denominator.
    fn div_rhs(lhs: &Self, rhs: &Rhs, g: &Self::Output) -> Rhs;
}

/// The derivative rule of `value as Target` for a float `value`.
#[diagnostic::on_unimplemented(
    message = "no derivative rule for casting `{Self}` to `{Target}`",
    label = "no derivative rule for this `as` cast",
    note = "derivatives flow through casts between `f64` and `f32`; casts to integers carry none"
)]
pub trait CastRule<Target>: Sized {
    /// Cotangent of the cast's operand, from the cotangent of its result.
    fn cast_back(g: &Target) -> Self;
}

macro_rules! float_rules {
    ($($float:ty),*) => {$(
        impl MulRule<$float> for $float {
            type Output = $float;
            #[inline(always)]
            fn mul_lhs(_lhs: &Self, rhs: &$float, g: &$float) -> Self { g * rhs }
            #[inline(always)]
            fn mul_rhs(lhs: &Self, _rhs: &$float, g: &$float) -> $float { g * lhs }
        }

        impl DivRule<$float> for $float {
            type Output = $float;
            #[inline(always)]
            fn div_lhs(_lhs: &Self, rhs: &$float, g: &$float) -> Self { g / rhs }
            #[inline(always)]
            fn div_rhs(lhs: &Self, rhs: &$float, g: &$float) -> $float { -g * lhs / (rhs * rhs) }
        }
    )*};
}

float_rules!(f64, f32);

/// The same rules for dual numbers, whose arithmetic is that of their values extended to
/// their tangents: a generated reverse sweep runs on them unchanged (forward-over-reverse).
/// Like the floats, each also has rules for [`NoOperand`].
macro_rules! dual_rules {
    ($($dual:ident<T $(, const $n:ident)?>),*) => {$(
        impl<T: Real $(, const $n: usize)?> MulRule for $dual<T $(, $n)?> {
            type Output = Self;
            #[inline(always)]
            fn mul_lhs(_lhs: &Self, rhs: &Self, g: &Self) -> Self { *g * *rhs }
            #[inline(always)]
            fn mul_rhs(lhs: &Self, _rhs: &Self, g: &Self) -> Self { *g * *lhs }
        }

        impl<T: Real $(, const $n: usize)?> DivRule for $dual<T $(, $n)?> {
            type Output = Self;
            #[inline(always)]
            fn div_lhs(_lhs: &Self, rhs: &Self, g: &Self) -> Self { *g / *rhs }
            #[inline(always)]
            fn div_rhs(lhs: &Self, rhs: &Self, g: &Self) -> Self { -*g * *lhs / (*rhs * *rhs) }
        }

        impl<T: Real $(, const $n: usize)?> MulRule<NoOperand> for $dual<T $(, $n)?> {
            type Output = NoOperand;
            fn mul_lhs(_: &Self, rhs: &NoOperand, _: &NoOperand) -> Self { match *rhs {} }
            fn mul_rhs(_: &Self, rhs: &NoOperand, _: &NoOperand) -> NoOperand { *rhs }
        }

        impl<T: Real $(, const $n: usize)?> DivRule<NoOperand> for $dual<T $(, $n)?> {
            type Output = NoOperand;
            fn div_lhs(_: &Self, rhs: &NoOperand, _: &NoOperand) -> Self { match *rhs {} }
            fn div_rhs(_: &Self, rhs: &NoOperand, _: &NoOperand) -> NoOperand { *rhs }
        }
    )*};
}

dual_rules!(Dual<T>, DualVec<T, const N>);

/// Rules between a dual number and a plain float, for the dual copy behind `f_hvp`: a plain
/// float there is a constant (a literal, a `const`, a field of an inactive parameter), so its
/// own cotangent is never used; it is the value part of the dual one.
macro_rules! mixed_dual_rules {
    ($($float:ty),*) => {$(
        impl MulRule<$float> for Dual<$float> {
            type Output = Self;
            #[inline(always)]
            fn mul_lhs(_lhs: &Self, rhs: &$float, g: &Self) -> Self { *g * *rhs }
            #[inline(always)]
            fn mul_rhs(lhs: &Self, _rhs: &$float, g: &Self) -> $float { (*g * *lhs).re }
        }

        impl MulRule<Dual<$float>> for $float {
            type Output = Dual<$float>;
            #[inline(always)]
            fn mul_lhs(_lhs: &Self, rhs: &Dual<$float>, g: &Dual<$float>) -> Self { (*g * *rhs).re }
            #[inline(always)]
            fn mul_rhs(lhs: &Self, _rhs: &Dual<$float>, g: &Dual<$float>) -> Dual<$float> { *g * *lhs }
        }

        impl DivRule<$float> for Dual<$float> {
            type Output = Self;
            #[inline(always)]
            fn div_lhs(_lhs: &Self, rhs: &$float, g: &Self) -> Self { *g / *rhs }
            #[inline(always)]
            fn div_rhs(lhs: &Self, rhs: &$float, g: &Self) -> $float { (-*g * *lhs / (*rhs * *rhs)).re }
        }

        impl DivRule<Dual<$float>> for $float {
            type Output = Dual<$float>;
            #[inline(always)]
            fn div_lhs(_lhs: &Self, rhs: &Dual<$float>, g: &Dual<$float>) -> Self { (*g / *rhs).re }
            #[inline(always)]
            fn div_rhs(lhs: &Self, rhs: &Dual<$float>, g: &Dual<$float>) -> Dual<$float> {
                -*g * *lhs / (*rhs * *rhs)
            }
        }
    )*};
}

mixed_dual_rules!(f64, f32);

/// A type with no values. Each float has a `MulRule` and a `DivRule` for it besides its own,
/// so that with an unsupported right operand the compiler reports the missing rule by its
/// message instead of inferring that the operand must be a float.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum NoOperand {}

macro_rules! sentinel_rules {
    ($($float:ty),*) => {$(
        impl MulRule<NoOperand> for $float {
            type Output = NoOperand;
            fn mul_lhs(_: &Self, rhs: &NoOperand, _: &NoOperand) -> Self { match *rhs {} }
            fn mul_rhs(_: &Self, rhs: &NoOperand, _: &NoOperand) -> NoOperand { *rhs }
        }

        impl DivRule<NoOperand> for $float {
            type Output = NoOperand;
            fn div_lhs(_: &Self, rhs: &NoOperand, _: &NoOperand) -> Self { match *rhs {} }
            fn div_rhs(_: &Self, rhs: &NoOperand, _: &NoOperand) -> NoOperand { *rhs }
        }
    )*};
}

sentinel_rules!(f64, f32);

macro_rules! cast_rules {
    ($($from:ty => $to:ty),*) => {$(
        impl CastRule<$to> for $from {
            #[inline(always)]
            fn cast_back(g: &$to) -> Self { *g as $from }
        }
    )*};
}

cast_rules!(f64 => f64, f64 => f32, f32 => f32, f32 => f64);

macro_rules! dual_cast_rules {
    ($($from:ty => $to:ty),*) => {$(
        impl CastRule<Dual<$to>> for Dual<$from> {
            #[inline(always)]
            fn cast_back(g: &Dual<$to>) -> Self { Dual::new(g.re as $from, g.eps as $from) }
        }
    )*};
}

dual_cast_rules!(f64 => f64, f64 => f32, f32 => f32, f32 => f64);

/// Pullback of `lhs * rhs` into `lhs`.
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::mul_lhs(&3.0, &4.0, &2.0), 8.0);
/// ```
#[inline(always)]
pub fn mul_lhs<L: MulRule<R>, R>(lhs: &L, rhs: &R, g: &L::Output) -> L {
    L::mul_lhs(lhs, rhs, g)
}

/// Pullback of `lhs * rhs` into `rhs`.
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::mul_rhs(&3.0, &4.0, &2.0), 6.0);
/// ```
#[inline(always)]
pub fn mul_rhs<L: MulRule<R>, R>(lhs: &L, rhs: &R, g: &L::Output) -> R {
    L::mul_rhs(lhs, rhs, g)
}

/// Pullback of `factor * x` (or `x * factor`) into `x` for plain scalars, where `factor` carries
/// no derivative: `factor · g`. It names no `x`, so generated code need not keep `x` for the
/// reverse sweep only to give [`mul_rhs`] its type. The factor may be a plain float beside a
/// dual number (in the second-order copy).
///
/// ```
/// use autodiff_core::{rules::ops, Dual};
///
/// assert_eq!(ops::scale(&3.0, &2.0), 6.0);
/// assert_eq!(ops::scale(&3.0, &Dual::new(2.0, 1.0)), Dual::new(6.0, 3.0));
/// ```
#[inline(always)]
pub fn scale<F: Copy + core::ops::Mul<G>, G: Copy>(factor: &F, g: &G) -> F::Output {
    *factor * *g
}

/// Pullback of `x / divisor` into `x` for plain scalars, where `divisor` carries no derivative:
/// `g / divisor` (see [`scale`]).
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::unscale(&3.0, &2.0), 1.5);
/// ```
#[inline(always)]
pub fn unscale<G: Copy + core::ops::Div<D>, D: Copy>(g: &G, divisor: &D) -> G::Output {
    *g / *divisor
}

/// Pullback of `lhs / rhs` into `lhs`.
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::div_lhs(&3.0, &4.0, &2.0), 0.5);
/// ```
#[inline(always)]
pub fn div_lhs<L: DivRule<R>, R>(lhs: &L, rhs: &R, g: &L::Output) -> L {
    L::div_lhs(lhs, rhs, g)
}

/// Pullback of `lhs / rhs` into `rhs`.
///
/// ```
/// assert_eq!(autodiff_core::rules::ops::div_rhs(&3.0, &2.0, &1.0), -0.75);
/// ```
#[inline(always)]
pub fn div_rhs<L: DivRule<R>, R>(lhs: &L, rhs: &R, g: &L::Output) -> R {
    L::div_rhs(lhs, rhs, g)
}

/// Pullback of `value as Target`.
///
/// ```
/// let g: f64 = autodiff_core::rules::ops::cast(&1.5_f64, &2.0_f32);
/// assert_eq!(g, 2.0);
/// ```
#[inline(always)]
pub fn cast<From: CastRule<To>, To>(_value: &From, g: &To) -> From {
    From::cast_back(g)
}
