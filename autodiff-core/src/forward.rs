//! Forward-mode derivatives of generic functions, by evaluating them on dual numbers.
//!
//! Write the function once, generic over [`num_traits::Float`], and pass it to a helper,
//! which instantiates it with [`Dual`] or [`DualVec`]:
//!
//! ```
//! use autodiff_core::forward::{derivative, gradient};
//! use num_traits::Float;
//!
//! fn g<T: Float>(x: T) -> T {
//!     x.powi(3) - x
//! }
//!
//! assert_eq!(derivative(g, 2.0), (6.0, 11.0));
//!
//! fn h<T: Float>(v: &[T]) -> T {
//!     v[0] * v[1].exp()
//! }
//!
//! assert_eq!(gradient(h, &[3.0, 0.0]), (3.0, vec![1.0, 3.0]));
//! ```
//!
//! | helper | derivative | evaluations of `f` |
//! |--------|------------|--------------------|
//! | [`derivative`] | `f'(x)` of a scalar function | 1, on [`Dual`] |
//! | [`gradient`] | `∇f(x)` for `n` inputs | `n`, on [`Dual`] |
//! | [`gradient_n`] | `∇f(x)` for `N` inputs known at compile time | 1, on [`DualVec`] |
//! | [`jacobian`] | the `m × n` Jacobian of `m` outputs | `n`, on [`Dual`] |
//! | [`hessian`] | value, gradient and Hessian | `n(n + 1)/2`, on `Dual<Dual<f64>>` |
//!
//! Forward mode costs one evaluation per input direction, so it suits functions with few
//! inputs; for many inputs and one output, `#[differentiate]`'s reverse mode is cheaper.

use crate::{Dual, DualVec};

/// The value and derivative of a scalar function at `x`, in one evaluation.
///
/// ```
/// use autodiff_core::forward::derivative;
/// use num_traits::Float;
///
/// fn g<T: Float>(x: T) -> T {
///     x.sin() * x
/// }
///
/// let (value, slope) = derivative(g, 0.5);
/// assert_eq!(value, 0.5_f64.sin() * 0.5);
/// assert!((slope - (0.5_f64.sin() + 0.5 * 0.5_f64.cos())).abs() < 1e-15);
/// // Closures work too:
/// assert_eq!(derivative(|x| x * x, 3.0), (9.0, 6.0));
/// ```
pub fn derivative<F>(f: F, x: f64) -> (f64, f64)
where
    F: Fn(Dual<f64>) -> Dual<f64>,
{
    let y = f(Dual::variable(x));
    (y.re, y.eps)
}

/// The value and gradient of `f` at `x`, in `x.len()` evaluations (one per input; one if
/// there are no inputs).
///
/// Evaluation `i` seeds input `i` with a unit tangent and the others with zero.
///
/// ```
/// use autodiff_core::forward::gradient;
/// use num_traits::Float;
///
/// // Rosenbrock's function.
/// fn rosenbrock<T: Float>(v: &[T]) -> T {
///     let (one, hundred) = (T::one(), T::from(100.0).unwrap());
///     (one - v[0]).powi(2) + hundred * (v[1] - v[0] * v[0]).powi(2)
/// }
///
/// let (value, grad) = gradient(rosenbrock, &[1.0, 1.0]);
/// assert_eq!((value, grad), (0.0, vec![0.0, 0.0])); // the minimum
/// let (_, grad) = gradient(rosenbrock, &[0.0, 1.0]);
/// assert_eq!(grad, vec![-2.0, 200.0]);
/// ```
pub fn gradient<F>(f: F, x: &[f64]) -> (f64, Vec<f64>)
where
    F: Fn(&[Dual<f64>]) -> Dual<f64>,
{
    let mut point: Vec<Dual<f64>> = x.iter().copied().map(Dual::constant).collect();
    let mut value = None;
    let mut grad = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        point[i].eps = 1.0;
        let y = f(&point);
        point[i].eps = 0.0;
        value.get_or_insert(y.re);
        grad.push(y.eps);
    }
    let value = value.unwrap_or_else(|| f(&point).re);
    (value, grad)
}

/// The value and gradient of `f` at `x`, for `N` inputs known at compile time, in a single
/// evaluation on [`DualVec`]`<f64, N>`.
///
/// `f` takes a slice, so the same generic function serves [`gradient`] and `gradient_n`.
/// `N` is inferred from `x`; spelled out it is `gradient_n::<3, _>(f, &x)`.
///
/// ```
/// use autodiff_core::forward::{gradient, gradient_n};
/// use num_traits::Float;
///
/// fn f<T: Float>(v: &[T]) -> T {
///     v[0] * v[1] + v[2].sin()
/// }
///
/// let (value, grad) = gradient_n(f, &[2.0, 3.0, 0.0]);
/// assert_eq!((value, grad), (6.0, [3.0, 2.0, 1.0]));
/// assert_eq!(gradient(f, &[2.0, 3.0, 0.0]), (6.0, grad.to_vec()));
/// ```
pub fn gradient_n<const N: usize, F>(f: F, x: &[f64; N]) -> (f64, [f64; N])
where
    F: Fn(&[DualVec<f64, N>]) -> DualVec<f64, N>,
{
    let y = f(&DualVec::variables(*x));
    (y.re, y.eps)
}

/// The Jacobian of a function with several outputs at `x`, in `x.len()` evaluations (one if
/// there are no inputs).
///
/// Layout: one row per output, one column per input, so `jacobian[i][j]` is
/// `∂fᵢ/∂xⱼ`, and row `i` is the gradient of output `i`. `f` may return anything that is a
/// slice of duals: a `Vec`, an array.
///
/// # Panics
///
/// If `f` returns a different number of outputs on different evaluations.
///
/// ```
/// use autodiff_core::forward::jacobian;
/// use num_traits::Float;
///
/// // Polar to Cartesian coordinates: (r, θ) ↦ (r cos θ, r sin θ).
/// fn cartesian<T: Float>(v: &[T]) -> [T; 2] {
///     [v[0] * v[1].cos(), v[0] * v[1].sin()]
/// }
///
/// let j = jacobian(cartesian, &[2.0, 0.0]);
/// assert_eq!(j, vec![vec![1.0, 0.0], vec![0.0, 2.0]]);
/// ```
pub fn jacobian<F, V>(f: F, x: &[f64]) -> Vec<Vec<f64>>
where
    F: Fn(&[Dual<f64>]) -> V,
    V: AsRef<[Dual<f64>]>,
{
    let mut point: Vec<Dual<f64>> = x.iter().copied().map(Dual::constant).collect();
    if x.is_empty() {
        return vec![Vec::new(); f(&point).as_ref().len()];
    }
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for j in 0..x.len() {
        point[j].eps = 1.0;
        let outputs = f(&point);
        point[j].eps = 0.0;
        let outputs = outputs.as_ref();
        if j == 0 {
            rows = vec![Vec::with_capacity(x.len()); outputs.len()];
        }
        assert_eq!(
            outputs.len(),
            rows.len(),
            "jacobian: the function returned {} outputs, but {} on its first evaluation",
            outputs.len(),
            rows.len()
        );
        for (row, output) in rows.iter_mut().zip(outputs) {
            row.push(output.eps);
        }
    }
    rows
}

/// The value, gradient and Hessian of `f` at `x`, by nested dual numbers (forward over
/// forward), in `n(n + 1)/2` evaluations for `n` inputs (one if there are none).
///
/// The Hessian is returned as rows, `hessian[i][j] = ∂²f/∂xᵢ∂xⱼ`; it is symmetric, each
/// entry above the diagonal being computed once and mirrored. Evaluation `(i, j)`, for
/// `i ≤ j`, seeds input `i` in the inner tangent and input `j` in the outer one: the result
/// is `(f, ∂ᵢf) + (∂ⱼf, ∂ᵢ∂ⱼf)ε`.
///
/// ```
/// use autodiff_core::forward::hessian;
/// use num_traits::Float;
///
/// // f(x, y) = x² y + y³ has gradient (2xy, x² + 3y²) and Hessian [[2y, 2x], [2x, 6y]].
/// fn f<T: Float>(v: &[T]) -> T {
///     v[0] * v[0] * v[1] + v[1].powi(3)
/// }
///
/// let (value, grad, h) = hessian(f, &[1.0, 2.0]);
/// assert_eq!(value, 10.0);
/// assert_eq!(grad, vec![4.0, 13.0]);
/// assert_eq!(h, vec![vec![4.0, 2.0], vec![2.0, 12.0]]);
/// ```
pub fn hessian<F>(f: F, x: &[f64]) -> (f64, Vec<f64>, Vec<Vec<f64>>)
where
    F: Fn(&[Dual<Dual<f64>>]) -> Dual<Dual<f64>>,
{
    let n = x.len();
    let constant = |v: f64| Dual::constant(Dual::constant(v));
    let mut point: Vec<Dual<Dual<f64>>> = x.iter().copied().map(constant).collect();
    let mut value = None;
    let mut grad = vec![0.0; n];
    let mut hess = vec![vec![0.0; n]; n];
    for i in 0..n {
        point[i].re.eps = 1.0;
        for j in i..n {
            point[j].eps.re = 1.0;
            let y = f(&point);
            point[j].eps.re = 0.0;
            value.get_or_insert(y.re.re);
            if j == i {
                grad[i] = y.re.eps;
            }
            hess[i][j] = y.eps.eps;
            hess[j][i] = y.eps.eps;
        }
        point[i].re.eps = 0.0;
    }
    let value = value.unwrap_or_else(|| f(&point).re.re);
    (value, grad, hess)
}
