//! Pullbacks of the float methods, one function per method, named after it.
//!
//! `rules::methods::NAME(&receiver, &arg1, …, &g)` returns a tuple with one cotangent per
//! operand: the receiver first, then each argument in order. An operand that cannot carry a
//! derivative (the `i32` exponent of `powi`) gets [`NoTangent`]. `x.name(args)` and
//! `f64::name(x, args)` both map here.
//!
//! Conventions at points where a derivative does not exist are chosen to match PyTorch and
//! JAX, and each is stated on its rule.

use super::Real;
#[allow(unused_imports)]
use crate::NoTangent;

/// `x.sin()`: `d/dx = cos x`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::sin(&0.0_f64, &2.0);
/// assert_eq!(dx, 2.0);
/// ```
#[inline(always)]
pub fn sin<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * x.cos(),)
}

/// `x.powi(n)`: `d/dx = n xⁿ⁻¹`; the integer exponent has no tangent.
///
/// ```
/// let (dx, _) = autodiff_core::rules::methods::powi(&2.0_f64, &3, &1.0);
/// assert_eq!(dx, 12.0);
/// ```
#[inline(always)]
pub fn powi<T: Real>(x: &T, n: &i32, g: &T) -> (T, NoTangent) {
    let dx = if *n == 0 {
        T::zero()
    } else {
        T::from(*n).unwrap_or_else(T::nan) * x.powi(*n - 1)
    };
    (*g * dx, NoTangent)
}
