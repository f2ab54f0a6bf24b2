//! Trigonometric functions, their inverses, and angle conversions.

use super::{nan_or, Real};

// ---- Trigonometric functions -------------------------------------------------------------

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

/// `x.cos()`: `d/dx = -sin x`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::cos(&std::f64::consts::FRAC_PI_2, &2.0);
/// assert!((dx + 2.0).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn cos<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * -x.sin(),)
}

/// `x.tan()`: `d/dx = 1 + tan² x`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::tan(&std::f64::consts::FRAC_PI_4, &1.0);
/// assert!((dx - 2.0).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn tan<T: Real>(x: &T, g: &T) -> (T,) {
    let t = x.tan();
    (*g * (T::one() + t * t),)
}

// ---- Inverse trigonometric functions -----------------------------------------------------

/// `x.asin()`: `d/dx = 1 / √(1 - x²)`.
///
/// `+∞` at `x = ±1`, NaN for `|x| > 1` where `asin` is NaN.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::asin(&0.6_f64, &1.0);
/// assert!((dx - 1.25).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn asin<T: Real>(x: &T, g: &T) -> (T,) {
    let one = T::one();
    (*g * ((one - *x) * (one + *x)).sqrt().recip(),)
}

/// `x.acos()`: `d/dx = -1 / √(1 - x²)`.
///
/// `-∞` at `x = ±1`, NaN for `|x| > 1` where `acos` is NaN.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::acos(&0.6_f64, &1.0);
/// assert!((dx + 1.25).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn acos<T: Real>(x: &T, g: &T) -> (T,) {
    let one = T::one();
    (*g * -((one - *x) * (one + *x)).sqrt().recip(),)
}

/// `x.atan()`: `d/dx = 1 / (1 + x²)`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::atan(&1.0_f64, &1.0);
/// assert_eq!(dx, 0.5);
/// ```
#[inline(always)]
pub fn atan<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * (T::one() + *x * *x).recip(),)
}

/// `y.atan2(x)`: `d/dy = x / (x² + y²)`, `d/dx = -y / (x² + y²)`.
///
/// At `(0, 0)`, where the angle jumps, both are NaN, as in PyTorch and JAX.
///
/// ```
/// let (dy, dx) = autodiff_core::rules::methods::atan2(&1.0_f64, &1.0, &1.0);
/// assert!((dy - 0.5).abs() < 1e-12 && (dx + 0.5).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn atan2<T: Real>(y: &T, x: &T, g: &T) -> (T, T) {
    // x² + y² as hypot², divided in two steps so that neither overflows nor underflows.
    let r = y.hypot(*x);
    (*g * (*x / r / r), *g * (-*y / r / r))
}

// ---- Angle conversions -------------------------------------------------------------------

/// `x.to_degrees()`: `d/dx = 180 / π`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::to_degrees(&1.0_f64, &std::f64::consts::PI);
/// assert!((dx - 180.0).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn to_degrees<T: Real>(x: &T, g: &T) -> (T,) {
    // The method's own factor, so that the rule and the method agree to the last bit.
    (*g * nan_or(x, T::one().to_degrees()),)
}

/// `x.to_radians()`: `d/dx = π / 180`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::to_radians(&1.0_f64, &180.0);
/// assert!((dx - std::f64::consts::PI).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn to_radians<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * nan_or(x, T::one().to_radians()),)
}
