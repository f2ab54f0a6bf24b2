//! The generated forward mode (`f_tangent`) against the reverse mode on the same functions:
//! for a scalar result, the tangent along v is ⟨∇f, v⟩; for a vector result it is J v, and
//! ⟨ȳ, J v⟩ = ⟨Jᵀ ȳ, v⟩ for every cotangent ȳ. Also against the hand-derived derivatives.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::prelude::*;
use autodiff::testing::assert_gradient_close;
use proptest::prelude::*;

#[differentiate]
fn seeds_f(a: f64) -> f64 {
    let mut b = a * 2.0;
    while b.abs() < 1000.0 {
        b *= 2.0;
    }
    if b > 0.0 {
        b
    } else {
        100.0 * b
    }
}

#[differentiate]
fn mixed(x: f64, y: f64, n: usize) -> f64 {
    let mut s = x.sin() * y;
    for k in 0..n {
        if s > 0.5 {
            s = s.sqrt() + x / (1.0 + y * y);
        } else {
            s += (k as f64) * x.powi(2) - y.exp_m1();
        }
    }
    s.tanh() * x.max(y)
}

#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiate]
fn with_buffers(x: &[f64], k: f64) -> f64 {
    let mut work = vec![0.0; x.len()];
    for (i, v) in x.iter().enumerate() {
        work[i] = (k * v).sin();
    }
    let mut grown = Vec::new();
    for w in work.windows(2) {
        grown.push(w[0] * w[1]);
    }
    grown.iter().sum::<f64>() + work.iter().map(|v| v * v).sum::<f64>()
}

#[differentiate]
fn squares_into(x: &[f64], k: f64, out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] += k * x[i] * x[i];
    }
}

#[differentiate]
fn polar(r: f64, theta: f64) -> Vec<f64> {
    vec![r * theta.cos(), r * theta.sin()]
}

#[differentiate(wrt(x))]
fn only_x(x: f64, y: f64) -> f64 {
    x * y * y
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

#[test]
fn seeds_control_flow_tangent_is_value_over_a() {
    for a in [0.3, -0.7, 1e-3, 1500.0] {
        let (value, slope) = seeds_f_tangent(a, 1.0);
        common::assert_close("f(a)/a", slope, value / a, 1e-12);
        common::assert_close("forward = reverse", slope, seeds_f_grad(a), 1e-12);
    }
}

#[test]
fn vector_result_tangent_is_the_jacobian_times_v() {
    let (r, t) = (2.0_f64, 0.5_f64);
    let (value, tangent) = polar_tangent(r, 0.3, t, -1.2);
    assert_eq!(value, polar(r, t));
    let jac = polar_jacobian(r, t);
    for i in 0..2 {
        common::assert_close("J v", tangent[i], jac[i][0] * 0.3 + jac[i][1] * -1.2, 1e-12);
    }
}

#[test]
fn wrt_limits_the_tangents_taken() {
    // Only x has a tangent; y is held fixed: d/dx (x y²) = y².
    let (value, slope) = only_x_tangent(1.5, 1.0, 2.0);
    assert_eq!(value, 6.0);
    assert_eq!(slope, 4.0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scalar_tangent_matches_the_gradient(
        x in -2.0..2.0_f64, y in -2.0..2.0_f64, n in 0usize..6,
        dx in -1.0..1.0_f64, dy in -1.0..1.0_f64,
    ) {
        let (value, tangent) = mixed_tangent(x, dx, y, dy, n);
        let (gx, gy) = mixed_grad(x, y, n);
        prop_assert_eq!(value, mixed(x, y, n));
        assert_gradient_close(&[tangent], &[gx * dx + gy * dy], 1e-10);
    }

    #[test]
    fn slice_tangents_match_the_gradient(
        x in prop::collection::vec(-2.0..2.0_f64, 2..12),
        seed in 0u64..1000,
        k in -1.5..1.5_f64,
    ) {
        let v: Vec<f64> = (0..x.len()).map(|i| ((seed + i as u64) as f64 * 0.7).sin()).collect();
        let (_, t1) = rosenbrock_tangent(&x, &v);
        assert_gradient_close(&[t1], &[dot(&rosenbrock_grad(&x), &v)], 1e-10);
        let (_, t2) = with_buffers_tangent(&x, &v, k, 0.5);
        let (gx, gk) = with_buffers_grad(&x, k);
        assert_gradient_close(&[t2], &[dot(&gx, &v) + gk * 0.5], 1e-10);
    }

    #[test]
    fn in_out_tangents_agree_with_adjoints(
        x in prop::collection::vec(-2.0..2.0_f64, 1..10),
        k in -1.5..1.5_f64,
        dk in -1.0..1.0_f64,
    ) {
        let n = x.len();
        let v: Vec<f64> = (0..n).map(|i| (i as f64 * 1.3).cos()).collect();
        let out0: Vec<f64> = (0..n).map(|i| i as f64 * 0.25).collect();
        let dout0: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let ybar: Vec<f64> = (0..n).map(|i| 1.0 - i as f64 * 0.1).collect();
        // Forward: J (v, dk, dout0).
        let (mut out, mut out_dot) = (out0.clone(), dout0.clone());
        squares_into_tangent(&x, &v, k, dk, &mut out, &mut out_dot);
        // Reverse: Jᵀ ȳ, with ȳ the output's cotangent.
        let (mut out2, mut x_bar, mut out_bar) = (out0.clone(), vec![0.0; n], ybar.clone());
        let k_bar = squares_into_adjoint(&x, &mut x_bar, k, &mut out2, &mut out_bar);
        prop_assert_eq!(&out, &out2);
        let forward = dot(&ybar, &out_dot);
        let reverse = dot(&x_bar, &v) + k_bar * dk + dot(&out_bar, &dout0);
        assert_gradient_close(&[forward], &[reverse], 1e-10);
    }
}

#[differentiate]
fn helper_norm(v: &[f64], scale: f64, acc: &mut f64) -> f64 {
    let mut s = 0.0;
    for x in v {
        s += x * x;
    }
    *acc += s * scale;
    s.sqrt()
}

/// Forward mode through calls: scalars, views, an inactive float argument and a `&mut f64`.
#[differentiate]
fn through_calls(x: &[f64], k: f64, total: &mut f64) -> f64 {
    let head = helper_norm(&x[..2], k, total);
    let all = helper_norm(x, 2.0, total);
    head * all + seeds_f(k)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn forward_mode_through_calls_agrees_with_reverse(
        x in prop::collection::vec(-2.0..2.0_f64, 2..8),
        k in 0.2..1.5_f64,
        dk in -1.0..1.0_f64,
    ) {
        let n = x.len();
        let v: Vec<f64> = (0..n).map(|i| (i as f64 * 0.9).sin()).collect();
        let (t0, dt0, ybar, tbar) = (0.5, 0.25, 0.7, -1.3);
        // Forward: the output's and `total`'s tangents along (v, dk, dt0).
        let (mut total, mut total_dot) = (t0, dt0);
        let (_, out_dot) = through_calls_tangent(&x, &v, k, dk, &mut total, &mut total_dot);
        // Reverse: cotangents ȳ for the result and t̄ for `total`.
        let (mut total2, mut x_bar, mut total_bar) = (t0, vec![0.0; n], tbar);
        let (_, k_bar) = through_calls_adjoint(&x, &mut x_bar, k, &mut total2, &mut total_bar, ybar);
        let forward = ybar * out_dot + tbar * total_dot;
        let reverse = dot(&x_bar, &v) + k_bar * dk + total_bar * dt0;
        assert_gradient_close(&[forward], &[reverse], 1e-9);
        // Central differences along the same direction, for the result and for `total`.
        let along = |h: f64| {
            let xh: Vec<f64> = x.iter().zip(&v).map(|(xi, vi)| xi + h * vi).collect();
            let mut total = t0 + h * dt0;
            let out = through_calls(&xh, k + h * dk, &mut total);
            (out, total)
        };
        let h = 1e-6;
        let ((out_plus, total_plus), (out_minus, total_minus)) = (along(h), along(-h));
        assert_gradient_close(
            &[out_dot, total_dot],
            &[(out_plus - out_minus) / (2.0 * h), (total_plus - total_minus) / (2.0 * h)],
            1e-5,
        );
    }
}

// `reverse` and `forward` generate one mode each; the other's functions do not exist (the UI
// cases `reverse_only_has_no_tangent` and `forward_only_has_no_grad` check that).
#[differentiate(forward)]
fn cube_forward_only(x: f64) -> f64 {
    x * x * x
}

#[differentiate(reverse)]
fn cube_reverse_only(x: f64) -> f64 {
    x * x * x
}

#[differentiate(reverse, forward)]
fn cube_both(x: f64) -> f64 {
    x * x * x
}

#[test]
fn mode_options_generate_the_mode_they_name() {
    for x in [-1.5, 0.3, 2.0] {
        let slope = 3.0 * x * x;
        let (value, forward) = cube_forward_only_tangent(x, 1.0);
        assert_eq!(value, x * x * x);
        approx::assert_relative_eq!(forward, slope, max_relative = 1e-12);
        approx::assert_relative_eq!(cube_reverse_only_grad(x), slope, max_relative = 1e-12);
        approx::assert_relative_eq!(cube_both_grad(x), cube_both_tangent(x, 1.0).1);
    }
}

/// Variables reassigned from themselves: the tangent of `p = p * (x + i)` reads the old `p`,
/// and so does that of `best = best.max(..)`. f = Π (x + i) over i < n, plus max(x, x²).
#[differentiate]
#[allow(clippy::assign_op_pattern)] // `p = p * ..` is the form under test
fn reassigned_from_itself(x: f64, n: usize) -> f64 {
    let mut p = 1.0;
    for i in 0..n {
        p = p * (x + i as f64);
    }
    let mut best = x;
    best = best.max(x * x);
    p + best
}

#[test]
fn tangents_of_variables_reassigned_from_themselves() {
    for &(x, n) in &[(0.7_f64, 3_usize), (1.9, 4), (-0.4, 2)] {
        // d/dx Π (x + i) = Π · Σ 1/(x + i); d/dx max(x, x²) = 1 or 2x.
        let product: f64 = (0..n).map(|i| x + i as f64).product();
        let sum: f64 = (0..n).map(|i| 1.0 / (x + i as f64)).sum();
        let best = if x * x > x { 2.0 * x } else { 1.0 };
        let by_hand = product * sum + best;
        let (_, tangent) = reassigned_from_itself_tangent(x, 1.0, n);
        assert!(
            (tangent - by_hand).abs() < 1e-12 * (1.0 + by_hand.abs()),
            "{tangent} vs {by_hand}"
        );
        assert!(
            (tangent - reassigned_from_itself_grad(x, n)).abs() < 1e-12 * (1.0 + by_hand.abs())
        );
    }
}
