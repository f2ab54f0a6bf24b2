//! Hyperbolic functions and their inverses.

use super::Real;

// ---- Hyperbolic functions ----------------------------------------------------------------

/// `x.sinh()`: `d/dx = cosh x`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::sinh(&0.0_f64, &3.0);
/// assert_eq!(dx, 3.0);
/// ```
#[inline(always)]
pub fn sinh<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * x.cosh(),)
}

/// `x.cosh()`: `d/dx = sinh x`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::cosh(&0.0_f64, &3.0);
/// assert_eq!(dx, 0.0);
/// ```
#[inline(always)]
pub fn cosh<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * x.sinh(),)
}

/// `x.tanh()`: `d/dx = 1 - tanh² x = 1 / cosh² x`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::tanh(&0.0_f64, &3.0);
/// assert_eq!(dx, 3.0);
/// ```
#[inline(always)]
pub fn tanh<T: Real>(x: &T, g: &T) -> (T,) {
    // 1 / cosh² keeps its relative accuracy where 1 - tanh² cancels (large |x|).
    let c = x.cosh();
    (*g * (c * c).recip(),)
}

// ---- Inverse hyperbolic functions --------------------------------------------------------

/// `x.asinh()`: `d/dx = 1 / √(x² + 1)`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::asinh(&0.75_f64, &1.0);
/// assert_eq!(dx, 0.8);
/// ```
#[inline(always)]
pub fn asinh<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * x.hypot(T::one()).recip(),)
}

/// `x.acosh()`: `d/dx = 1 / √(x² - 1)`.
///
/// `+∞` at `x = 1`, NaN for `x < 1` where `acosh` is NaN.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::acosh(&1.25_f64, &1.0);
/// assert!((dx - 4.0 / 3.0).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn acosh<T: Real>(x: &T, g: &T) -> (T,) {
    // √(x - 1) is NaN below 1, and the product of two roots cannot overflow.
    let one = T::one();
    (*g * ((*x - one).sqrt() * (*x + one).sqrt()).recip(),)
}

/// `x.atanh()`: `d/dx = 1 / (1 - x²)`.
///
/// `+∞` at `x = ±1`, NaN for `|x| > 1` where `atanh` is NaN.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::atanh(&0.5_f64, &3.0);
/// assert!((dx - 4.0).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn atanh<T: Real>(x: &T, g: &T) -> (T,) {
    let one = T::one();
    let dx = if x.abs() > one {
        T::nan()
    } else {
        ((one - *x) * (one + *x)).recip()
    };
    (*g * dx,)
}
