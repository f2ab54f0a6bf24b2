//! Second order, `#[differentiate(hessian)]`: `f_hvp` (forward over reverse) and
//! `f_hessian`, against hand-derived Hessians and against central finite differences of the
//! generated gradient.

// The seeds' function is kept as the chapter writes it.
#![allow(
    clippy::needless_range_loop,
    clippy::assign_op_pattern,
    clippy::let_and_return
)]

mod common;

use approx::assert_relative_eq;
use autodiff::prelude::*;
use common::{
    flat, forward_matches_adjoint, forward_matches_grad, forward_matches_grad_tol, modes_agree_1,
    modes_agree_2, modes_agree_3,
};

/// Central differences of a gradient: column `k` is (∇f(x + h eₖ) − ∇f(x − h eₖ)) / 2h.
fn hessian_by_differences(grad: impl Fn(&[f64]) -> Vec<f64>, at: &[f64]) -> Vec<Vec<f64>> {
    let n = at.len();
    let mut h = vec![vec![0.0; n]; n];
    for k in 0..n {
        let step = 1e-5 * at[k].abs().max(1.0);
        let (mut plus, mut minus) = (at.to_vec(), at.to_vec());
        plus[k] += step;
        minus[k] -= step;
        let (gp, gm) = (grad(&plus), grad(&minus));
        for i in 0..n {
            h[i][k] = (gp[i] - gm[i]) / (2.0 * step);
        }
    }
    h
}

/// A generated Hessian (a `DMatrix`) as rows, to compare with matrices written as rows.
fn rows<T: autodiff::nalgebra::Scalar + Copy>(h: &autodiff::nalgebra::DMatrix<T>) -> Vec<Vec<T>> {
    h.row_iter().map(|r| r.iter().copied().collect()).collect()
}

#[track_caller]
fn assert_matrix_close(generated: &[Vec<f64>], expected: &[Vec<f64>], tol: f64) {
    assert_eq!(generated.len(), expected.len(), "rows");
    for (row, expected_row) in generated.iter().zip(expected) {
        assert_eq!(row.len(), expected_row.len(), "columns");
        for (a, b) in row.iter().zip(expected_row) {
            assert_relative_eq!(*a, *b, epsilon = tol, max_relative = tol);
        }
    }
}

// ---- xᵀAx over slices: H = A + Aᵀ ------------------------------------------------------------

#[differentiate(hessian)]
fn quadratic_form(x: &[f64], a: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            s += x[i] * a[i * n + j] * x[j];
        }
    }
    s
}

#[differentiate(hessian, wrt(x))]
fn quadratic_form_wrt_x(x: &[f64], a: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        for j in 0..n {
            s += x[i] * a[i * n + j] * x[j];
        }
    }
    s
}

#[test]
fn quadratic_form_hessian_is_a_plus_a_transpose() {
    let x = [0.5, -1.0, 2.0];
    let a = [1.0, 2.0, 3.0, -4.0, 5.0, 6.0, 7.0, 0.5, -9.0];
    let expected: Vec<Vec<f64>> = (0..3)
        .map(|i| (0..3).map(|j| a[i * 3 + j] + a[j * 3 + i]).collect())
        .collect();
    let h = rows(&quadratic_form_wrt_x_hessian(&x, &a));
    assert_matrix_close(&h, &expected, 1e-12);
    // With respect to every float parameter: 12 × 12, the x block is A + Aᵀ, the a block 0,
    // and ∂²f/∂xᵢ∂a_(jk) = δᵢⱼ xₖ + δᵢₖ xⱼ.
    let full = rows(&quadratic_form_hessian(&x, &a));
    assert_eq!(full.len(), 12);
    for i in 0..3 {
        for j in 0..3 {
            assert_relative_eq!(full[i][j], expected[i][j], epsilon = 1e-12);
        }
        for jk in 0..9 {
            let (j, k) = (jk / 3, jk % 3);
            let by_hand = if i == j { x[k] } else { 0.0 } + if i == k { x[j] } else { 0.0 };
            assert_relative_eq!(full[i][3 + jk], by_hand, epsilon = 1e-12);
            assert_relative_eq!(full[3 + jk][i], by_hand, epsilon = 1e-12);
        }
    }
    for r in 3..12 {
        for c in 3..12 {
            assert_eq!(full[r][c], 0.0);
        }
    }
    // H·v for one direction.
    let v = [1.0, 0.5, -2.0];
    let hv = quadratic_form_wrt_x_hvp(&x, &v, &a);
    for i in 0..3 {
        let by_hand: f64 = (0..3).map(|j| expected[i][j] * v[j]).sum();
        assert_relative_eq!(hv[i], by_hand, epsilon = 1e-12);
    }
    // Directions along `a` as well.
    let (hx, ha) = quadratic_form_hvp(&x, &[0.0; 3], &a, &[1.0; 9]);
    for i in 0..3 {
        let by_hand: f64 = (0..9).map(|jk| full[i][3 + jk]).sum();
        assert_relative_eq!(hx[i], by_hand, epsilon = 1e-12);
    }
    assert!(ha.iter().all(|&h| h == 0.0));
}

// ---- Rosenbrock, n = 2 and n = 5 ------------------------------------------------------------

#[differentiate(hessian)]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

fn rosenbrock_hessian_by_hand(x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut h = vec![vec![0.0; n]; n];
    for i in 0..n - 1 {
        h[i][i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        h[i][i + 1] -= 400.0 * x[i];
        h[i + 1][i] -= 400.0 * x[i];
        h[i + 1][i + 1] += 200.0;
    }
    h
}

#[test]
fn rosenbrock_hessian_n2_and_n5() {
    for x in [vec![-1.2, 1.0], vec![0.3, -0.7, 1.1, 2.0, -0.4]] {
        let h = rows(&rosenbrock_hessian(&x));
        assert_matrix_close(&h, &rosenbrock_hessian_by_hand(&x), 1e-12);
        let numeric = hessian_by_differences(rosenbrock_grad, &x);
        assert_matrix_close(&h, &numeric, 1e-6);
        // Each row is an HVP along a unit vector; a general direction agrees with H v.
        let v: Vec<f64> = (0..x.len()).map(|i| 0.5 - i as f64).collect();
        let hv = rosenbrock_hvp(&x, &v);
        for i in 0..x.len() {
            let by_hand: f64 = (0..x.len()).map(|j| h[i][j] * v[j]).sum();
            assert_relative_eq!(hv[i], by_hand, epsilon = 1e-10, max_relative = 1e-12);
        }
    }
}

#[test]
fn gradient_and_hvp_from_one_sweep() {
    let x = [0.3, -0.7, 1.1, 2.0, -0.4];
    let v: Vec<f64> = (0..x.len()).map(|i| 0.5 - i as f64).collect();
    let (gradient, hv) = rosenbrock_grad_and_hvp(&x, &v);
    // The gradient by hand: ∂/∂xᵢ of 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², and of the term before.
    let mut by_hand = vec![0.0; x.len()];
    for i in 0..x.len() - 1 {
        let r = x[i + 1] - x[i] * x[i];
        by_hand[i] += -400.0 * x[i] * r - 2.0 * (1.0 - x[i]);
        by_hand[i + 1] += 200.0 * r;
    }
    common::check(
        "rosenbrock_grad_and_hvp's gradient",
        &x,
        &gradient,
        &by_hand,
        rosenbrock,
    );
    assert_eq!(hv, rosenbrock_hvp(&x, &v));
    let h = rosenbrock_hessian_by_hand(&x);
    for i in 0..x.len() {
        let by_hand: f64 = (0..x.len()).map(|j| h[i][j] * v[j]).sum();
        assert_relative_eq!(hv[i], by_hand, epsilon = 1e-10, max_relative = 1e-12);
    }
    // Scalars and arrays come back as f_grad's and f_hvp's do.
    let (a, k) = ([1.0, 2.0, 0.5], 3.0);
    let ((gx, gk), (hx, hk)) = array_param_grad_and_hvp(a, &[1.0, 0.0, 0.0], k, 1.0);
    let e = a[2].exp();
    assert_eq!((gx, gk), array_param_grad(a, k));
    assert_eq!(gx, [k * a[1], k * a[0], k * e]);
    assert_eq!(gk, a[0] * a[1] + e);
    assert_eq!((hx, hk), array_param_hvp(a, &[1.0, 0.0, 0.0], k, 1.0));
}

// ---- sin(x)·exp(y) ----------------------------------------------------------------------------

#[differentiate(hessian)]
fn wave(x: f64, y: f64) -> f64 {
    x.sin() * y.exp()
}

#[test]
fn sin_times_exp() {
    for (x, y) in [(0.7, -0.3), (-2.0, 1.5), (0.0, 0.0)] {
        let (s, c, e) = (f64::sin(x), f64::cos(x), f64::exp(y));
        let by_hand = vec![vec![-s * e, c * e], vec![c * e, s * e]];
        let h = rows(&wave_hessian(x, y));
        assert_matrix_close(&h, &by_hand, 1e-14);
        let numeric = hessian_by_differences(
            |p| {
                let (gx, gy) = wave_grad(p[0], p[1]);
                vec![gx, gy]
            },
            &[x, y],
        );
        assert_matrix_close(&h, &numeric, 1e-7);
        let (hx, hy) = wave_hvp(x, 2.0, y, -1.0);
        assert_relative_eq!(hx, 2.0 * by_hand[0][0] - by_hand[0][1], epsilon = 1e-14);
        assert_relative_eq!(hy, 2.0 * by_hand[1][0] - by_hand[1][1], epsilon = 1e-14);
    }
}

// ---- the seeds' control-flow function: piecewise linear, second derivative 0 ----------------

#[differentiate(hessian)]
fn seeds_f(a: f64) -> f64 {
    let mut b = a * 2.0;
    while b.abs() < 1000.0 {
        b = b * 2.0;
    }
    let c = if b > 0.0 { b } else { 100.0 * b };
    c
}

#[test]
fn control_flow_second_derivative_is_zero() {
    for a in [0.3, -2.4, 1500.0, -0.001] {
        assert_eq!(seeds_f_hvp(a, 1.0), 0.0);
        assert_eq!(rows(&seeds_f_hessian(a)), vec![vec![0.0]]);
    }
}

// ---- more of the body: casts, literals, methods, iterators, stop_gradient, f32 --------------

#[differentiate(hessian)]
fn assorted(x: f64, y: f64, w: &[f64], n: usize) -> f64 {
    let mut acc = 0.0;
    for k in 0..n {
        acc += (k as f64 + 1.0) * x.powf(1.5) * f64::exp(y / 3.0);
    }
    let s: f64 = w.iter().map(|v| v * v * x).sum();
    let scale = stop_gradient(x * y);
    acc + s.ln_1p() + scale * y + x.max(y).tanh() + x * std::f64::consts::PI + f64::MIN_POSITIVE
}

fn assorted_grad_vec(p: &[f64]) -> Vec<f64> {
    let (gx, gy, gw) = assorted_grad(p[0], p[1], &p[2..], 3);
    let mut g = vec![gx, gy];
    g.extend(gw);
    g
}

#[test]
fn assorted_against_differences_of_the_gradient() {
    let p = [1.3, 0.4, 0.5, -0.25, 2.0];
    let h = rows(&assorted_hessian(p[0], p[1], &p[2..], 3));
    // stop_gradient(x·y)·y: its first derivatives are (0, x·y) with x·y treated as a constant,
    // so differences of the gradient see the constant move: differentiate by hand instead.
    // ∂/∂x of (scale) = y and ∂/∂y = x enter only the (y, ·) row through the gradient's
    // `scale` term, which the generated Hessian (like JAX's) treats as constant.
    let mut numeric = hessian_by_differences(assorted_grad_vec, &p);
    numeric[1][0] -= p[1];
    numeric[1][1] -= p[0];
    assert_matrix_close(&h, &numeric, 1e-6);
    for i in 0..p.len() {
        for j in 0..i {
            if (i, j) != (1, 0) {
                assert_relative_eq!(h[i][j], h[j][i], epsilon = 1e-12, max_relative = 1e-12);
            }
        }
    }
}

#[differentiate(hessian)]
fn cubic32(x: f32, y: f32) -> f32 {
    x * x * x * y + 0.5 * (y as f64).sin() as f32
}

#[test]
fn f32_functions() {
    let (x, y) = (1.5_f32, -0.5_f32);
    let h = rows(&cubic32_hessian(x, y));
    let by_hand = [
        [6.0 * x * y, 3.0 * x * x],
        [3.0 * x * x, -0.5 * (y as f64).sin() as f32],
    ];
    for i in 0..2 {
        for j in 0..2 {
            assert_relative_eq!(h[i][j], by_hand[i][j], epsilon = 1e-5, max_relative = 1e-5);
        }
    }
}

#[differentiate(hessian)]
fn array_param(x: [f64; 3], k: f64) -> f64 {
    k * (x[0] * x[1] + x[2].exp())
}

#[test]
fn arrays_and_scalars_flatten_in_parameter_order() {
    let (x, k) = ([1.0, 2.0, 0.5], 3.0);
    let h = rows(&array_param_hessian(x, k));
    let e = x[2].exp();
    let by_hand = vec![
        vec![0.0, k, 0.0, x[1]],
        vec![k, 0.0, 0.0, x[0]],
        vec![0.0, 0.0, k * e, e],
        vec![x[1], x[0], e, 0.0],
    ];
    assert_matrix_close(&h, &by_hand, 1e-12);
    let (hx, hk) = array_param_hvp(x, &[1.0, 0.0, 0.0], k, 1.0);
    // Column 0 of the Hessian, plus column 3: H·(e₀ + e₃).
    assert_eq!(hx, [x[1], k + x[0], e]);
    assert_eq!(hk, x[1]);
}

// ---- values from outside the function: constants, fields, their elements ---------------------

const XS: [f64; 4] = [0.0, 1.0, 2.0, 3.0];
const YS: [f64; 4] = [1.1, 2.9, 5.2, 6.9];
const LIMIT: f64 = 0.8;

struct Weights {
    scale: f64,
    bias: Vec<f64>,
}

/// Uses constants and fields of an inactive parameter the ways a body may: in arithmetic,
/// as method arguments, as the start of an accumulation, in a branch.
#[differentiate(hessian)]
fn with_constants(w: f64, b: f64, p: &Weights) -> f64 {
    let mut total = YS[0] * 0.0;
    for i in 0..XS.len() {
        let r = w * XS[i] + b - YS[i] + p.bias[i];
        total += r * r;
    }
    let capped = if w > LIMIT { LIMIT } else { w };
    let m = f64::max(b, LIMIT) + w.min(LIMIT) * w;
    total / XS.len() as f64 * p.scale + capped * w + m * b
}

#[test]
fn constants_and_fields() {
    let p = Weights {
        scale: 1.5,
        bias: vec![0.1, -0.2, 0.3, 0.0],
    };
    let grad = |q: &[f64]| {
        let (gw, gb) = with_constants_grad(q[0], q[1], &p);
        vec![gw, gb]
    };
    for at in [[0.3, 0.2], [1.3, 1.2], [0.5, 2.0]] {
        let h = rows(&with_constants_hessian(at[0], at[1], &p));
        assert_matrix_close(&h, &hessian_by_differences(grad, &at), 1e-6);
    }
    // By hand at (0.3, 0.2): w < LIMIT and b < LIMIT, so capped·w = w², m·b = (LIMIT + w²)·b.
    let (w, b) = (0.3, 0.2);
    let n = 4.0;
    let sxx: f64 = XS.iter().map(|x| x * x).sum();
    let sx: f64 = XS.iter().sum();
    let by_hand = vec![
        vec![
            2.0 * sxx / n * p.scale + 2.0 + 2.0 * b,
            2.0 * sx / n * p.scale + 2.0 * w,
        ],
        vec![2.0 * sx / n * p.scale + 2.0 * w, 2.0 * p.scale],
    ];
    assert_matrix_close(&rows(&with_constants_hessian(w, b, &p)), &by_hand, 1e-12);
}

// ---- the body's constructs, each against differences of the generated gradient --------------

#[differentiate(hessian)]
fn newton_sqrt(a: f64) -> f64 {
    let mut y = a.max(1.0);
    while (y * y - a).abs() > 1e-12 * a {
        y = 0.5 * (y + a / y);
    }
    y
}

#[test]
fn while_loop_converged_iteration() {
    for a in [0.25_f64, 2.0, 9.0] {
        // (√a)'' = −a^(−3/2) / 4, reached by the iterates' derivatives as they converge.
        assert_relative_eq!(
            rows(&newton_sqrt_hessian(a))[0][0],
            -0.25 * a.powf(-1.5),
            max_relative = 1e-8
        );
    }
}

#[differentiate(hessian)]
fn early_exit(x: f64, y: f64, limit: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        let e = (x * i as f64).exp();
        if s > limit {
            return s * y + e;
        }
        if e > 1e6 {
            break;
        }
        s += e * y.sin() + x * y;
    }
    s.sqrt()
}

#[differentiate(hessian)]
fn iterators(x: &[f64], w: f64) -> f64 {
    let n = x.len();
    let dot: f64 = x[..n - 1]
        .iter()
        .zip(x[1..].iter())
        .map(|(a, b)| a * b * w)
        .sum();
    let folded = x.iter().fold(1.0, |acc, v| acc * (1.0 + v * v));
    let mut pairs = 0.0;
    for pair in x.windows(2) {
        pairs += (pair[1] - pair[0]).powi(2);
    }
    let mut blocks = 0.0;
    for chunk in x.chunks(2) {
        blocks += chunk[0] * w.exp();
    }
    let squares: Vec<f64> = x.iter().map(|v| v * v).collect();
    dot + folded.ln() + pairs * w + blocks + squares.iter().sum::<f64>()
}

#[differentiate(hessian)]
fn buffers_and_views(x: &[f64], k: f64) -> f64 {
    let mut work = x.to_vec();
    let mut pushed = Vec::new();
    for i in 0..x.len() {
        work[i] = work[i] * k + x[(i + 1) % x.len()];
        pushed.push(work[i].tanh());
    }
    let (head, tail) = work.split_at_mut(2);
    head[0] *= tail[0];
    std::mem::swap(&mut pushed, &mut work);
    let view = &pushed[1..];
    let mut s = 0.0;
    for v in view {
        s += v * v;
    }
    s + work[0] * x[0] + pushed[0]
}

#[differentiate(hessian)]
fn methods_and_casts(x: f64, y: f64, z: f64) -> f64 {
    let a = x.powf(y) + y.atan2(x) + x.hypot(z);
    let b = (z * 3.0).clamp(-1.0, 1.0) + x.mul_add(y, z) + f64::from(2_i32) * x;
    let c = if a > b { a.cbrt() } else { b.exp_m1() };
    a * b + c / (1.0 + z * z) + f64::ln(x + y) + (x / y).recip().sin_cos().0
}

/// Central differences of a gradient along each input, checked against `hessian`, and the
/// Hessian's symmetry.
#[track_caller]
fn check_against_gradient(
    name: &str,
    at: &[f64],
    hessian: &[Vec<f64>],
    grad: impl Fn(&[f64]) -> Vec<f64>,
    tol: f64,
) {
    let numeric = hessian_by_differences(grad, at);
    println!("{name} at {at:?}:\n  generated {hessian:?}\n  differences {numeric:?}");
    assert_matrix_close(hessian, &numeric, tol);
    for i in 0..at.len() {
        for j in 0..i {
            assert_relative_eq!(
                hessian[i][j],
                hessian[j][i],
                epsilon = 1e-9,
                max_relative = 1e-9
            );
        }
    }
}

#[test]
fn constructs_against_differences_of_the_gradient() {
    for (x, y, limit) in [(0.3, 0.7, 5.0), (0.9, 0.4, 2.0), (0.1, 1.2, 1e9)] {
        let grad = |p: &[f64]| {
            let (gx, gy, gl) = early_exit_grad(p[0], p[1], p[2], 12);
            vec![gx, gy, gl]
        };
        let h = rows(&early_exit_hessian(x, y, limit, 12));
        check_against_gradient("early_exit", &[x, y, limit], &h, grad, 1e-5);
    }

    let x = [0.4, -0.3, 1.1, 0.8, -0.6];
    let grad = |p: &[f64]| {
        let (mut g, gw) = iterators_grad(&p[..5], p[5]);
        g.push(gw);
        g
    };
    let mut at = x.to_vec();
    at.push(0.7);
    let h = rows(&iterators_hessian(&x, 0.7));
    check_against_gradient("iterators", &at, &h, grad, 1e-6);

    let grad = |p: &[f64]| {
        let (mut g, gk) = buffers_and_views_grad(&p[..5], p[5]);
        g.push(gk);
        g
    };
    at[5] = 1.3;
    let h = rows(&buffers_and_views_hessian(&x, 1.3));
    check_against_gradient("buffers_and_views", &at, &h, grad, 1e-6);

    for p in [[1.3, 0.7, 0.2], [0.5, 2.0, -0.9]] {
        let grad = |q: &[f64]| {
            let (a, b, c) = methods_and_casts_grad(q[0], q[1], q[2]);
            vec![a, b, c]
        };
        let h = rows(&methods_and_casts_hessian(p[0], p[1], p[2]));
        check_against_gradient("methods_and_casts", &p, &h, grad, 1e-6);
    }
}

// ---- calls between `hessian` functions ---------------------------------------------------------

#[differentiate(hessian)]
fn sq(x: f64) -> f64 {
    x * x
}

#[differentiate(hessian)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// Writes through `&mut`: a callee with no float result has only the hidden dual forms.
#[differentiate(hessian)]
fn add_squares(x: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] += x[i] * x[i];
    }
}

mod helpers {
    use autodiff::prelude::*;

    #[differentiate(hessian)]
    pub fn cube(x: f64) -> f64 {
        x * x * x
    }
}

/// Recursion: xⁿ.
#[differentiate(hessian)]
fn power(x: f64, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    x * power(x, n - 1)
}

#[differentiate(hessian)]
fn composed(x: &[f64], y: f64) -> f64 {
    let mut squares = vec![0.0; x.len()];
    add_squares(x, &mut squares);
    let acc: f64 = squares.iter().sum();
    sq(x[0] * y) + dot(x, x) * y + helpers::cube(y) + acc * acc + power(y, 3) * x[1]
}

#[test]
fn calls_between_hessian_functions() {
    let x = [0.4, -0.3, 1.1];
    let y = 0.7;
    let grad = |p: &[f64]| {
        let (mut g, gy) = composed_grad(&p[..3], p[3]);
        g.push(gy);
        g
    };
    let h = rows(&composed_hessian(&x, y));
    check_against_gradient("composed", &[x[0], x[1], x[2], y], &h, grad, 1e-6);
    // Two entries by hand: ∂²/∂y² = 2 x₀² + 6 y + 6 y x₁, ∂²/∂x₁∂y = 2 x₁ + 3 y².
    assert_relative_eq!(
        h[3][3],
        2.0 * x[0] * x[0] + 6.0 * y + 6.0 * y * x[1],
        max_relative = 1e-12
    );
    assert_relative_eq!(h[1][3], 2.0 * x[1] + 3.0 * y * y, max_relative = 1e-12);
    assert_relative_eq!(
        rows(&power_hessian(1.5, 4))[0][0],
        12.0 * 1.5 * 1.5,
        max_relative = 1e-12
    );
}

// ---- generics, and a scalar outside `wrt` ----------------------------------------------------

#[differentiate(hessian)]
fn weighted_squares<const N: usize>(x: [f64; N], w: &[f64; N]) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s += w[i] * x[i] * x[i] * x[i];
    }
    s
}

#[differentiate(hessian, wrt(x))]
fn scaled_sine(x: f64, k: f64) -> f64 {
    k * (k * x).sin()
}

#[test]
fn const_generics_and_parameters_outside_wrt() {
    let (x, w) = ([1.0, -2.0], [0.5, 3.0]);
    assert_eq!(weighted_squares(x, &w), 0.5 - 24.0);
    let h = rows(&weighted_squares_hessian(x, &w));
    // 4 × 4 over x then w: ∂²/∂xᵢ² = 6 wᵢ xᵢ, ∂²/∂xᵢ∂wᵢ = 3 xᵢ².
    assert_eq!(h[0][0], 6.0 * w[0] * x[0]);
    assert_eq!(h[1][1], 6.0 * w[1] * x[1]);
    assert_eq!(h[0][2], 3.0 * x[0] * x[0]);
    assert_eq!(h[3][1], 3.0 * x[1] * x[1]);
    assert_eq!(h[2][3], 0.0);
    let (k, x) = (1.5, 0.3);
    assert_eq!(
        rows(&scaled_sine_hessian(x, k)),
        vec![vec![-k * k * k * (k * x).sin()]]
    );
    assert_eq!(scaled_sine_hvp(x, 2.0, k), -2.0 * k * k * k * (k * x).sin());
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`),
/// at random points: the derivative along a random direction is the gradient dotted with it.
/// (`f_hvp` runs the reverse sweep on dual numbers; these check the first-order forward mode
/// the same attribute generates.)
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    forward_matches_grad(
        "quadratic_form",
        &[GEN; 12],
        |x, v| quadratic_form_tangent(&x[..3], &v[..3], &x[3..], &v[3..]).1,
        |x| flat(quadratic_form_grad(&x[..3], &x[3..])),
    );
    let a = [0.5, -1.0, 2.0, 0.3, 1.5, -0.7, 1.1, 0.0, 0.9];
    forward_matches_grad(
        "quadratic_form_wrt_x",
        &[GEN; 3],
        |x, v| quadratic_form_wrt_x_tangent(x, v, &a).1,
        |x| quadratic_form_wrt_x_grad(x, &a),
    );
    let t = |x: &[f64], v: &[f64]| rosenbrock_tangent(x, v).1;
    forward_matches_grad("rosenbrock", &[GEN; 5], t, rosenbrock_grad);
    modes_agree_2("wave", [GEN, GEN], wave_tangent, wave_grad);
    modes_agree_1("seeds_f", GEN, seeds_f_tangent, seeds_f_grad);
    // x > 0 for x^1.5.
    for n in [0, 1, 3] {
        forward_matches_grad(
            &format!("assorted n = {n}"),
            &common::domain(&[&[(0.2, 2.0), GEN], &[GEN; 3]]),
            |x, v| assorted_tangent(x[0], v[0], x[1], v[1], &x[2..], &v[2..], n).1,
            |x| flat(assorted_grad(x[0], x[1], &x[2..], n)),
        );
    }
    // In f32 both modes round to f32 at every step, so they agree to f32 precision only.
    forward_matches_grad_tol(
        "cubic32",
        &[GEN, GEN],
        |x, v| f64::from(cubic32_tangent(x[0] as f32, v[0] as f32, x[1] as f32, v[1] as f32).1),
        |x| flat(cubic32_grad(x[0] as f32, x[1] as f32)),
        1e-5,
    );
    forward_matches_grad(
        "array_param",
        &[GEN; 4],
        |x, v| array_param_tangent([x[0], x[1], x[2]], &[v[0], v[1], v[2]], x[3], v[3]).1,
        |x| flat(array_param_grad([x[0], x[1], x[2]], x[3])),
    );
    let p = Weights {
        scale: 1.5,
        bias: vec![0.1, -0.2, 0.3, 0.0],
    };
    let t = |w, dw, b, db| with_constants_tangent(w, dw, b, db, &p);
    modes_agree_2("with_constants", [GEN, GEN], t, |w, b| {
        with_constants_grad(w, b, &p)
    });
    modes_agree_1(
        "newton_sqrt",
        (0.25, 100.0),
        newton_sqrt_tangent,
        newton_sqrt_grad,
    );
    // n ≥ 1: with n = 0 the result is sqrt(0), whose derivative is infinite; the reverse mode
    // gives 0 there (s does not depend on the inputs), the forward mode 0 · ∞ = NaN.
    for n in [1, 3, 12] {
        forward_matches_grad(
            &format!("early_exit n = {n}"),
            &[(0.1, 0.9), (0.4, 1.2), (2.0, 5.0)],
            |x, v| early_exit_tangent(x[0], v[0], x[1], v[1], x[2], v[2], n).1,
            |x| flat(early_exit_grad(x[0], x[1], x[2], n)),
        );
    }
    forward_matches_grad(
        "iterators",
        &[GEN; 6],
        |x, v| iterators_tangent(&x[..5], &v[..5], x[5], v[5]).1,
        |x| flat(iterators_grad(&x[..5], x[5])),
    );
    forward_matches_grad(
        "buffers_and_views",
        &[GEN; 6],
        |x, v| buffers_and_views_tangent(&x[..5], &v[..5], x[5], v[5]).1,
        |x| flat(buffers_and_views_grad(&x[..5], x[5])),
    );
    // x, y > 0 for x^y and ln(x + y).
    let domain = [(0.3, 2.0), (0.3, 2.0), GEN];
    modes_agree_3(
        "methods_and_casts",
        domain,
        methods_and_casts_tangent,
        methods_and_casts_grad,
    );
    modes_agree_1("sq", GEN, sq_tangent, sq_grad);
    forward_matches_grad(
        "dot",
        &[GEN; 8],
        |x, v| dot_tangent(&x[..4], &v[..4], &x[4..], &v[4..]).1,
        |x| flat(dot_grad(&x[..4], &x[4..])),
    );
    // An output buffer: its initial values are inputs too.
    forward_matches_adjoint(
        "add_squares",
        &[GEN; 8],
        4,
        |x, v| {
            let (mut out, mut out_dot) = (x[4..].to_vec(), v[4..].to_vec());
            add_squares_tangent(&x[..4], &v[..4], &mut out, &mut out_dot);
            out_dot
        },
        |x, out_bar| {
            let (mut x_bar, mut out, mut out_bar) =
                (vec![0.0; 4], x[4..].to_vec(), out_bar.to_vec());
            add_squares_adjoint(&x[..4], &mut x_bar, &mut out, &mut out_bar);
            flat((x_bar, out_bar))
        },
    );
    modes_agree_1(
        "helpers::cube",
        GEN,
        helpers::cube_tangent,
        helpers::cube_grad,
    );
    for n in [0, 1, 4] {
        let t = |x, dx| power_tangent(x, dx, n);
        modes_agree_1(&format!("power n = {n}"), GEN, t, |x| power_grad(x, n));
    }
    forward_matches_grad(
        "composed",
        &[GEN; 4],
        |x, v| composed_tangent(&x[..3], &v[..3], x[3], v[3]).1,
        |x| flat(composed_grad(&x[..3], x[3])),
    );
    let arr = |x: &[f64]| [x[0], x[1], x[2]];
    forward_matches_grad(
        "weighted_squares",
        &[GEN; 6],
        |x, v| weighted_squares_tangent(arr(x), &arr(v), &arr(&x[3..]), &arr(&v[3..])).1,
        |x| flat(weighted_squares_grad(arr(x), &arr(&x[3..]))),
    );
    let t = |x, dx| scaled_sine_tangent(x, dx, 1.7);
    modes_agree_1("scaled_sine", GEN, t, |x| scaled_sine_grad(x, 1.7));
}
