//! Pullbacks of the float methods, one function per method, named after it.
//!
//! `rules::methods::NAME(&receiver, &arg1, …, &g)` returns a tuple with one cotangent per
//! operand: the receiver first, then each argument in order. An operand that cannot carry a
//! derivative (the `i32` exponent of `powi`) gets [`NoTangent`](crate::NoTangent).
//! `x.name(args)` and `f64::name(x, args)` both map here. Every cotangent is `g` times a
//! local derivative, so a NaN or infinite `g` reaches every operand.
//!
//! Conventions at points where a derivative does not exist are chosen to match PyTorch and
//! JAX, and each is stated on its rule:
//!
//! | rule | point | derivative | follows |
//! |------|-------|------------|---------|
//! | [`abs`] | `x = 0` | `0` | PyTorch (`sign(0) = 0`) |
//! | [`max`], [`min`] | tie | `g / 2` to each operand | PyTorch, JAX |
//! | [`clamp`] | `x = lo` or `x = hi` | all to the receiver | PyTorch |
//! | [`sqrt`], [`cbrt`] | `x = ±0` | `+∞` | PyTorch, JAX |
//! | [`powf`] | `x = 0` | `0` for the exponent; `0` for the base when `y = 0` | PyTorch |
//! | [`powi`] | `n = 0` | `0` | PyTorch, JAX |
//! | [`hypot`] | `(0, 0)` | `0` for both | — |
//! | [`atan2`] | `(0, 0)` | NaN for both | PyTorch, JAX |
//! | [`signum`], [`floor`], [`ceil`], [`round`], [`trunc`] | everywhere | `0` | PyTorch, JAX |
//! | [`fract`] | everywhere | `1` | `x - trunc(x)` |
//!
//! NaN propagates: an operand that is NaN always gets a NaN cotangent, and where a method
//! returns NaN because its argument lies outside the real domain (`ln` of a negative number,
//! `acosh` below 1, …) so does its rule. The other operands of a rule get what the method
//! computes: `x.max(NaN)` returns `x`, so `x` gets all of `g`.

use super::Real;

mod arithmetic;
mod exp_log;
mod hyperbolic;
mod piecewise;
mod trig;

pub use arithmetic::*;
pub use exp_log::*;
pub use hyperbolic::*;
pub use piecewise::*;
pub use trig::*;

/// The constant `value` in `T`.
#[inline(always)]
fn constant<T: Real>(value: f64) -> T {
    T::from(value).unwrap_or_else(T::nan)
}

/// `d`, or NaN when `operand` is NaN: for rules whose derivative would otherwise not notice.
#[inline(always)]
fn nan_or<T: Real>(operand: &T, d: T) -> T {
    if operand.is_nan() {
        *operand
    } else {
        d
    }
}
