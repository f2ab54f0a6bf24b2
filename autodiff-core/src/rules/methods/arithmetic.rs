//! Roots, powers, and the other arithmetic methods: `hypot`, `recip`, `mul_add`.

use super::{constant, nan_or, Real};
use crate::NoTangent;

// ---- Roots -------------------------------------------------------------------------------

/// `x.sqrt()`: `d/dx = 1 / (2√x)`.
///
/// `+∞` at `x = ±0`, as PyTorch and JAX give at `+0`; NaN for `x < 0` where `sqrt` is NaN.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::sqrt(&4.0_f64, &1.0);
/// assert_eq!(dx, 0.25);
/// ```
#[inline(always)]
pub fn sqrt<T: Real>(x: &T, g: &T) -> (T,) {
    // `abs` turns √(-0) = -0 into +0, so that -0 gets +∞ too.
    (*g * (constant::<T>(2.0) * x.sqrt().abs()).recip(),)
}

/// `x.cbrt()`: `d/dx = 1 / (3 ∛x²)`.
///
/// `+∞` at `x = ±0`, as PyTorch and JAX give for `sqrt`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::cbrt(&-8.0_f64, &12.0);
/// assert_eq!(dx, 1.0);
/// ```
#[inline(always)]
pub fn cbrt<T: Real>(x: &T, g: &T) -> (T,) {
    let c = x.cbrt();
    (*g * (constant::<T>(3.0) * c * c).recip(),)
}

// ---- Powers ------------------------------------------------------------------------------

/// `x.powi(n)`: `d/dx = n xⁿ⁻¹`; the integer exponent has no tangent.
///
/// `0` for `n = 0`, even at `x = 0` (`x⁰ = 1` everywhere), as in PyTorch and JAX.
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
        let x_pow_n_minus_1 = match n.checked_sub(1) {
            Some(m) => x.powi(m),
            None => x.powi(*n) / *x, // n = i32::MIN
        };
        T::from(*n).unwrap_or_else(T::nan) * x_pow_n_minus_1
    };
    (*g * nan_or(x, dx), NoTangent)
}

/// `x.powf(y)`: `d/dx = y xʸ⁻¹`, `d/dy = xʸ ln x`.
///
/// Following PyTorch, `d/dy` is taken as `0` where `x = ±0` (PyTorch does so for `y ≥ 0`;
/// here also for `y < 0`, where `xʸ` is infinite), and `d/dx` as `0` where `y = 0`
/// (`x⁰ = 1` for every `x`, including 0). For `x < 0`, `d/dy` is NaN, as is `ln x`.
///
/// ```
/// let (dx, dy) = autodiff_core::rules::methods::powf(&2.0_f64, &3.0, &1.0);
/// assert_eq!(dx, 12.0);
/// assert!((dy - 8.0 * std::f64::consts::LN_2).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn powf<T: Real>(x: &T, y: &T, g: &T) -> (T, T) {
    let zero = T::zero();
    let dx = if *y == zero {
        zero
    } else {
        *y * x.powf(*y - T::one())
    };
    let dy = if *x == zero {
        zero
    } else {
        x.powf(*y) * x.ln()
    };
    (*g * nan_or(x, dx), *g * nan_or(y, dy))
}

// ---- Norms and reciprocals ---------------------------------------------------------------

/// `x.hypot(y)`: `d/dx = x / hypot(x, y)`, `d/dy = y / hypot(x, y)`.
///
/// At `(0, 0)`, where the norm has a corner, both are `0` (the minimal-norm subgradient).
///
/// ```
/// let (dx, dy) = autodiff_core::rules::methods::hypot(&3.0_f64, &4.0, &5.0);
/// assert_eq!((dx, dy), (3.0, 4.0));
/// ```
#[inline(always)]
pub fn hypot<T: Real>(x: &T, y: &T, g: &T) -> (T, T) {
    let r = x.hypot(*y);
    if r == T::zero() {
        (*g * r, *g * r)
    } else {
        (*g * (*x / r), *g * (*y / r))
    }
}

/// `x.recip()`: `d/dx = -1 / x²`.
///
/// `-∞` at `x = ±0`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::recip(&2.0_f64, &1.0);
/// assert_eq!(dx, -0.25);
/// ```
#[inline(always)]
pub fn recip<T: Real>(x: &T, g: &T) -> (T,) {
    let r = x.recip();
    (*g * -(r * r),)
}

// ---- Fused multiply-add ------------------------------------------------------------------

/// `x.mul_add(a, b) = x a + b`: `d/dx = a`, `d/da = x`, `d/db = 1`.
///
/// ```
/// let (dx, da, db) = autodiff_core::rules::methods::mul_add(&2.0_f64, &3.0, &4.0, &0.5);
/// assert_eq!((dx, da, db), (1.5, 1.0, 0.5));
/// ```
#[inline(always)]
pub fn mul_add<T: Real>(x: &T, a: &T, b: &T, g: &T) -> (T, T, T) {
    (
        *g * nan_or(x, *a),
        *g * nan_or(a, *x),
        *g * nan_or(b, T::one()),
    )
}
