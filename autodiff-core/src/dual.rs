//! [`Dual`]: a value and one tangent, for forward-mode derivatives.

use core::fmt;

use num_traits::Float;

/// A dual number `re + eps·ε`, with `ε² = 0`: a value and its derivative along one direction.
///
/// Evaluating a function on `Dual::variable(x)` gives `f(x)` in [`re`](Dual::re) and
/// `f'(x)` in [`eps`](Dual::eps) (forward mode). `Dual<T>` implements
/// [`num_traits::Float`] for every `T: Float`, so code generic over `Float` runs on it
/// unchanged, and so does `Dual<Dual<f64>>`, which carries second derivatives.
///
/// ```
/// use autodiff_core::Dual;
/// use num_traits::Float;
///
/// fn f<T: Float>(x: T) -> T {
///     x * x.sin()
/// }
///
/// let y = f(Dual::variable(2.0_f64));
/// assert_eq!(y.re, 2.0 * 2.0_f64.sin());
/// assert!((y.eps - (2.0_f64.sin() + 2.0 * 2.0_f64.cos())).abs() < 1e-15);
/// ```
///
/// # Semantics
///
/// - **Arithmetic** `+ - * / %` and unary `-` work between duals, between a dual and a `T`
///   (`x * 2.0`), and with an `f64` or `f32` on the left (`2.0 * x`); so do the compound
///   assignments (`x += y`, `x *= 2.0`), [`Sum`](core::iter::Sum) and
///   [`Product`](core::iter::Product).
/// - **Comparisons** (`==`, `<`, …, also against a plain `T`, and with an `f64` or `f32`
///   on the left) look at the values only, as branches in generic code expect:
///   `Dual::new(1.0, 5.0) == 1.0`.
///   [`Zero::is_zero`](num_traits::Zero::is_zero) and [`One::is_one`](num_traits::One::is_one)
///   are stricter: they also require every tangent to be zero.
/// - **Float methods** take their derivatives from the pullbacks in
///   [`rules::methods`](crate::rules::methods), and so follow the same conventions where a
///   derivative does not exist: `abs` has derivative 0 at 0, a tie of `max` or `min`
///   splits the tangent evenly, `clamp` is inclusive at its bounds, `sqrt` has derivative
///   `+∞` at 0, `powf`'s exponent has derivative 0 at a zero base, `floor`, `ceil`,
///   `round`, `trunc` and `signum` have derivative 0 and `fract` derivative 1. The few
///   without a rule: `abs_sub` is `(x - y).max(0)` (a tie gives half the tangent of
///   `x - y`), `copysign` is `±x` (the sign operand gets no derivative), and `x % y` has
///   partial derivatives 1 and `-trunc(x / y)`.
/// - **Zero tangents stay exact:** a tangent that is exactly zero contributes exactly zero,
///   whatever the partial derivative it meets, so a constant stays a constant where a
///   derivative is infinite or NaN: `Dual::constant(0.0).sqrt()` has tangent 0, not NaN.
/// - **Conversions** (`NumCast`, `FromPrimitive`, `From<T>`, parsing) give constants;
///   `ToPrimitive` converts the value.
/// - **nalgebra** (feature `nalgebra`): `Dual<T>` is a `nalgebra::RealField` for every `T`
///   that is both a `RealField` and a `Float` (`f64`, `f32`, nested duals), so nalgebra's
///   algorithms run on matrices of duals and give directional derivatives:
///   `DVector<Dual<f64>>::norm()`, `DMatrix<Dual<f64>>::determinant()`, `try_inverse()`,
///   `lu()`. Its functions are the `Float` methods above; its constants (`pi()`, …) have
///   zero tangents; its complex-number functions have their real meanings (`modulus` is
///   `abs`, `argument` the constant 0 or π, `conjugate` the identity).
/// - **`approx`** ([`AbsDiffEq`](approx::AbsDiffEq), [`RelativeEq`](approx::RelativeEq),
///   [`UlpsEq`](approx::UlpsEq)) compares the values *and* the tangents, each with the
///   given tolerance, as tests of derivatives want. Compare `.re` to check values alone.
///   The tolerance is itself a `Dual` (nalgebra's `RealField` requires
///   `Epsilon = Self`), of which only the value is used: `epsilon = Dual::constant(1e-9)`.
///   The default tolerances are constants.
///
/// ```
/// use approx::assert_relative_eq;
/// use autodiff_core::Dual;
/// use num_traits::Float;
///
/// let x = Dual::variable(3.0_f64);
/// let y = 2.0 * x + 1.0; // value 7, tangent 2
/// assert!(y > 6.0 && y == 7.0);
/// assert_relative_eq!(y, Dual::new(7.0, 2.0));
/// assert_relative_eq!(y, Dual::new(7.0, 2.0 + 1e-12), epsilon = Dual::constant(1e-9));
/// assert_eq!(x.max(Dual::constant(3.0)).eps, 0.5); // a tie splits the tangent
/// assert_eq!(Dual::constant(0.0_f64).sqrt().eps, 0.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Dual<T> {
    /// The value.
    pub re: T,
    /// The tangent: the derivative of the value along the seeded direction.
    pub eps: T,
}

impl<T> Dual<T> {
    /// A dual number with value `re` and tangent `eps`.
    ///
    /// ```
    /// let x = autodiff_core::Dual::new(2.0, 0.5);
    /// assert_eq!((x.re, x.eps), (2.0, 0.5));
    /// ```
    #[inline]
    pub const fn new(re: T, eps: T) -> Self {
        Dual { re, eps }
    }

    /// The tangents as a slice of one.
    #[inline(always)]
    fn tangents(&self) -> &[T] {
        core::slice::from_ref(&self.eps)
    }
}

impl<T: Float> Dual<T> {
    /// A constant: the value `re` with a zero tangent.
    ///
    /// ```
    /// let c = autodiff_core::Dual::constant(4.0);
    /// assert_eq!((c.re, c.eps), (4.0, 0.0));
    /// ```
    #[inline]
    pub fn constant(re: T) -> Self {
        Dual::new(re, T::zero())
    }

    /// The variable of differentiation at `re`: tangent one.
    ///
    /// ```
    /// use autodiff_core::Dual;
    ///
    /// let x = Dual::variable(3.0);
    /// assert_eq!((x * x).eps, 6.0); // d/dx x² = 2x
    /// ```
    #[inline]
    pub fn variable(re: T) -> Self {
        Dual::new(re, T::one())
    }

    /// The same value with a zero tangent: no derivative flows through the result, like
    /// [`stop_gradient`](crate::stop_gradient()) in a `#[differentiate]` function.
    ///
    /// ```
    /// use autodiff_core::Dual;
    ///
    /// let x = Dual::variable(3.0);
    /// let y = x.detach() * x; // d/dx = detach(x) = 3
    /// assert_eq!((y.re, y.eps), (9.0, 3.0));
    /// ```
    #[inline]
    pub fn detach(self) -> Self {
        Dual::constant(self.re)
    }

    #[inline(always)]
    fn map_tangent(self, re: T, f: impl Fn(T) -> T) -> Self {
        Dual::new(re, f(self.eps))
    }

    #[inline(always)]
    fn zip_tangent(self, other: Self, re: T, f: impl Fn(T, T) -> T) -> Self {
        Dual::new(re, f(self.eps, other.eps))
    }

    #[inline(always)]
    fn zip3_tangent(self, a: Self, b: Self, re: T, f: impl Fn(T, T, T) -> T) -> Self {
        Dual::new(re, f(self.eps, a.eps, b.eps))
    }
}

crate::dual_ops::chain_rule_helpers!(Dual);
crate::dual_ops::arithmetic!(Dual);
crate::dual_ops::comparisons!(Dual);
crate::dual_float::num_traits_impls!(Dual);
crate::dual_float::float_impl!(Dual);

// The tolerance of a dual comparison is a dual (`Epsilon = Dual<T::Epsilon>`, which is
// `Self` for `f64`, `f32` and nested duals) because nalgebra's `RealField` demands
// `Epsilon = Self`. Its value is the tolerance for the value and for the tangent alike;
// its tangent is ignored, since a tolerance has no meaningful derivative.

impl<T: approx::AbsDiffEq> approx::AbsDiffEq for Dual<T>
where
    T::Epsilon: Clone + num_traits::Zero,
{
    type Epsilon = Dual<T::Epsilon>;
    #[inline]
    fn default_epsilon() -> Self::Epsilon {
        Dual::new(
            T::default_epsilon(),
            <T::Epsilon as num_traits::Zero>::zero(),
        )
    }
    #[inline]
    fn abs_diff_eq(&self, other: &Self, epsilon: Self::Epsilon) -> bool {
        self.re.abs_diff_eq(&other.re, epsilon.re.clone())
            && self.eps.abs_diff_eq(&other.eps, epsilon.re)
    }
}

impl<T: approx::RelativeEq> approx::RelativeEq for Dual<T>
where
    T::Epsilon: Clone + num_traits::Zero,
{
    #[inline]
    fn default_max_relative() -> Self::Epsilon {
        Dual::new(
            T::default_max_relative(),
            <T::Epsilon as num_traits::Zero>::zero(),
        )
    }
    #[inline]
    fn relative_eq(
        &self,
        other: &Self,
        epsilon: Self::Epsilon,
        max_relative: Self::Epsilon,
    ) -> bool {
        self.re
            .relative_eq(&other.re, epsilon.re.clone(), max_relative.re.clone())
            && self
                .eps
                .relative_eq(&other.eps, epsilon.re, max_relative.re)
    }
}

impl<T: approx::UlpsEq> approx::UlpsEq for Dual<T>
where
    T::Epsilon: Clone + num_traits::Zero,
{
    #[inline]
    fn default_max_ulps() -> u32 {
        T::default_max_ulps()
    }
    #[inline]
    fn ulps_eq(&self, other: &Self, epsilon: Self::Epsilon, max_ulps: u32) -> bool {
        self.re.ulps_eq(&other.re, epsilon.re.clone(), max_ulps)
            && self.eps.ulps_eq(&other.eps, epsilon.re, max_ulps)
    }
}

/// `re + epsε`, each part formatted with the formatter's precision; the parts of a nested
/// dual number are parenthesized.
///
/// ```
/// use autodiff_core::Dual;
///
/// assert_eq!(Dual::new(1.5, 2.0).to_string(), "1.5 + 2ε");
/// assert_eq!(format!("{:.2}", Dual::new(1.0, -0.5)), "1.00 - 0.50ε");
/// let nested = Dual::new(Dual::new(1.0, 2.0), Dual::new(3.0, 4.0));
/// assert_eq!(nested.to_string(), "(1 + 2ε) + (3 + 4ε)ε");
/// ```
impl<T: fmt::Display> fmt::Display for Dual<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let re = crate::dual_ops::format_part(&self.re, f);
        let eps = crate::dual_ops::format_part(&self.eps, f);
        match eps.strip_prefix('-') {
            Some(magnitude) => write!(f, "{re} - {magnitude}ε"),
            None => write!(f, "{re} + {eps}ε"),
        }
    }
}
