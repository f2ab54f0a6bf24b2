//! The `num_traits` traits of [`Dual`](crate::Dual) and [`DualVec`](crate::DualVec):
//! [`Float`](num_traits::Float), and `Zero`, `One`, `Num`, the conversions, `Signed`,
//! `FloatConst`; written once as macros over the type name, like those of
//! [`dual_ops`](crate::dual_ops).
//!
//! Every method computes its value with `T`'s method of the same name and its tangents by
//! the chain rule, with the local derivatives taken from the pullbacks in
//! [`rules::methods`](crate::rules::methods) evaluated at a cotangent of one. The forward
//! and reverse modes therefore share one set of formulas, and with it every convention at
//! points where a derivative does not exist (`abs` at 0, ties of `max` and `min`, the bounds
//! of `clamp`, `sqrt` at 0, …): a rule's documentation is also that of the method here.
//!
//! Three methods have no rule and are documented where they are defined: `abs_sub`
//! (`(x - y).max(0)`, so a tie gives half the tangent of `x - y`), `copysign` (`±x`; the
//! `sign` operand has a zero derivative) and `sin_cos` (the pair). The remainder `%` is
//! with the other operators, in [`dual_ops`](crate::dual_ops).

/// One-operand methods with a rule of the same name.
macro_rules! unary_rule_methods {
    ($($method:ident)*) => {$(
        #[inline]
        fn $method(self) -> Self {
            let (d,) = $crate::rules::methods::$method(&self.re, &T::one());
            self.lift(self.re.$method(), d)
        }
    )*};
}
pub(crate) use unary_rule_methods;

/// Two-operand methods with a rule of the same name.
macro_rules! binary_rule_methods {
    ($($method:ident($other:ident))*) => {$(
        #[inline]
        fn $method(self, $other: Self) -> Self {
            let (dx, dy) = $crate::rules::methods::$method(&self.re, &$other.re, &T::one());
            self.lift2($other, self.re.$method($other.re), dx, dy)
        }
    )*};
}
pub(crate) use binary_rule_methods;

/// Constants of `T` with zero tangents.
macro_rules! constant_methods {
    ($($method:ident)*) => {$(
        #[inline]
        fn $method() -> Self {
            Self::constant(T::$method())
        }
    )*};
}
pub(crate) use constant_methods;

/// Predicates and queries of the value alone.
macro_rules! value_methods {
    ($($method:ident -> $out:ty),* $(,)?) => {$(
        #[inline]
        fn $method(self) -> $out {
            self.re.$method()
        }
    )*};
}
pub(crate) use value_methods;

/// `impl Float` for `$Dual<T>` or `$Dual<T, N>`.
macro_rules! float_impl {
    ($Dual:ident $(, $N:ident)?) => {
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::num_traits::Float for $Dual<T $(, $N)?> {
            $crate::dual_float::constant_methods!(
                nan infinity neg_infinity neg_zero min_value min_positive_value epsilon max_value
            );

            $crate::dual_float::value_methods!(
                is_nan -> bool,
                is_infinite -> bool,
                is_finite -> bool,
                is_normal -> bool,
                is_subnormal -> bool,
                is_sign_positive -> bool,
                is_sign_negative -> bool,
                classify -> ::core::num::FpCategory,
                integer_decode -> (u64, i16, i8),
            );

            $crate::dual_float::unary_rule_methods!(
                floor ceil round trunc fract abs signum
                recip sqrt cbrt exp exp2 exp_m1 ln ln_1p log2 log10
                sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh
                to_degrees to_radians
            );

            $crate::dual_float::binary_rule_methods!(
                powf(n) log(base) max(other) min(other) hypot(other) atan2(other)
            );

            #[inline]
            fn powi(self, n: i32) -> Self {
                let (d, _) = $crate::rules::methods::powi(&self.re, &n, &T::one());
                self.lift(self.re.powi(n), d)
            }

            #[inline]
            fn mul_add(self, a: Self, b: Self) -> Self {
                let (dx, da, db) =
                    $crate::rules::methods::mul_add(&self.re, &a.re, &b.re, &T::one());
                self.lift3(a, b, self.re.mul_add(a.re, b.re), dx, da, db)
            }

            #[inline]
            fn clamp(self, lo: Self, hi: Self) -> Self {
                let (dx, dlo, dhi) =
                    $crate::rules::methods::clamp(&self.re, &lo.re, &hi.re, &T::one());
                self.lift3(lo, hi, self.re.clamp(lo.re, hi.re), dx, dlo, dhi)
            }

            /// `max(x - y, 0)`: the tangent of `x - y` where `x > y`, zero where `x < y`,
            /// and half of it at a tie, as [`max`](crate::rules::methods::max) splits a tie.
            #[inline]
            #[allow(deprecated)]
            fn abs_sub(self, other: Self) -> Self {
                let (d, _) =
                    $crate::rules::methods::max(&(self.re - other.re), &T::zero(), &T::one());
                self.lift2(other, self.re.abs_sub(other.re), d, -d)
            }

            /// `x` or `-x`: the tangent follows (`±1` times that of `x`); the `sign`
            /// operand, only read for its sign, gets a zero derivative.
            #[inline]
            fn copysign(self, sign: Self) -> Self {
                let value = self.re.copysign(sign.re);
                let d = if self.re.is_sign_negative() == sign.re.is_sign_negative() {
                    T::one()
                } else {
                    -T::one()
                };
                self.lift(value, d)
            }

            #[inline]
            fn sin_cos(self) -> (Self, Self) {
                (self.sin(), self.cos())
            }
        }
    };
}
pub(crate) use float_impl;

/// `Zero`, `One`, `Num`, the conversions, `Signed`, `FloatConst`, `From<T>`, `ZeroLike`.
macro_rules! num_traits_impls {
    ($Dual:ident $(, $N:ident)?) => {
        /// The additive identity: a zero value with zero tangents. `is_zero` is true only
        /// when the value *and every tangent* are zero, unlike `== 0`, which compares values.
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::num_traits::Zero for $Dual<T $(, $N)?> {
            #[inline]
            fn zero() -> Self {
                Self::constant(T::zero())
            }
            #[inline]
            fn is_zero(&self) -> bool {
                self.re.is_zero() && self.tangents_are_zero()
            }
        }

        /// The multiplicative identity: a value of one with zero tangents. `is_one` is true
        /// only when the value is one and every tangent zero.
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::num_traits::One for $Dual<T $(, $N)?> {
            #[inline]
            fn one() -> Self {
                Self::constant(T::one())
            }
            #[inline]
            fn is_one(&self) -> bool {
                self.re.is_one() && self.tangents_are_zero()
            }
        }

        /// Parses a constant.
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::num_traits::Num for $Dual<T $(, $N)?> {
            type FromStrRadixErr = T::FromStrRadixErr;
            #[inline]
            fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
                T::from_str_radix(s, radix).map(Self::constant)
            }
        }

        /// Converts the value; the tangents are dropped.
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::num_traits::ToPrimitive
            for $Dual<T $(, $N)?>
        {
            #[inline]
            fn to_i64(&self) -> Option<i64> {
                self.re.to_i64()
            }
            #[inline]
            fn to_u64(&self) -> Option<u64> {
                self.re.to_u64()
            }
            #[inline]
            fn to_i128(&self) -> Option<i128> {
                self.re.to_i128()
            }
            #[inline]
            fn to_u128(&self) -> Option<u128> {
                self.re.to_u128()
            }
            #[inline]
            fn to_f32(&self) -> Option<f32> {
                self.re.to_f32()
            }
            #[inline]
            fn to_f64(&self) -> Option<f64> {
                self.re.to_f64()
            }
        }

        /// Converts into a constant (zero tangents).
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::num_traits::NumCast for $Dual<T $(, $N)?> {
            #[inline]
            fn from<P: ::num_traits::ToPrimitive>(n: P) -> Option<Self> {
                <T as ::num_traits::NumCast>::from(n).map(Self::constant)
            }
        }

        /// Converts into a constant (zero tangents).
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::num_traits::FromPrimitive
            for $Dual<T $(, $N)?>
        {
            #[inline]
            fn from_i64(n: i64) -> Option<Self> {
                <Self as ::num_traits::NumCast>::from(n)
            }
            #[inline]
            fn from_u64(n: u64) -> Option<Self> {
                <Self as ::num_traits::NumCast>::from(n)
            }
            #[inline]
            fn from_i128(n: i128) -> Option<Self> {
                <Self as ::num_traits::NumCast>::from(n)
            }
            #[inline]
            fn from_u128(n: u128) -> Option<Self> {
                <Self as ::num_traits::NumCast>::from(n)
            }
            #[inline]
            fn from_f32(n: f32) -> Option<Self> {
                <Self as ::num_traits::NumCast>::from(n)
            }
            #[inline]
            fn from_f64(n: f64) -> Option<Self> {
                <Self as ::num_traits::NumCast>::from(n)
            }
        }

        /// The `Float` methods of the same names, with their tangents.
        impl<T: ::num_traits::Float $(, const $N: usize)?> ::num_traits::Signed for $Dual<T $(, $N)?> {
            #[inline]
            fn abs(&self) -> Self {
                ::num_traits::Float::abs(*self)
            }
            #[inline]
            fn abs_sub(&self, other: &Self) -> Self {
                ::num_traits::Float::abs_sub(*self, *other)
            }
            #[inline]
            fn signum(&self) -> Self {
                ::num_traits::Float::signum(*self)
            }
            #[inline]
            fn is_positive(&self) -> bool {
                self.re.is_sign_positive()
            }
            #[inline]
            fn is_negative(&self) -> bool {
                self.re.is_sign_negative()
            }
        }

        /// The constants of `T`, with zero tangents.
        impl<T: ::num_traits::Float + ::num_traits::FloatConst $(, const $N: usize)?>
            ::num_traits::FloatConst for $Dual<T $(, $N)?>
        {
            $crate::dual_float::float_consts!(
                E FRAC_1_PI FRAC_1_SQRT_2 FRAC_2_PI FRAC_2_SQRT_PI FRAC_PI_2 FRAC_PI_3 FRAC_PI_4
                FRAC_PI_6 FRAC_PI_8 LN_10 LN_2 LOG10_E LOG2_E PI SQRT_2 TAU LOG10_2 LOG2_10
            );
        }

        /// A constant: the value with zero tangents.
        impl<T: ::num_traits::Float $(, const $N: usize)?> From<T> for $Dual<T $(, $N)?> {
            #[inline]
            fn from(re: T) -> Self {
                Self::constant(re)
            }
        }

        /// A zero value with zero tangents, so that generated reverse sweeps can run on duals.
        impl<T: ::num_traits::Float $(, const $N: usize)?> $crate::ZeroLike for $Dual<T $(, $N)?> {
            #[inline]
            fn zero_like(&self) -> Self {
                Self::constant(T::zero())
            }
        }
    };
}
pub(crate) use num_traits_impls;

/// The `FloatConst` methods, each the constant of `T`.
macro_rules! float_consts {
    ($($name:ident)*) => {$(
        #[inline]
        fn $name() -> Self {
            Self::constant(T::$name())
        }
    )*};
}
pub(crate) use float_consts;
