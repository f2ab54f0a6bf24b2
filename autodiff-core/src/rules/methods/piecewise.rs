//! Piecewise methods: `abs`, `signum`, `max`, `min`, `clamp`, and rounding.
//!
//! Each has points where no derivative exists; the convention chosen there is stated on
//! each rule. An operand that is NaN gets a NaN cotangent rather than a branch's value.

use super::{constant, nan_or, Real};

// ---- Sign --------------------------------------------------------------------------------

/// `x.abs()`: `d/dx = signum x`, and `0` at `x = ±0`.
///
/// The value at 0 follows PyTorch, whose `sign(0) = 0`.
///
/// ```
/// use autodiff_core::rules::methods::abs;
///
/// assert_eq!(abs(&-3.0_f64, &2.0), (-2.0,));
/// assert_eq!(abs(&0.0_f64, &2.0), (0.0,));
/// ```
#[inline(always)]
pub fn abs<T: Real>(x: &T, g: &T) -> (T,) {
    let dx = if *x == T::zero() {
        T::zero()
    } else {
        x.signum() // NaN for NaN
    };
    (*g * dx,)
}

/// `x.signum()`: `d/dx = 0` everywhere, including the jump at 0 (PyTorch, JAX).
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::signum(&-3.0_f64, &2.0);
/// assert_eq!(dx, 0.0);
/// ```
#[inline(always)]
pub fn signum<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * nan_or(x, T::zero()),)
}

// ---- Selection ---------------------------------------------------------------------------

/// The derivatives of `x.max(y)` (`is_max`) or `x.min(y)` with respect to `x` and `y`.
#[inline(always)]
fn select<T: Real>(x: &T, y: &T, is_max: bool) -> (T, T) {
    let (one, zero) = (T::one(), T::zero());
    let (dx, dy) = if x == y {
        let half = constant::<T>(0.5);
        (half, half)
    } else if y.is_nan() || (!x.is_nan() && (x > y) == is_max) {
        (one, zero) // also when `y` is NaN: the method then returns `x`
    } else {
        (zero, one)
    };
    (nan_or(x, dx), nan_or(y, dy))
}

/// `x.max(y)`: `d/dx = 1` where `x > y`, `d/dy = 1` where `y > x`.
///
/// At a tie the cotangent is split evenly, half to each operand, as PyTorch's and JAX's
/// `maximum` do. As `f64::max` returns the other operand when one is NaN, that operand gets
/// all of `g` and the NaN one gets NaN.
///
/// ```
/// use autodiff_core::rules::methods::max;
///
/// assert_eq!(max(&3.0_f64, &1.0, &2.0), (2.0, 0.0));
/// assert_eq!(max(&1.0_f64, &1.0, &2.0), (1.0, 1.0));
/// ```
#[inline(always)]
pub fn max<T: Real>(x: &T, y: &T, g: &T) -> (T, T) {
    let (dx, dy) = select(x, y, true);
    (*g * dx, *g * dy)
}

/// `x.min(y)`: `d/dx = 1` where `x < y`, `d/dy = 1` where `y < x`.
///
/// At a tie the cotangent is split evenly, half to each operand, as PyTorch's and JAX's
/// `minimum` do. As `f64::min` returns the other operand when one is NaN, that operand gets
/// all of `g` and the NaN one gets NaN.
///
/// ```
/// use autodiff_core::rules::methods::min;
///
/// assert_eq!(min(&3.0_f64, &1.0, &2.0), (0.0, 2.0));
/// assert_eq!(min(&1.0_f64, &1.0, &2.0), (1.0, 1.0));
/// ```
#[inline(always)]
pub fn min<T: Real>(x: &T, y: &T, g: &T) -> (T, T) {
    let (dx, dy) = select(x, y, false);
    (*g * dx, *g * dy)
}

/// `x.clamp(lo, hi)`: `d/dx = 1` where `lo ≤ x ≤ hi`, else `d/dlo = 1` (`x < lo`) or
/// `d/dhi = 1` (`x > hi`).
///
/// At `x = lo` or `x = hi` the receiver gets the cotangent: the range is inclusive, as in
/// PyTorch's `clamp`.
///
/// ```
/// use autodiff_core::rules::methods::clamp;
///
/// assert_eq!(clamp(&0.5_f64, &0.0, &1.0, &2.0), (2.0, 0.0, 0.0));
/// assert_eq!(clamp(&-1.0_f64, &0.0, &1.0, &2.0), (0.0, 2.0, 0.0));
/// assert_eq!(clamp(&1.0_f64, &0.0, &1.0, &2.0), (2.0, 0.0, 0.0));
/// ```
#[inline(always)]
pub fn clamp<T: Real>(x: &T, lo: &T, hi: &T, g: &T) -> (T, T, T) {
    let (one, zero) = (T::one(), T::zero());
    let (dx, dlo, dhi) = if x < lo {
        (zero, one, zero)
    } else if x > hi {
        (zero, zero, one)
    } else {
        (one, zero, zero) // also a NaN `x`, which the method returns
    };
    (
        *g * nan_or(x, dx),
        *g * nan_or(lo, dlo),
        *g * nan_or(hi, dhi),
    )
}

// ---- Rounding ----------------------------------------------------------------------------

/// `x.floor()`: `d/dx = 0` everywhere, including the jumps at integers (PyTorch, JAX).
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::floor(&2.5_f64, &1.0);
/// assert_eq!(dx, 0.0);
/// ```
#[inline(always)]
pub fn floor<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * nan_or(x, T::zero()),)
}

/// `x.ceil()`: `d/dx = 0` everywhere, including the jumps at integers (PyTorch, JAX).
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::ceil(&2.5_f64, &1.0);
/// assert_eq!(dx, 0.0);
/// ```
#[inline(always)]
pub fn ceil<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * nan_or(x, T::zero()),)
}

/// `x.round()`: `d/dx = 0` everywhere, including the jumps at half-integers (PyTorch, JAX).
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::round(&2.2_f64, &1.0);
/// assert_eq!(dx, 0.0);
/// ```
#[inline(always)]
pub fn round<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * nan_or(x, T::zero()),)
}

/// `x.trunc()`: `d/dx = 0` everywhere, including the jumps at integers (PyTorch, JAX).
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::trunc(&-2.5_f64, &1.0);
/// assert_eq!(dx, 0.0);
/// ```
#[inline(always)]
pub fn trunc<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * nan_or(x, T::zero()),)
}

/// `x.fract() = x - x.trunc()`: `d/dx = 1` everywhere, the jumps at integers included, as
/// [`trunc`]'s derivative is taken as 0 there.
///
/// ```
/// let (dx,) = autodiff_core::rules::methods::fract(&2.5_f64, &3.0);
/// assert_eq!(dx, 3.0);
/// ```
#[inline(always)]
pub fn fract<T: Real>(x: &T, g: &T) -> (T,) {
    (*g * nan_or(x, T::one()),)
}
