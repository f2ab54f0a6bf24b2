//! Exponentials and logarithms.

use super::{constant, Real};

// ---- Exponentials ------------------------------------------------------------------------

/// `x.exp()`: `d/dx = eˣ`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::exp(&0.0_f64, &2.0);
/// assert_eq!(dx, 2.0);
/// ```
#[inline(always)]
pub fn exp<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * x.exp(),)
}

/// `x.exp2()`: `d/dx = 2ˣ ln 2`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::exp2(&3.0_f64, &1.0);
/// assert!((dx - 8.0 * std::f64::consts::LN_2).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn exp2<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * (x.exp2() * constant::<T>(2.0).ln()),)
}

/// `x.exp_m1()`: `d/dx = eˣ`.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::exp_m1(&0.0_f64, &2.0);
/// assert_eq!(dx, 2.0);
/// ```
#[inline(always)]
pub fn exp_m1<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * x.exp(),)
}

// ---- Logarithms --------------------------------------------------------------------------

/// `1 / (x · scale)` for `x ≥ 0` (`+∞ · sign(scale)` at `x = ±0`), NaN for `x < 0`.
#[inline(always)]
fn log_derivative<T: Real>(x: &T, scale: T) -> T {
    if *x < T::zero() {
        T::nan()
    } else {
        (x.abs() * scale).recip()
    }
}

/// `x.ln()`: `d/dx = 1 / x`.
///
/// `+∞` at `x = ±0`, NaN for `x < 0` where `ln` is NaN.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::ln(&4.0_f64, &2.0);
/// assert_eq!(dx, 0.5);
/// ```
#[inline(always)]
pub fn ln<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * log_derivative(x, T::one()),)
}

/// `x.ln_1p()`: `d/dx = 1 / (1 + x)`.
///
/// `+∞` at `x = -1`, NaN for `x < -1` where `ln_1p` is NaN.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::ln_1p(&1.0_f64, &2.0);
/// assert_eq!(dx, 1.0);
/// ```
#[inline(always)]
pub fn ln_1p<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * log_derivative(&(T::one() + *x), T::one()),)
}

/// `x.log(base)`: `d/dx = 1 / (x ln base)`, `d/dbase = -ln x / (base ln² base)`.
///
/// The receiver's derivative is NaN for `x < 0` and infinite at `x = ±0`.
///
/// ```
/// let (dx, dbase) = autodiff_core::rules::methods::log(&8.0_f64, &2.0, &1.0);
/// let ln2 = std::f64::consts::LN_2;
/// assert!((dx - 1.0 / (8.0 * ln2)).abs() < 1e-12);
/// assert!((dbase + 3.0 / (2.0 * ln2)).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn log<T: Real>(x: &T, base: &T, g: &T) -> (T, T) {
    let ln_base = base.ln();
    let dx = log_derivative(x, ln_base);
    let dbase = -(x.ln() / ln_base) / (*base * ln_base);
    (*g * dx, *g * dbase)
}

/// `x.log2()`: `d/dx = 1 / (x ln 2)`.
///
/// `+∞` at `x = ±0`, NaN for `x < 0` where `log2` is NaN.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::log2(&2.0_f64, &1.0);
/// assert!((dx - 0.5 / std::f64::consts::LN_2).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn log2<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * log_derivative(x, constant::<T>(2.0).ln()),)
}

/// `x.log10()`: `d/dx = 1 / (x ln 10)`.
///
/// `+∞` at `x = ±0`, NaN for `x < 0` where `log10` is NaN.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::log10(&10.0_f64, &1.0);
/// assert!((dx - 0.1 / std::f64::consts::LN_10).abs() < 1e-12);
/// ```
#[inline(always)]
pub fn log10<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * log_derivative(x, constant::<T>(10.0).ln()),)
}
