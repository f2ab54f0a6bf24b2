//! Second order through nalgebra: `f_hvp` and `f_hessian` of functions of vectors and
//! matrices, against hand-derived Hessians and central differences of the generated
//! gradient.

mod common;

use approx::assert_relative_eq;
use autodiff::nalgebra::{DMatrix, DVector, Vector3};
use autodiff::prelude::*;

/// xᵀAx: H = A + Aᵀ.
#[differentiate(wrt(x))]
fn quadratic(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    x.dot(&(a * x))
}

fn sample(n: usize, seed: f64) -> (DVector<f64>, DMatrix<f64>) {
    let x = DVector::from_fn(n, |i, _| (seed + i as f64 * 0.7).sin());
    // cos(α + βk) alone has rank 2: the identity keeps A well away from singular.
    let a = DMatrix::from_fn(n, n, |i, j| ((i * n + j) as f64 * 0.37 + seed).cos())
        + DMatrix::identity(n, n) * 2.0;
    (x, a)
}

#[test]
fn quadratic_form_hessian_is_a_plus_a_transpose() {
    let (x, a) = sample(4, 0.3);
    let h = quadratic_hessian(&x, &a);
    let expected = &a + a.transpose();
    assert_relative_eq!(h, expected, epsilon = 1e-12);
    let v = DVector::from_fn(4, |i, _| i as f64 - 1.5);
    assert_relative_eq!(quadratic_hvp(&x, &v, &a), &expected * &v, epsilon = 1e-12);
}

#[test]
fn quadratic_form_gradient_and_hvp_from_one_sweep() {
    let (x, a) = sample(4, 0.3);
    let v = DVector::from_fn(4, |i, _| i as f64 - 1.5);
    let (gradient, hv) = quadratic_grad_and_hvp(&x, &v, &a);
    let sum = &a + a.transpose();
    // ∇ xᵀAx = (A + Aᵀ) x, H v = (A + Aᵀ) v.
    assert_relative_eq!(gradient, &sum * &x, epsilon = 1e-12);
    assert_relative_eq!(gradient, quadratic_grad(&x, &a), epsilon = 1e-12);
    assert_relative_eq!(hv, &sum * &v, epsilon = 1e-12);
}

/// Central differences of a gradient given over a flat vector of inputs.
fn hessian_by_differences(
    grad: impl Fn(&DVector<f64>) -> DVector<f64>,
    at: &DVector<f64>,
) -> DMatrix<f64> {
    let n = at.len();
    let mut h = DMatrix::zeros(n, n);
    for k in 0..n {
        let step = 1e-5 * at[k].abs().max(1.0);
        let (mut plus, mut minus) = (at.clone(), at.clone());
        plus[k] += step;
        minus[k] -= step;
        h.set_column(k, &((grad(&plus) - grad(&minus)) / (2.0 * step)));
    }
    h
}

/// 2xᵀx + ‖x‖ + ‖x‖²: H = 4I + (I − x̂x̂ᵀ)/‖x‖ + 2I.
#[differentiate]
fn norms(x: &DVector<f64>) -> f64 {
    2.0 * x.dot(x) + x.norm() + x.norm_squared()
}

#[test]
fn norms_hessian_by_hand_and_by_differences() {
    let (x, _) = sample(5, 1.1);
    let h = norms_hessian(&x);
    let r = x.norm();
    let unit = &x / r;
    let identity = DMatrix::<f64>::identity(5, 5);
    let by_hand = &identity * 6.0 + (&identity - &unit * unit.transpose()) / r;
    assert_relative_eq!(h, by_hand, epsilon = 1e-12);
    let by_differences = hessian_by_differences(norms_grad, &x);
    assert_relative_eq!(h, by_differences, epsilon = 1e-6);
}

/// Σ tanh(W x + b) over W, x and b: matrix parameters flatten column by column.
#[differentiate]
fn layer(w: &DMatrix<f64>, x: &DVector<f64>, b: &DVector<f64>) -> f64 {
    let z = w * x + b;
    z.map(|v| v.tanh()).sum()
}

#[test]
fn layer_hessian_against_differences_and_by_hand() {
    let (x, a) = sample(3, 0.2);
    let w = a.rows(0, 2).into_owned() * 0.5;
    let b = DVector::from_vec(vec![0.1, -0.3]);
    let h = layer_hessian(&w, &x, &b);
    let sizes = (w.len(), x.len(), b.len());
    let n = sizes.0 + sizes.1 + sizes.2;
    assert_eq!(h.shape(), (n, n));
    let unflatten = |p: &DVector<f64>| {
        let w = DMatrix::from_column_slice(2, 3, &p.as_slice()[..6]);
        let x = DVector::from_column_slice(&p.as_slice()[6..9]);
        let b = DVector::from_column_slice(&p.as_slice()[9..]);
        (w, x, b)
    };
    let flat = DVector::from_iterator(n, w.iter().chain(x.iter()).chain(b.iter()).copied());
    let by_differences = hessian_by_differences(
        |p| {
            let (w, x, b) = unflatten(p);
            let (gw, gx, gb) = layer_grad(&w, &x, &b);
            DVector::from_iterator(n, gw.iter().chain(gx.iter()).chain(gb.iter()).copied())
        },
        &flat,
    );
    assert_relative_eq!(h, by_differences, epsilon = 1e-6);
    // ∂²f/∂b_i² = −2 tanh(z_i)(1 − tanh²(z_i)), and b_0, b_1 do not interact.
    let z = &w * &x + &b;
    for i in 0..2 {
        let t = z[i].tanh();
        assert_relative_eq!(h[(9 + i, 9 + i)], -2.0 * t * (1.0 - t * t), epsilon = 1e-12);
    }
    assert_eq!(h[(9, 10)], 0.0);
}

/// det(A) for a 3×3 A: H_{(ij),(kl)} = ∂² det / ∂a_ij ∂a_kl, by central differences.
#[differentiate]
fn determinant(a: &DMatrix<f64>) -> f64 {
    a.determinant()
}

#[test]
fn determinant_hessian_against_differences() {
    let (_, a) = sample(3, 0.9);
    let h = determinant_hessian(&a);
    let flat = DVector::from_column_slice(a.as_slice());
    let by_differences = hessian_by_differences(
        |p| {
            let a = DMatrix::from_column_slice(3, 3, p.as_slice());
            let g = determinant_grad(&a);
            DVector::from_column_slice(g.as_slice())
        },
        &flat,
    );
    assert_relative_eq!(h, by_differences, epsilon = 1e-6);
    // det is linear in each entry, and in each row: entries of one row (or one column) do
    // not interact. With column-major flattening a_ij is entry i + 3j.
    for (p, q) in [(0, 0), (4, 4), (0, 3), (0, 6), (1, 2), (3, 5)] {
        assert!(h[(p, q)].abs() < 1e-12, "entry ({p}, {q}) = {}", h[(p, q)]);
    }
    // ∂²det / ∂a_00 ∂a_11 = a_22 (the cofactor of the remaining entry).
    assert_relative_eq!(h[(0, 4)], a[(2, 2)], epsilon = 1e-12);
}

/// Entries, a loop and a product: f = Σ_i x_i² · (Ax)_i.
#[differentiate(wrt(x))]
fn entries(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    let y = a * x;
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i] * y[i];
    }
    s
}

#[test]
fn entries_hessian_by_hand() {
    let (x, a) = sample(4, 2.0);
    let h = entries_hessian(&x, &a);
    // ∂f/∂x_k = 2 x_k y_k + Σ_i x_i² a_ik; ∂²f/∂x_k∂x_l = 2 δ_kl y_k + 2 x_k a_kl + 2 x_l a_lk.
    let y = &a * &x;
    let by_hand = DMatrix::from_fn(4, 4, |k, l| {
        let diagonal = if k == l { 2.0 * y[k] } else { 0.0 };
        diagonal + 2.0 * x[k] * a[(k, l)] + 2.0 * x[l] * a[(l, k)]
    });
    assert_relative_eq!(h, by_hand, epsilon = 1e-12);
}

/// A static vector, a scalar parameter and `map` over a closure that reads it:
/// f = Σ exp(s·v_i) + s²·|v|², with v a `Vector3`.
#[differentiate]
fn scaled_exponentials(v: Vector3<f64>, s: f64) -> f64 {
    v.map(|e| (s * e).exp()).sum() + s * s * v.norm_squared()
}

#[test]
fn static_vector_and_scalar_flatten_in_parameter_order() {
    let (v, s) = (Vector3::new(0.3, -0.2, 0.5), 0.7);
    let h = scaled_exponentials_hessian(v, s);
    assert_eq!(h.shape(), (4, 4));
    // ∂²/∂v_i² = s² e^{s v_i} + 2 s²; ∂²/∂v_i∂s = e^{s v_i}(1 + s v_i) + 4 s v_i;
    // ∂²/∂s² = Σ v_i² e^{s v_i} + 2 |v|².
    for i in 0..3 {
        let e = (s * v[i]).exp();
        assert_relative_eq!(h[(i, i)], s * s * e + 2.0 * s * s, epsilon = 1e-12);
        assert_relative_eq!(
            h[(i, 3)],
            e * (1.0 + s * v[i]) + 4.0 * s * v[i],
            epsilon = 1e-12
        );
        assert_relative_eq!(h[(3, i)], h[(i, 3)], epsilon = 1e-12);
    }
    let hss: f64 =
        (0..3).map(|i| v[i] * v[i] * (s * v[i]).exp()).sum::<f64>() + 2.0 * v.norm_squared();
    assert_relative_eq!(h[(3, 3)], hss, epsilon = 1e-12);
    assert_eq!(h[(0, 1)], 0.0);
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// The functions above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`),
/// at random points, vectors and matrices flattened column-major: the derivative along a
/// random direction is the gradient dotted with it.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-1.5, 1.5);
    let vector = |x: &[f64]| DVector::from_column_slice(x);
    let matrix = |n: usize, x: &[f64]| DMatrix::from_column_slice(n, x.len() / n, x);
    // Only x is in `wrt`: a is held fixed.
    let a = DMatrix::from_row_slice(3, 3, &[2.0, -1.0, 0.5, 0.3, 1.0, -2.0, 1.5, 0.0, 0.7]);
    common::forward_matches_grad(
        "quadratic",
        &[GEN; 3],
        |x, v| quadratic_tangent(&vector(x), &vector(v), &a).1,
        |x| quadratic_grad(&vector(x), &a).as_slice().to_vec(),
    );
    common::forward_matches_grad(
        "entries",
        &[GEN; 3],
        |x, v| entries_tangent(&vector(x), &vector(v), &a).1,
        |x| entries_grad(&vector(x), &a).as_slice().to_vec(),
    );
    common::forward_matches_grad(
        "norms",
        &[GEN; 4],
        |x, v| norms_tangent(&vector(x), &vector(v)).1,
        |x| norms_grad(&vector(x)).as_slice().to_vec(),
    );
    // w is 2 × 3, x has 3 entries, b 2.
    common::forward_matches_grad(
        "layer",
        &[GEN; 11],
        |x, v| {
            let (w, dw) = (matrix(2, &x[..6]), matrix(2, &v[..6]));
            let (b, db) = (vector(&x[9..]), vector(&v[9..]));
            layer_tangent(&w, &dw, &vector(&x[6..9]), &vector(&v[6..9]), &b, &db).1
        },
        |x| {
            let (gw, gx, gb) = layer_grad(&matrix(2, &x[..6]), &vector(&x[6..9]), &vector(&x[9..]));
            common::flat((gw.as_slice(), gx.as_slice(), gb.as_slice()))
        },
    );
    common::forward_matches_grad(
        "determinant",
        &[GEN; 9],
        |x, v| determinant_tangent(&matrix(3, x), &matrix(3, v)).1,
        |x| determinant_grad(&matrix(3, x)).as_slice().to_vec(),
    );
    common::forward_matches_grad(
        "scaled_exponentials",
        &[GEN; 4],
        |x, v| {
            let (e, de) = (
                Vector3::new(x[0], x[1], x[2]),
                Vector3::new(v[0], v[1], v[2]),
            );
            scaled_exponentials_tangent(e, de, x[3], v[3]).1
        },
        |x| {
            let (ge, gs) = scaled_exponentials_grad(Vector3::new(x[0], x[1], x[2]), x[3]);
            common::flat((ge.as_slice(), gs))
        },
    );
}

/// A float times a vector, ‖2x‖² + s·‖x‖², where the dual copy multiplies a dual scalar by a
/// dual vector: H over x is (8 + 2s) I, ∂²/∂x∂s = 2x, ∂²/∂s² = 0.
#[differentiate]
fn scaled_vector(x: &DVector<f64>, s: f64) -> f64 {
    (2.0 * x).norm_squared() + (s * x).dot(x)
}

#[test]
fn dual_scalar_times_dual_vector() {
    let (x, _) = sample(3, 0.6);
    let s = 1.7;
    let h = scaled_vector_hessian(&x, s);
    let mut by_hand = DMatrix::<f64>::zeros(4, 4);
    for i in 0..3 {
        by_hand[(i, i)] = 8.0 + 2.0 * s;
        by_hand[(i, 3)] = 2.0 * x[i];
        by_hand[(3, i)] = 2.0 * x[i];
    }
    assert_relative_eq!(h, by_hand, epsilon = 1e-12);
    let flat = DVector::from_iterator(4, x.iter().copied().chain([s]));
    let by_differences = hessian_by_differences(
        |p| {
            let (gx, gs) =
                scaled_vector_grad(&DVector::from_column_slice(&p.as_slice()[..3]), p[3]);
            DVector::from_iterator(4, gx.iter().copied().chain([gs]))
        },
        &flat,
    );
    assert_relative_eq!(h, by_differences, epsilon = 1e-6);
}

/// A matrix outside `wrt` before the parameters in it, and a scalar in it: f = s²·xᵀAx by
/// (x, s). `f_hvp` runs the dual sweep with adjoints for x and s alone.
/// H = [[s²(A + Aᵀ), 2s(A + Aᵀ)x], [2s xᵀ(A + Aᵀ), 2xᵀAx]].
#[differentiate(wrt(x, s))]
fn scaled_quadratic(a: &DMatrix<f64>, x: &DVector<f64>, s: f64) -> f64 {
    s * s * x.dot(&(a * x))
}

#[test]
fn narrow_wrt_hessian_by_hand_and_by_differences() {
    let (x, a) = sample(3, 0.9);
    let s = 1.3;
    let sym = &a + a.transpose();
    let sym_x = &sym * &x;
    let by_hand = DMatrix::from_fn(4, 4, |k, l| match (k < 3, l < 3) {
        (true, true) => s * s * sym[(k, l)],
        (true, false) => 2.0 * s * sym_x[k],
        (false, true) => 2.0 * s * sym_x[l],
        (false, false) => 2.0 * x.dot(&(&a * &x)),
    });
    let h = scaled_quadratic_hessian(&a, &x, s);
    assert_relative_eq!(h, by_hand, epsilon = 1e-12);
    let (v, w) = (DVector::from_vec(vec![0.5, -1.0, 2.0]), -0.75);
    let (hv_x, hv_s) = scaled_quadratic_hvp(&a, &x, &v, s, w);
    let expected = &by_hand * DVector::from_vec(vec![v[0], v[1], v[2], w]);
    assert_relative_eq!(hv_x, expected.rows(0, 3).into_owned(), epsilon = 1e-12);
    assert_relative_eq!(hv_s, expected[3], epsilon = 1e-12);
    let at = DVector::from_vec(vec![x[0], x[1], x[2], s]);
    let by_differences = hessian_by_differences(
        |p| {
            let (gx, gs) = scaled_quadratic_grad(&a, &p.rows(0, 3).into_owned(), p[3]);
            DVector::from_vec(vec![gx[0], gx[1], gx[2], gs])
        },
        &at,
    );
    assert_relative_eq!(h, by_differences, epsilon = 1e-6);
}
