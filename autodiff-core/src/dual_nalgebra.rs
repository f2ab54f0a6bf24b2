//! [`Dual`] as a nalgebra [`RealField`], so that nalgebra's real-number algorithms (`norm`,
//! `normalize`, `determinant`, `try_inverse`, `lu`, …) run on matrices of dual numbers and
//! return their directional derivatives.
//!
//! `Dual<T>` is a [`RealField`] (hence a [`ComplexField`], [`Field`], [`SimdRealField`],
//! [`SimdComplexField`] and a one-lane [`SimdValue`]) for every `T` that is both a
//! `RealField` and a [`num_traits::Float`]: `Dual<f64>`, `Dual<f32>`, and nested duals such
//! as `Dual<Dual<f64>>`.
//!
//! ```
//! use autodiff_core::Dual;
//! use nalgebra::DVector;
//!
//! // ‖x‖ along the direction v: d‖x‖ = xᵀv / ‖x‖.
//! let (x, v) = ([3.0, 4.0, 12.0], [1.0, -2.0, 0.5]);
//! let seeded = DVector::from_iterator(3, x.iter().zip(&v).map(|(&x, &v)| Dual::new(x, v)));
//! let r = seeded.norm();
//! assert_eq!(r.re, 13.0);
//! let expected: f64 = (3.0 * 1.0 + 4.0 * -2.0 + 12.0 * 0.5) / 13.0;
//! assert!((r.eps - expected).abs() < 1e-15);
//! ```
//!
//! # Semantics
//!
//! - Every function that [`num_traits::Float`] also has is the `Float` method of `Dual`,
//!   with its derivative conventions (`max`/`min` ties split the tangent, `clamp` is
//!   inclusive at its bounds, `abs` has derivative 0 at 0, …; see [`Dual`]).
//! - Constants (`pi()`, `e()`, `default_epsilon()`, `min_value()`, …) have zero tangents.
//! - The complex-number functions have their real-number meanings: `real` and `conjugate`
//!   are the identity, `imaginary` is zero, `modulus` and `norm1` are `abs`, `argument` is
//!   the constant `0` or `π`, `scale`/`unscale` multiply/divide by a real, `powc` is `powf`.
//! - Predicates (`is_finite`, `is_sign_positive`, …) look at the value only, like the
//!   comparisons of `Dual`.
//! - `f64` and `f32` are subsets of `Dual<T>` through constants: converting a dual back
//!   with [`SupersetOf::to_subset`] succeeds only when its tangent is zero, since otherwise
//!   the derivative would be silently dropped; the unchecked conversion keeps the value.
//! - The `approx` tolerances of `Dual` are duals (`Epsilon = Self`, which `RealField`
//!   requires), of which only the value is used.

use nalgebra::{ComplexField, Field, RealField, SimdValue};
use num_traits::{Float, One, Zero};
use simba::scalar::{SubsetOf, SupersetOf};

use crate::Dual;

#[cfg(doc)]
use nalgebra::{SimdComplexField, SimdRealField};

/// A scalar: one lane holding the dual number itself.
impl<T: Clone> SimdValue for Dual<T> {
    const LANES: usize = 1;
    type Element = Self;
    type SimdBool = bool;

    #[inline(always)]
    fn splat(val: Self) -> Self {
        val
    }

    #[inline(always)]
    fn extract(&self, _: usize) -> Self {
        self.clone()
    }

    #[inline(always)]
    unsafe fn extract_unchecked(&self, _: usize) -> Self {
        self.clone()
    }

    #[inline(always)]
    fn replace(&mut self, _: usize, val: Self) {
        *self = val;
    }

    #[inline(always)]
    unsafe fn replace_unchecked(&mut self, _: usize, val: Self) {
        *self = val;
    }

    #[inline(always)]
    fn select(self, cond: bool, other: Self) -> Self {
        if cond {
            self
        } else {
            other
        }
    }
}

/// Dual numbers form a ring with the operators of [`Dual`]; nalgebra calls it a field, as it
/// does the floats (division by a zero value is as undefined as for `T`).
impl<T: Float> Field for Dual<T> {}

/// Every dual is a subset of itself (the identity conversion nalgebra requires of a scalar).
impl<T: Clone> SubsetOf<Dual<T>> for Dual<T> {
    #[inline]
    fn to_superset(&self) -> Dual<T> {
        self.clone()
    }

    #[inline]
    fn from_superset_unchecked(element: &Dual<T>) -> Self {
        element.clone()
    }

    #[inline]
    fn is_in_subset(_: &Dual<T>) -> bool {
        true
    }
}

/// `f64` and `f32` into duals as constants; back, as the value.
macro_rules! float_subset {
    ($($F:ty)*) => {$(
        /// A float is a constant dual number: only duals with a zero tangent are in the
        /// subset, so that a checked conversion never drops a derivative.
        impl<T: SupersetOf<$F> + Zero> SubsetOf<Dual<T>> for $F {
            #[inline]
            fn to_superset(&self) -> Dual<T> {
                Dual::new(T::from_subset(self), T::zero())
            }

            #[inline]
            fn from_superset_unchecked(element: &Dual<T>) -> Self {
                element.re.to_subset_unchecked()
            }

            #[inline]
            fn is_in_subset(element: &Dual<T>) -> bool {
                element.eps.is_zero() && element.re.is_in_subset()
            }
        }
    )*};
}

float_subset!(f64 f32);

/// Methods that are the [`Float`] method of the same name.
macro_rules! float_methods {
    ($($method:ident)*) => {$(
        #[inline]
        fn $method(self) -> Self {
            Float::$method(self)
        }
    )*};
}

/// Constants of `T`'s [`RealField`], with zero tangents.
macro_rules! real_constants {
    ($($name:ident)*) => {$(
        #[inline]
        fn $name() -> Self {
            Dual::constant(<T as RealField>::$name())
        }
    )*};
}

/// A dual number is a real number, whose complex-number functions have their real meanings.
impl<T: RealField + Float> ComplexField for Dual<T> {
    type RealField = Self;

    float_methods!(
        floor ceil round trunc fract abs recip
        sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh
        log2 log10 ln ln_1p sqrt exp exp2 exp_m1 cbrt
    );

    #[inline]
    fn from_real(re: Self) -> Self {
        re
    }

    #[inline]
    fn real(self) -> Self {
        self
    }

    #[inline]
    fn imaginary(self) -> Self {
        Self::zero()
    }

    #[inline]
    fn modulus(self) -> Self {
        Float::abs(self)
    }

    #[inline]
    fn modulus_squared(self) -> Self {
        self * self
    }

    /// The angle of a real number in the complex plane: `0` or `π`, piecewise constant, so
    /// its tangent is zero.
    #[inline]
    fn argument(self) -> Self {
        if self.re >= T::zero() {
            Self::zero()
        } else {
            Self::pi()
        }
    }

    #[inline]
    fn norm1(self) -> Self {
        Float::abs(self)
    }

    #[inline]
    fn scale(self, factor: Self) -> Self {
        self * factor
    }

    #[inline]
    fn unscale(self, factor: Self) -> Self {
        self / factor
    }

    /// `(|x|, ±1)` by the sign of the value, as for the floats: the default, `x / |x|`,
    /// would divide by zero at 0 and give the sign a rounded (not exactly zero) tangent.
    #[inline]
    fn to_exp(self) -> (Self, Self) {
        if self.re >= T::zero() {
            (self, Self::one())
        } else {
            (-self, -Self::one())
        }
    }

    #[inline]
    fn signum(self) -> Self {
        Float::signum(self)
    }

    #[inline]
    fn mul_add(self, a: Self, b: Self) -> Self {
        Float::mul_add(self, a, b)
    }

    #[inline]
    fn hypot(self, other: Self) -> Self {
        Float::hypot(self, other)
    }

    #[inline]
    fn conjugate(self) -> Self {
        self
    }

    #[inline]
    fn sin_cos(self) -> (Self, Self) {
        Float::sin_cos(self)
    }

    /// `sin x / x`, by its Taylor polynomial `1 - x²/6 + x⁴/120` where the value is zero: the
    /// quotient would be `0 / 0` there whenever the tangent is not zero, while the polynomial
    /// is exact on a zero-valued dual (its tangent parts are nilpotent), to the fourth
    /// derivative of nested duals.
    #[inline]
    fn sinc(self) -> Self {
        if self.re == T::zero() {
            let x2 = self * self;
            Self::one() - x2 / Self::literal(6.0) + x2 * x2 / Self::literal(120.0)
        } else {
            Float::sin(self) / self
        }
    }

    /// `sinh x / x`, by `1 + x²/6 + x⁴/120` where the value is zero, as [`sinc`](Self::sinc).
    #[inline]
    fn sinhc(self) -> Self {
        if self.re == T::zero() {
            let x2 = self * self;
            Self::one() + x2 / Self::literal(6.0) + x2 * x2 / Self::literal(120.0)
        } else {
            Float::sinh(self) / self
        }
    }

    /// `cos x / x`, which has a pole at 0; there, like the floats, the constant 1 (the
    /// default's test is `is_zero`, which a dual with a tangent fails, giving `1 / 0`).
    #[inline]
    fn cosc(self) -> Self {
        if self.re == T::zero() {
            Self::one()
        } else {
            Float::cos(self) / self
        }
    }

    /// `cosh x / x`: the constant 1 at a zero value, as [`cosc`](Self::cosc).
    #[inline]
    fn coshc(self) -> Self {
        if self.re == T::zero() {
            Self::one()
        } else {
            Float::cosh(self) / self
        }
    }

    #[inline]
    fn log(self, base: Self) -> Self {
        Float::log(self, base)
    }

    #[inline]
    fn powi(self, n: i32) -> Self {
        Float::powi(self, n)
    }

    #[inline]
    fn powf(self, n: Self) -> Self {
        Float::powf(self, n)
    }

    /// A real power: the exponent is real too.
    #[inline]
    fn powc(self, n: Self) -> Self {
        Float::powf(self, n)
    }

    #[inline]
    fn is_finite(&self) -> bool {
        Float::is_finite(*self)
    }

    /// `None` for a negative value, like the floats (a real square root).
    #[inline]
    fn try_sqrt(self) -> Option<Self> {
        if self.re >= T::zero() {
            Some(Float::sqrt(self))
        } else {
            None
        }
    }
}

/// The real-number operations, with [`Float`]'s derivative conventions for the comparisons.
impl<T: RealField + Float> RealField for Dual<T> {
    real_constants!(
        pi two_pi frac_pi_2 frac_pi_3 frac_pi_4 frac_pi_6 frac_pi_8 frac_1_pi frac_2_pi
        frac_2_sqrt_pi e log2_e log10_e ln_2 ln_10
    );

    #[inline]
    fn is_sign_positive(&self) -> bool {
        Float::is_sign_positive(*self)
    }

    #[inline]
    fn is_sign_negative(&self) -> bool {
        Float::is_sign_negative(*self)
    }

    #[inline]
    fn copysign(self, sign: Self) -> Self {
        Float::copysign(self, sign)
    }

    #[inline]
    fn max(self, other: Self) -> Self {
        Float::max(self, other)
    }

    #[inline]
    fn min(self, other: Self) -> Self {
        Float::min(self, other)
    }

    #[inline]
    fn clamp(self, min: Self, max: Self) -> Self {
        Float::clamp(self, min, max)
    }

    #[inline]
    fn atan2(self, other: Self) -> Self {
        Float::atan2(self, other)
    }

    #[inline]
    fn min_value() -> Option<Self> {
        <T as RealField>::min_value().map(Dual::constant)
    }

    #[inline]
    fn max_value() -> Option<Self> {
        <T as RealField>::max_value().map(Dual::constant)
    }
}

impl<T: RealField + Float> Dual<T> {
    /// A constant from an `f64` literal, for the series above.
    #[inline(always)]
    fn literal(x: f64) -> Self {
        Dual::constant(T::from_subset(&x))
    }
}

// A dual number on the left of a matrix of dual numbers (`s * A`): nalgebra defines a scalar
// on the left for its primitive types only, and the dual copy of `2.0 * x` writes exactly
// this. The product is the matrix's own `A * s`.
macro_rules! dual_times_matrix {
    ($($lhs:ty),*) => {$(
        impl<T, R, C, S> core::ops::Mul<nalgebra::Matrix<Dual<T>, R, C, S>> for $lhs
        where
            T: RealField + Float,
            R: nalgebra::Dim,
            C: nalgebra::Dim,
            S: nalgebra::Storage<Dual<T>, R, C>,
            nalgebra::DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
        {
            type Output = nalgebra::OMatrix<Dual<T>, R, C>;
            #[inline]
            fn mul(self, rhs: nalgebra::Matrix<Dual<T>, R, C, S>) -> Self::Output {
                rhs * *self.borrow()
            }
        }

        impl<T, R, C, S> core::ops::Mul<&nalgebra::Matrix<Dual<T>, R, C, S>> for $lhs
        where
            T: RealField + Float,
            R: nalgebra::Dim,
            C: nalgebra::Dim,
            S: nalgebra::Storage<Dual<T>, R, C>,
            nalgebra::DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
        {
            type Output = nalgebra::OMatrix<Dual<T>, R, C>;
            #[inline]
            fn mul(self, rhs: &nalgebra::Matrix<Dual<T>, R, C, S>) -> Self::Output {
                rhs * *self.borrow()
            }
        }
    )*};
}

use core::borrow::Borrow;
dual_times_matrix!(Dual<T>, &Dual<T>);
