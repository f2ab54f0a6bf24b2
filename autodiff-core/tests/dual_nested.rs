//! Nested duals for second (and third) derivatives, against hand-derived Hessians; the
//! `forward` helpers; and `DualVec` gradients against `Dual` gradients.

use approx::relative_eq;
use autodiff_core::forward::{derivative, gradient, gradient_n, hessian, jacobian};
use autodiff_core::testing::{self, assert_gradient_close};
use autodiff_core::{Dual, DualVec};
use num_traits::Float;

type D2 = Dual<Dual<f64>>;

fn close(actual: f64, expected: f64) -> bool {
    relative_eq!(actual, expected, epsilon = 1e-12, max_relative = 1e-12)
}

#[track_caller]
fn assert_matrix_close(actual: &[Vec<f64>], expected: &[[f64; 2]]) {
    assert_eq!(actual.len(), expected.len());
    for (i, (row, expected_row)) in actual.iter().zip(expected).enumerate() {
        for (j, (&a, &e)) in row.iter().zip(expected_row).enumerate() {
            assert!(close(a, e), "entry ({i}, {j}): {a}, expected {e}");
        }
    }
}

/// Input `k` of a second-order evaluation seeding input `i` inside and input `j` outside.
fn seeded(x: &[f64], i: usize, j: usize) -> Vec<D2> {
    let unit = |k: usize, seed: usize| if k == seed { 1.0 } else { 0.0 };
    (0..x.len())
        .map(|k| Dual::new(Dual::new(x[k], unit(k, i)), Dual::new(unit(k, j), 0.0)))
        .collect()
}

fn sin_exp<T: Float>(v: &[T]) -> T {
    v[0].sin() * v[1].exp()
}

fn rosenbrock<T: Float>(v: &[T]) -> T {
    let (one, hundred) = (T::one(), T::from(100.0).unwrap());
    (one - v[0]).powi(2) + hundred * (v[1] - v[0] * v[0]).powi(2)
}

fn cube<T: Float>(x: T) -> T {
    x * x * x
}

#[test]
fn second_derivative_of_a_cube() {
    for x in [-2.0, 0.0, 0.5, 3.0] {
        let y = cube(Dual::new(Dual::variable(x), Dual::constant(1.0)));
        assert_eq!(y.re.re, x * x * x);
        assert_eq!(y.re.eps, 3.0 * x * x);
        assert_eq!(y.eps.re, 3.0 * x * x);
        assert_eq!(y.eps.eps, 6.0 * x);
        // Through powi and powf too.
        let z = Dual::new(Dual::variable(x), Dual::constant(1.0)).powi(3);
        assert_eq!((z.re.eps, z.eps.eps), (3.0 * x * x, 6.0 * x));
    }
    let z = Dual::new(Dual::variable(2.0), Dual::constant(1.0)).powf(Dual::constant(3.0.into()));
    assert!(close(z.eps.eps, 12.0));
}

#[test]
fn third_derivative_by_triple_nesting() {
    // d³/dx³ x⁴ = 24 x.
    let x = 1.5;
    let d = Dual::new(
        Dual::new(Dual::variable(x), Dual::constant(1.0)),
        Dual::constant(Dual::constant(1.0)),
    );
    let y = d.powi(4);
    assert_eq!(y.re.re.re, x.powi(4));
    assert_eq!(y.eps.eps.eps, 24.0 * x);
}

#[test]
fn hessian_of_sin_times_exp_by_hand() {
    for [x, y] in [[0.3, -1.0], [2.0, 0.5], [-1.2, 0.0]] {
        let (s, c, e) = (x.sin(), x.cos(), y.exp());
        let grad = [c * e, s * e];
        let hess = [[-s * e, c * e], [c * e, s * e]];
        for i in 0..2 {
            for j in 0..2 {
                let r = sin_exp(&seeded(&[x, y], i, j));
                assert!(close(r.re.re, s * e));
                assert!(close(r.re.eps, grad[i]) && close(r.eps.re, grad[j]));
                assert!(close(r.eps.eps, hess[i][j]), "H[{i}][{j}] at ({x}, {y})");
            }
        }
        let (value, g, h) = hessian(sin_exp, &[x, y]);
        assert!(close(value, s * e));
        assert!(close(g[0], grad[0]) && close(g[1], grad[1]));
        assert_matrix_close(&h, &hess);
    }
}

#[test]
fn hessian_of_rosenbrock_by_hand() {
    for [x, y] in [[1.0, 1.0], [0.0, 1.0], [-1.2, 1.0], [0.5, -0.3]] {
        let value = (1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x);
        let grad = [
            -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
            200.0 * (y - x * x),
        ];
        let hess = [
            [2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x],
            [-400.0 * x, 200.0],
        ];
        let (v, g, h) = hessian(rosenbrock, &[x, y]);
        assert!(close(v, value));
        assert!(
            close(g[0], grad[0]) && close(g[1], grad[1]),
            "{g:?} vs {grad:?}"
        );
        assert_matrix_close(&h, &hess);
    }
}

/// A Hessian-vector product by a `Dual` of `DualVec`s: the gradient inside, the direction
/// outside.
#[test]
fn hessian_vector_product_with_nested_dual_vec() {
    let (x, v) = ([-1.2, 1.0], [0.5, 2.0]);
    let inner = DualVec::variables(x);
    let point = [0, 1].map(|k| Dual::new(inner[k], DualVec::constant(v[k])));
    let r = rosenbrock(&point);
    let (_, _, h) = hessian(rosenbrock, &x);
    for (i, (row, &actual)) in h.iter().zip(&r.eps.eps).enumerate() {
        let hv = row[0] * v[0] + row[1] * v[1];
        assert!(close(actual, hv), "(Hv)[{i}] = {actual}, expected {hv}");
    }
}

#[test]
fn derivative_helper() {
    assert_eq!(derivative(cube, 2.0), (8.0, 12.0));
    let (value, slope) = derivative(|x| x.exp() * x.sin(), 0.0);
    assert_eq!((value, slope), (0.0, 1.0));
}

/// Functions of three inputs mixing every kind of method, for comparing gradients.
fn mixed<T: Float>(v: &[T]) -> T {
    let (x, y, z) = (v[0], v[1], v[2]);
    let two = T::from(2.0).unwrap();
    x.sin() * y.exp() + (x * x + z * z).sqrt() / (y.abs() + two) - x.max(z).powf(y) * z.atan2(x)
        + x.hypot(y).ln_1p()
        + (x - z).clamp(-two, two) * y.tanh()
}

#[test]
fn dual_vec_gradient_equals_dual_gradient() {
    for x in [[0.3, -1.0, 2.0], [1.5, 0.2, 0.7], [2.0, -0.4, -3.0]] {
        let (value, grad) = gradient(mixed, &x);
        let (value_n, grad_n) = gradient_n(mixed, &x);
        assert_eq!(value, value_n);
        assert_eq!(grad, grad_n.to_vec(), "at {x:?}"); // the same arithmetic, bit for bit
        assert_gradient_close(&grad, &testing::gradient(mixed, &x), 1e-6);
        assert_eq!(value, mixed(&x));
    }
    for x in [[1.0, 1.0], [-1.2, 1.0]] {
        assert_eq!(
            gradient(rosenbrock, &x).1,
            gradient_n(rosenbrock, &x).1.to_vec()
        );
        assert_eq!(hessian(rosenbrock, &x).1, gradient(rosenbrock, &x).1);
    }
}

#[test]
fn gradient_helpers_without_inputs() {
    fn constant<T: Float>(_: &[T]) -> T {
        T::from(4.0).unwrap()
    }
    assert_eq!(gradient(constant, &[]), (4.0, vec![]));
    assert_eq!(gradient_n(constant, &[]), (4.0, []));
    let (value, grad, hess) = hessian(constant, &[]);
    assert_eq!((value, grad, hess), (4.0, vec![], Vec::<Vec<f64>>::new()));
}

fn polar<T: Float>(v: &[T]) -> Vec<T> {
    let (r, theta) = (v[0], v[1]);
    vec![r * theta.cos(), r * theta.sin(), r]
}

#[test]
fn jacobian_rows_are_outputs() {
    let (r, t) = (2.0_f64, 0.6_f64);
    let j = jacobian(polar, &[r, t]);
    let expected = [[t.cos(), -r * t.sin()], [t.sin(), r * t.cos()], [1.0, 0.0]];
    assert_eq!(j.len(), 3);
    assert_matrix_close(&j, &expected);
    // Each row is the gradient of its output.
    for (i, row) in j.iter().enumerate() {
        assert_gradient_close(row, &gradient(|v| polar(v)[i], &[r, t]).1, 1e-15);
    }
    // Arrays work as outputs; no inputs still gives one (empty) row per output.
    let j = jacobian(|v: &[Dual<f64>]| [v[0] * v[1]], &[3.0, 4.0]);
    assert_eq!(j, vec![vec![4.0, 3.0]]);
    let j = jacobian(|_: &[Dual<f64>]| [Dual::constant(1.0); 2], &[]);
    assert_eq!(j, vec![Vec::<f64>::new(), Vec::new()]);
}

#[test]
#[should_panic(expected = "returned 2 outputs, but 1 on its first evaluation")]
fn jacobian_rejects_a_changing_output_count() {
    jacobian(
        |v: &[Dual<f64>]| {
            let n = if v[0].eps == 1.0 { 1 } else { 2 };
            vec![v[0]; n]
        },
        &[1.0, 2.0],
    );
}
