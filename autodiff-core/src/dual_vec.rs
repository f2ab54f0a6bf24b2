//! [`DualVec`]: a value and `N` tangents, for a whole small gradient in one pass.

use core::fmt;

use num_traits::Float;

/// A dual number with `N` tangents, `re + Σ eps[i]·εᵢ` with `εᵢ εⱼ = 0`: a value and its
/// derivatives along `N` directions at once.
///
/// Seeding input `i` with the `i`-th unit tangent ([`DualVec::variable`] or
/// [`DualVec::variables`]) and evaluating a function once gives its value and its whole
/// gradient, where [`Dual`](crate::Dual) needs one evaluation per input. Everything else is
/// as for [`Dual`](crate::Dual), whose documentation describes the semantics: arithmetic
/// with duals and plain floats on either side, comparisons by value, every
/// [`num_traits::Float`] method with the conventions of
/// [`rules::methods`](crate::rules::methods), exact zero tangents, `approx` comparing the
/// value and every tangent.
///
/// ```
/// use autodiff_core::DualVec;
/// use num_traits::Float;
///
/// fn f<T: Float>(x: T, y: T) -> T {
///     x * y + y.exp()
/// }
///
/// let [x, y] = DualVec::variables([2.0_f64, 0.0]);
/// let z = f(x, y);
/// assert_eq!(z.re, 1.0);
/// assert_eq!(z.eps, [0.0, 3.0]); // (y, x + eʸ)
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DualVec<T, const N: usize> {
    /// The value.
    pub re: T,
    /// The tangents: the derivatives of the value along each of the `N` seeded directions.
    pub eps: [T; N],
}

impl<T, const N: usize> DualVec<T, N> {
    /// A dual number with value `re` and tangents `eps`.
    ///
    /// ```
    /// let x = autodiff_core::DualVec::new(2.0, [1.0, -1.0]);
    /// assert_eq!((x.re, x.eps), (2.0, [1.0, -1.0]));
    /// ```
    #[inline]
    pub const fn new(re: T, eps: [T; N]) -> Self {
        DualVec { re, eps }
    }

    /// The tangents as a slice.
    #[inline(always)]
    fn tangents(&self) -> &[T] {
        &self.eps
    }
}

impl<T: Float, const N: usize> DualVec<T, N> {
    /// A constant: the value `re` with zero tangents.
    ///
    /// ```
    /// let c = autodiff_core::DualVec::<f64, 3>::constant(4.0);
    /// assert_eq!((c.re, c.eps), (4.0, [0.0; 3]));
    /// ```
    #[inline]
    pub fn constant(re: T) -> Self {
        DualVec::new(re, [T::zero(); N])
    }

    /// Input number `index` of the function, at `re`: its tangent is the `index`-th unit
    /// vector.
    ///
    /// # Panics
    ///
    /// If `index >= N`.
    ///
    /// ```
    /// use autodiff_core::DualVec;
    ///
    /// let x = DualVec::<f64, 2>::variable(3.0, 0);
    /// let y = DualVec::<f64, 2>::variable(4.0, 1);
    /// assert_eq!((x * y).eps, [4.0, 3.0]);
    /// ```
    #[inline]
    pub fn variable(re: T, index: usize) -> Self {
        assert!(
            index < N,
            "DualVec::variable: index {index} is out of range for {N} tangents"
        );
        let mut x = DualVec::constant(re);
        x.eps[index] = T::one();
        x
    }

    /// All `N` inputs of a function at once: element `i` is `values[i]` with the `i`-th unit
    /// tangent.
    ///
    /// ```
    /// use autodiff_core::DualVec;
    ///
    /// let [x, y] = DualVec::variables([3.0, 4.0]);
    /// assert_eq!((x * y).eps, [4.0, 3.0]);
    /// ```
    #[inline]
    pub fn variables(values: [T; N]) -> [Self; N] {
        core::array::from_fn(|i| DualVec::variable(values[i], i))
    }

    /// The same value with zero tangents: no derivative flows through the result, like
    /// [`stop_gradient`](crate::stop_gradient()) in a `#[differentiate]` function.
    ///
    /// ```
    /// use autodiff_core::DualVec;
    ///
    /// let [x, y] = DualVec::variables([3.0, 4.0]);
    /// assert_eq!((x.detach() * y).eps, [0.0, 3.0]);
    /// ```
    #[inline]
    pub fn detach(self) -> Self {
        DualVec::constant(self.re)
    }

    #[inline(always)]
    fn map_tangent(self, re: T, f: impl Fn(T) -> T) -> Self {
        DualVec::new(re, self.eps.map(f))
    }

    #[inline(always)]
    fn zip_tangent(self, other: Self, re: T, f: impl Fn(T, T) -> T) -> Self {
        DualVec::new(re, core::array::from_fn(|i| f(self.eps[i], other.eps[i])))
    }

    #[inline(always)]
    fn zip3_tangent(self, a: Self, b: Self, re: T, f: impl Fn(T, T, T) -> T) -> Self {
        DualVec::new(
            re,
            core::array::from_fn(|i| f(self.eps[i], a.eps[i], b.eps[i])),
        )
    }
}

crate::dual_ops::chain_rule_helpers!(DualVec, N);
crate::dual_ops::arithmetic!(DualVec, N);
crate::dual_ops::comparisons!(DualVec, N);
crate::dual_float::num_traits_impls!(DualVec, N);
crate::dual_ops::approx_impls!(DualVec, N);
crate::dual_float::float_impl!(DualVec, N);

/// A zero value with zero tangents (for every `N`, where arrays have `Default` only up to 32).
///
/// ```
/// let z = autodiff_core::DualVec::<f64, 2>::default();
/// assert_eq!((z.re, z.eps), (0.0, [0.0, 0.0]));
/// ```
impl<T: Default + Copy, const N: usize> Default for DualVec<T, N> {
    fn default() -> Self {
        DualVec::new(T::default(), [T::default(); N])
    }
}

/// `re + [eps₀, eps₁, …]ε`, each number formatted with the formatter's precision.
///
/// ```
/// use autodiff_core::DualVec;
///
/// assert_eq!(DualVec::new(1.5, [2.0, -1.0]).to_string(), "1.5 + [2, -1]ε");
/// assert_eq!(format!("{:.2}", DualVec::new(1.0, [0.3])), "1.00 + [0.30]ε");
/// ```
impl<T: fmt::Display, const N: usize> fmt::Display for DualVec<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} + [", crate::dual_ops::format_part(&self.re, f))?;
        for (i, e) in self.eps.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(&crate::dual_ops::format_part(e, f))?;
        }
        f.write_str("]ε")
    }
}
