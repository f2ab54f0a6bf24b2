//! [`stop_gradient`] and the [`StopGradient`] trait behind it.

use crate::{Dual, DualVec};

/// Passes a value through while blocking its derivative.
///
/// Inside a `#[differentiate]` function, whatever is computed under `stop_gradient(..)` is
/// treated as a constant: no derivative flows back through it, like PyTorch's `detach()` or
/// JAX's `jax.lax.stop_gradient`. Outside, it returns plain numbers unchanged and drops the
/// tangents of dual numbers, so generic code run in forward mode sees the same constant:
///
/// ```
/// use autodiff_core::{forward, stop_gradient, Dual};
/// use num_traits::Float;
///
/// fn f<T: Float + autodiff_core::StopGradient>(x: T) -> T {
///     stop_gradient(x * x) * x // d/dx = x², with x² held constant
/// }
///
/// assert_eq!(stop_gradient(2.5_f64), 2.5);
/// assert_eq!(stop_gradient(Dual::new(2.0_f64, 1.0)).eps, 0.0);
/// assert_eq!(forward::derivative(f, 3.0_f64), (27.0, 9.0));
/// ```
#[inline(always)]
pub fn stop_gradient<T: StopGradient>(value: T) -> T {
    value.detach()
}

/// A value whose derivative [`stop_gradient`] can drop: a plain number is kept as it is, a
/// dual number loses its tangents, a container loses those of its elements.
///
/// Implemented for the primitive numbers, `bool`, `char`, `()`, `String`, [`Dual`],
/// [`DualVec`], `Vec`, arrays, `Option`, tuples of up to four, nalgebra matrices (with the
/// `nalgebra` feature), and for references to values without tangents (`&[f64]`, `&str`, …,
/// see [`Constant`]). For a type of your own, return the value with the tangents of its
/// fields dropped, or `self` if it holds none:
///
/// ```
/// use autodiff_core::{stop_gradient, StopGradient};
///
/// struct Settings {
///     rate: f64,
/// }
///
/// impl StopGradient for Settings {
///     fn detach(self) -> Self {
///         self // plain floats carry no tangent
///     }
/// }
///
/// assert_eq!(stop_gradient(Settings { rate: 0.5 }).rate, 0.5);
/// ```
#[diagnostic::on_unimplemented(
    message = "`stop_gradient` cannot tell whether `{Self}` carries a derivative",
    label = "no `StopGradient` implementation for this type",
    note = "pass the value rather than a reference to a dual number, or implement \
            `autodiff::StopGradient` for your type (return `self` if it holds no dual numbers)"
)]
pub trait StopGradient: Sized {
    /// Whether a value of this type can carry a tangent at all; containers of plain numbers
    /// skip their elements, so `stop_gradient` of a float buffer costs nothing.
    const HAS_TANGENT: bool = true;

    /// The same value with every tangent zero.
    fn detach(self) -> Self;
}

/// A type whose values never carry a tangent (plain numbers and collections of them), so that
/// a reference to one passes through [`stop_gradient`] unchanged: `stop_gradient(&x[..])`.
///
/// ```
/// use autodiff_core::stop_gradient;
///
/// let x = [1.0_f64, 2.0];
/// assert_eq!(stop_gradient(&x[..]), &[1.0, 2.0]);
/// ```
pub trait Constant {}

impl<T: Constant + ?Sized> StopGradient for &T {
    const HAS_TANGENT: bool = false;
    #[inline(always)]
    fn detach(self) -> Self {
        self
    }
}

macro_rules! plain {
    ($($ty:ty),*) => {$(
        impl StopGradient for $ty {
            const HAS_TANGENT: bool = false;
            #[inline(always)]
            fn detach(self) -> Self {
                self
            }
        }
        impl Constant for $ty {}
    )*};
}

plain!(
    f64,
    f32,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    bool,
    char,
    (),
    String
);

impl Constant for str {}
impl<T: Constant> Constant for [T] {}
impl<T: Constant, const N: usize> Constant for [T; N] {}
impl<T: Constant> Constant for Vec<T> {}

impl<T: num_traits::Float + StopGradient> StopGradient for Dual<T> {
    /// Nested duals lose the tangents of every level: `Dual<Dual<f64>>` becomes a constant
    /// for second derivatives too.
    #[inline(always)]
    fn detach(self) -> Self {
        Dual::constant(self.re.detach())
    }
}

impl<T: num_traits::Float + StopGradient, const N: usize> StopGradient for DualVec<T, N> {
    #[inline(always)]
    fn detach(self) -> Self {
        DualVec::constant(self.re.detach())
    }
}

impl<T: StopGradient> StopGradient for Vec<T> {
    const HAS_TANGENT: bool = T::HAS_TANGENT;
    fn detach(self) -> Self {
        if T::HAS_TANGENT {
            self.into_iter().map(StopGradient::detach).collect()
        } else {
            self
        }
    }
}

impl<T: StopGradient, const N: usize> StopGradient for [T; N] {
    const HAS_TANGENT: bool = T::HAS_TANGENT;
    #[inline(always)]
    fn detach(self) -> Self {
        if T::HAS_TANGENT {
            self.map(StopGradient::detach)
        } else {
            self
        }
    }
}

impl<T: StopGradient> StopGradient for Option<T> {
    const HAS_TANGENT: bool = T::HAS_TANGENT;
    #[inline(always)]
    fn detach(self) -> Self {
        self.map(StopGradient::detach)
    }
}

macro_rules! tuples {
    ($(($($name:ident),+)),*) => {$(
        impl<$($name: StopGradient),+> StopGradient for ($($name,)+) {
            const HAS_TANGENT: bool = $($name::HAS_TANGENT)||+;
            #[inline(always)]
            #[allow(non_snake_case)]
            fn detach(self) -> Self {
                let ($($name,)+) = self;
                ($($name.detach(),)+)
            }
        }
    )*};
}

tuples!((A), (A, B), (A, B, C), (A, B, C, D));

#[cfg(feature = "nalgebra")]
mod matrices {
    use nalgebra::allocator::Allocator;
    use nalgebra::{DefaultAllocator, Dim, Matrix, OMatrix, Scalar, Storage};

    use super::{Constant, StopGradient};

    impl<T, R: Dim, C: Dim> StopGradient for OMatrix<T, R, C>
    where
        T: StopGradient + Scalar,
        DefaultAllocator: Allocator<R, C>,
    {
        const HAS_TANGENT: bool = T::HAS_TANGENT;
        fn detach(mut self) -> Self {
            if T::HAS_TANGENT {
                self.apply(|entry| *entry = entry.clone().detach());
            }
            self
        }
    }

    impl<T: Constant + Scalar, R: Dim, C: Dim, S: Storage<T, R, C>> Constant for Matrix<T, R, C, S> {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_numbers_lose_every_tangent() {
        let nested = Dual::new(Dual::new(2.0_f64, 1.0), Dual::new(3.0, 4.0));
        let stopped = stop_gradient(nested);
        assert_eq!((stopped.re.re, stopped.re.eps), (2.0, 0.0));
        assert_eq!((stopped.eps.re, stopped.eps.eps), (0.0, 0.0));
        let [x, y] = DualVec::variables([1.0_f64, 2.0]);
        assert_eq!(stop_gradient(x * y).eps, [0.0, 0.0]);
        assert_eq!(stop_gradient(x * y).re, 2.0);
    }

    #[test]
    fn containers_detach_their_elements() {
        let v = stop_gradient(vec![Dual::new(1.0_f64, 1.0), Dual::new(2.0, 3.0)]);
        assert_eq!(v.iter().map(|d| d.eps).sum::<f64>(), 0.0);
        assert_eq!(v.iter().map(|d| d.re).sum::<f64>(), 3.0);
        let (a, n) = stop_gradient((Dual::new(1.0_f64, 1.0), 3_usize));
        assert_eq!((a.eps, n), (0.0, 3));
        const { assert!(!<Vec<f64> as StopGradient>::HAS_TANGENT) };
        const { assert!(<(usize, Dual<f64>) as StopGradient>::HAS_TANGENT) };
    }

    #[cfg(feature = "nalgebra")]
    #[test]
    fn matrices_detach_their_entries() {
        let m = stop_gradient(nalgebra::DVector::from_element(3, Dual::new(1.0_f64, 2.0)));
        assert!(m.iter().all(|d| d.eps == 0.0 && d.re == 1.0));
        let plain = nalgebra::DMatrix::from_element(2, 2, 1.5_f64);
        assert_eq!(stop_gradient(&plain), &plain);
        assert_eq!(stop_gradient(plain.clone()), plain);
    }
}
