//! Pullbacks of float methods from their result: `y = x.exp()` pulls `g` back as `g · y`,
//! without computing `exp` again. Generated code calls these where the reverse sweep has the
//! result at hand anyway (a product with it needs it); each gives exactly what the rule of
//! the same name in [`rules::methods`](super) gives from the operand.
//!
//! `rules::methods::given_result::NAME(&x, &y, &g)` takes the operand, the method's result
//! and the cotangent, and returns a tuple with the operand's cotangent.

use super::{constant, Real};

/// `y = x.exp()`: `d/dx = y`.
///
/// ```
/// use autodiff_core::rules::methods::given_result;
/// let x = 0.5_f64;
/// assert_eq!(given_result::exp(&x, &x.exp(), &2.0), autodiff_core::rules::methods::exp(&x, &2.0));
/// ```
#[inline(always)]
pub fn exp<T: Real>(_x: &T, y: &T, g: &T) -> (T,) {
    (*g * *y,)
}

/// `y = x.exp2()`: `d/dx = y ln 2`.
///
/// ```
/// use autodiff_core::rules::methods::given_result;
/// let x = 3.0_f64;
/// assert_eq!(given_result::exp2(&x, &x.exp2(), &1.0), autodiff_core::rules::methods::exp2(&x, &1.0));
/// ```
#[inline(always)]
pub fn exp2<T: Real>(_x: &T, y: &T, g: &T) -> (T,) {
    (*g * (*y * constant::<T>(2.0).ln()),)
}

/// `y = x.sqrt()`: `d/dx = 1 / (2 |y|)`, `+∞` at `x = ±0` as in [`sqrt`](super::sqrt).
///
/// ```
/// use autodiff_core::rules::methods::given_result;
/// let x = 2.0_f64;
/// assert_eq!(given_result::sqrt(&x, &x.sqrt(), &1.0), autodiff_core::rules::methods::sqrt(&x, &1.0));
/// ```
#[inline(always)]
pub fn sqrt<T: Real>(_x: &T, y: &T, g: &T) -> (T,) {
    (*g * (constant::<T>(2.0) * y.abs()).recip(),)
}

/// `y = x.cbrt()`: `d/dx = 1 / (3 y²)`.
///
/// ```
/// use autodiff_core::rules::methods::given_result;
/// let x = 5.0_f64;
/// assert_eq!(given_result::cbrt(&x, &x.cbrt(), &1.0), autodiff_core::rules::methods::cbrt(&x, &1.0));
/// ```
#[inline(always)]
pub fn cbrt<T: Real>(_x: &T, y: &T, g: &T) -> (T,) {
    (*g * (constant::<T>(3.0) * *y * *y).recip(),)
}

/// Maps a one-operand method to its rule given the result, or, for a method without one, to
/// its ordinary rule (see `__method_rule!`), which ignores the result. `tanh` has none on
/// purpose: `1 - y²` cancels where its rule's `1 / cosh² x` does not.
#[doc(hidden)]
#[macro_export]
macro_rules! __method_rule_given_result {
    (exp) => {
        $crate::rules::methods::given_result::exp
    };
    (exp2) => {
        $crate::rules::methods::given_result::exp2
    };
    (sqrt) => {
        $crate::rules::methods::given_result::sqrt
    };
    (cbrt) => {
        $crate::rules::methods::given_result::cbrt
    };
    ($other:ident) => {
        |x, _result, g| $crate::__method_rule!($other)(x, g)
    };
}

#[cfg(test)]
mod tests {
    use crate::rules::methods as from_operand;

    /// Each rule given the result agrees with the rule from the operand, bit for bit, also
    /// where the derivative is infinite or NaN.
    #[test]
    fn the_same_cotangents_as_from_the_operand() {
        let points = [
            -3.5,
            -0.0,
            0.0,
            1e-300,
            0.25,
            2.0,
            700.0,
            f64::INFINITY,
            f64::NAN,
        ];
        let same =
            |a: (f64,), b: (f64,)| a.0.to_bits() == b.0.to_bits() || (a.0.is_nan() && b.0.is_nan());
        for &x in &points {
            for &g in &[1.0, -2.5] {
                assert!(
                    same(super::exp(&x, &x.exp(), &g), from_operand::exp(&x, &g)),
                    "exp at {x}"
                );
                assert!(
                    same(super::exp2(&x, &x.exp2(), &g), from_operand::exp2(&x, &g)),
                    "exp2 at {x}"
                );
                assert!(
                    same(super::sqrt(&x, &x.sqrt(), &g), from_operand::sqrt(&x, &g)),
                    "sqrt at {x}"
                );
                assert!(
                    same(super::cbrt(&x, &x.cbrt(), &g), from_operand::cbrt(&x, &g)),
                    "cbrt at {x}"
                );
            }
        }
    }

    /// A method without a rule given the result falls back to its ordinary rule.
    #[test]
    fn other_methods_use_their_ordinary_rule() {
        let x = 0.75_f64;
        let (d,) = crate::__method_rule_given_result!(sin)(&x, &x.sin(), &2.0);
        assert_eq!(d, 2.0 * x.cos());
    }
}
