//! Pullbacks of the float methods, one function per method, named after it.
//!
//! With the `nalgebra` feature (on by default) this module also holds the rules of
//! nalgebra's matrix methods `transpose`, `dot`, `norm`, `norm_squared`, `normalize`,
//! `sum`, `trace`, `determinant`, `cross`, `component_mul` and `component_div`, whose names
//! no float method shares; `rules::linalg` says what they cover.
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
pub mod given_result;
mod hyperbolic;
mod piecewise;
mod trig;

pub use arithmetic::*;
pub use exp_log::*;
pub use hyperbolic::*;
pub use piecewise::*;
pub use trig::*;

#[cfg(feature = "nalgebra")]
pub use super::linalg::methods::*;

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

/// Maps a method name to its rule, or to a compile error that names the method and says
/// what to do. Generated code calls rules through it, so a method without a rule is reported
/// at the user's method call in words, not as a missing function. Keep one arm per rule: a
/// test checks the arms against the `pub fn`s of this module.
#[doc(hidden)]
#[macro_export]
macro_rules! __method_rule {
    (abs) => { $crate::rules::methods::abs };
    (acos) => { $crate::rules::methods::acos };
    (acosh) => { $crate::rules::methods::acosh };
    (asin) => { $crate::rules::methods::asin };
    (asinh) => { $crate::rules::methods::asinh };
    (atan) => { $crate::rules::methods::atan };
    (atan2) => { $crate::rules::methods::atan2 };
    (atanh) => { $crate::rules::methods::atanh };
    (cbrt) => { $crate::rules::methods::cbrt };
    (ceil) => { $crate::rules::methods::ceil };
    (clamp) => { $crate::rules::methods::clamp };
    (column) => { $crate::rules::methods::column };
    (component_div) => { $crate::rules::methods::component_div };
    (component_mul) => { $crate::rules::methods::component_mul };
    (cos) => { $crate::rules::methods::cos };
    (cosh) => { $crate::rules::methods::cosh };
    (cross) => { $crate::rules::methods::cross };
    (determinant) => { $crate::rules::methods::determinant };
    (dot) => { $crate::rules::methods::dot };
    (exp) => { $crate::rules::methods::exp };
    (exp2) => { $crate::rules::methods::exp2 };
    (exp_m1) => { $crate::rules::methods::exp_m1 };
    (floor) => { $crate::rules::methods::floor };
    (fract) => { $crate::rules::methods::fract };
    (hypot) => { $crate::rules::methods::hypot };
    (ln) => { $crate::rules::methods::ln };
    (ln_1p) => { $crate::rules::methods::ln_1p };
    (log) => { $crate::rules::methods::log };
    (log10) => { $crate::rules::methods::log10 };
    (log2) => { $crate::rules::methods::log2 };
    (map) => { $crate::rules::methods::map };
    (max) => { $crate::rules::methods::max };
    (min) => { $crate::rules::methods::min };
    (mul_add) => { $crate::rules::methods::mul_add };
    (norm) => { $crate::rules::methods::norm };
    (norm_squared) => { $crate::rules::methods::norm_squared };
    (normalize) => { $crate::rules::methods::normalize };
    (powf) => { $crate::rules::methods::powf };
    (powi) => { $crate::rules::methods::powi };
    (recip) => { $crate::rules::methods::recip };
    (round) => { $crate::rules::methods::round };
    (row) => { $crate::rules::methods::row };
    (signum) => { $crate::rules::methods::signum };
    (sin) => { $crate::rules::methods::sin };
    (sinh) => { $crate::rules::methods::sinh };
    (sqrt) => { $crate::rules::methods::sqrt };
    (sum) => { $crate::rules::methods::sum };
    (tan) => { $crate::rules::methods::tan };
    (tanh) => { $crate::rules::methods::tanh };
    (to_degrees) => { $crate::rules::methods::to_degrees };
    (to_radians) => { $crate::rules::methods::to_radians };
    (trace) => { $crate::rules::methods::trace };
    (transpose) => { $crate::rules::methods::transpose };
    (trunc) => { $crate::rules::methods::trunc };
    ($other:ident) => {
        ::core::compile_error!(::core::concat!(
            "no derivative rule for the method `",
            ::core::stringify!($other),
            "`; wrap the call in `stop_gradient(..)` if no derivative should flow through it, or write it with operations that have rules (see `autodiff::rules::methods`)"
        ))
    };
}

#[cfg(test)]
mod tests {
    /// Every rule function has an arm in `__method_rule!`, and every arm a function.
    #[test]
    fn every_rule_is_reachable_from_generated_code() {
        let sources = [
            include_str!("methods/arithmetic.rs"),
            include_str!("methods/exp_log.rs"),
            include_str!("methods/hyperbolic.rs"),
            include_str!("methods/piecewise.rs"),
            include_str!("methods/trig.rs"),
            include_str!("linalg/methods.rs"),
        ];
        let mut functions: Vec<&str> = sources
            .iter()
            .flat_map(|s| s.lines())
            .filter_map(|l| l.strip_prefix("pub fn "))
            .map(|l| l.split(['<', '(']).next().unwrap_or(l))
            .collect();
        functions.sort_unstable();
        let this = include_str!("methods.rs");
        let mut arms: Vec<&str> = this
            .lines()
            .filter_map(|l| {
                l.trim()
                    .strip_prefix('(')
                    .and_then(|l| l.split_once(") => { $crate"))
            })
            .map(|(name, _)| name)
            .collect();
        arms.sort_unstable();
        assert_eq!(functions, arms);
    }
}
