//! Differentiating through a generated gradient: a `#[differentiate]` function that calls
//! `f_grad` (a gradient step, the norm of a gradient, an inner optimization) is
//! differentiated again, in reverse and forward mode. Each derivative is checked against
//! the hand-derived one and against central differences of the function.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::prelude::*;
use common::{assert_close, check};

/// E(p, x) = Σ pᵢ xᵢ³ / 3 + x₀x₁, differentiated in x only: ∇ₓE = (p₀x₀² + x₁, p₁x₁² + x₀, pᵢxᵢ²…).
#[differentiate(wrt(x))]
fn energy(p: &[f64], x: &[f64]) -> f64 {
    let mut total = x[0] * x[1];
    for i in 0..x.len() {
        total += p[i] * x[i] * x[i] * x[i] / 3.0;
    }
    total
}

/// ‖∇ₓE(p, x)‖²: calls the generated gradient.
#[differentiate]
fn gradient_norm(p: &[f64], x: &[f64]) -> f64 {
    let g = energy_grad(p, x);
    let mut total = 0.0;
    for i in 0..g.len() {
        total += g[i] * g[i];
    }
    total
}

/// h(a, b) = a² b + sin a, differentiated in a: ∂h/∂a = 2ab + cos a.
#[differentiate(wrt(a))]
fn h(a: f64, b: f64) -> f64 {
    a * a * b + a.sin()
}

/// h(a − η ∂h/∂a, b): one gradient step, then the value (the derivative of the step's
/// outcome, as in meta-learning).
#[differentiate]
fn after_one_step(a: f64, b: f64, eta: f64) -> f64 {
    let stepped = a - eta * h_grad(a, b);
    h(stepped, b)
}

/// ‖∇ₓE(p, x)‖² again, the gradient by forward mode: one `energy_tangent` per coordinate.
#[differentiate]
fn gradient_norm_by_tangents(p: &[f64], x: &[f64]) -> f64 {
    let mut direction = vec![0.0; x.len()];
    let mut total = 0.0;
    for i in 0..x.len() {
        direction[i] = 1.0;
        let (_, slope) = energy_tangent(p, x, &direction);
        total += slope * slope;
        direction[i] = 0.0;
    }
    total
}

/// h(a, b)·∂h/∂a(a, b), both from one `h_tangent`.
#[differentiate]
fn value_times_slope(a: f64, b: f64) -> f64 {
    let (value, slope) = h_tangent(a, 1.0, b);
    value * slope
}

fn hand_gradient(p: &[f64], x: &[f64]) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let coupling = match i {
                0 => x[1],
                1 => x[0],
                _ => 0.0,
            };
            p[i] * x[i] * x[i] + coupling
        })
        .collect()
}

#[test]
fn the_norm_of_a_gradient() {
    let p = [0.5, -1.5, 2.0];
    let x = [1.2, 0.7, -0.4];
    let g = hand_gradient(&p, &x);
    // N = Σ gᵢ²: ∂N/∂pᵢ = 2gᵢxᵢ², ∂N/∂xᵢ = 2gᵢ·2pᵢxᵢ + 2g_j for the coupled j.
    let hand_p: Vec<f64> = (0..3).map(|i| 2.0 * g[i] * x[i] * x[i]).collect();
    let hand_x: Vec<f64> = (0..3)
        .map(|i| {
            let coupled = match i {
                0 => 2.0 * g[1],
                1 => 2.0 * g[0],
                _ => 0.0,
            };
            4.0 * g[i] * p[i] * x[i] + coupled
        })
        .collect();
    let (gp, gx) = gradient_norm_grad(&p, &x);
    let at = [p.to_vec(), x.to_vec()].concat();
    let generated = [gp, gx].concat();
    let hand = [hand_p, hand_x].concat();
    check("gradient_norm", &at, &generated, &hand, |v| {
        gradient_norm(&v[..3], &v[3..])
    });
    // Forward mode through the gradient agrees: ⟨∇N, v⟩ along a direction.
    let (vp, vx) = ([0.3, -0.2, 0.9], [1.0, 0.4, -0.6]);
    let (value, slope) = gradient_norm_tangent(&p, &vp, &x, &vx);
    assert_close("gradient_norm value", value, gradient_norm(&p, &x), 1e-15);
    let along: f64 = generated
        .iter()
        .zip(vp.iter().chain(&vx))
        .map(|(g, v)| g * v)
        .sum();
    assert_close("gradient_norm slope", slope, along, 1e-12);
}

#[test]
fn a_gradient_step_differentiated() {
    for &(a, b, eta) in &[
        (0.8_f64, 1.3_f64, 0.1_f64),
        (-1.1, 0.4, 0.3),
        (2.0, -0.7, 0.05),
    ] {
        // s = a − η h_a, h_a = 2ab + cos a, h_aa = 2b − sin a, h_ab = 2a.
        let h_a = |a: f64, b: f64| 2.0 * a * b + a.cos();
        let s = a - eta * h_a(a, b);
        let ds_da = 1.0 - eta * (2.0 * b - a.sin());
        let ds_db = -eta * 2.0 * a;
        let ds_deta = -h_a(a, b);
        // F = h(s, b): F_a = h_a(s) s_a, F_b = h_a(s) s_b + s², F_η = h_a(s) s_η.
        let hand = [
            h_a(s, b) * ds_da,
            h_a(s, b) * ds_db + s * s,
            h_a(s, b) * ds_deta,
        ];
        let (ga, gb, geta) = after_one_step_grad(a, b, eta);
        check(
            "after_one_step",
            &[a, b, eta],
            &[ga, gb, geta],
            &hand,
            |v| after_one_step(v[0], v[1], v[2]),
        );
        let (_, slope) = after_one_step_tangent(a, 1.0, b, 0.0, eta, 0.0);
        assert_close("after_one_step tangent", slope, hand[0], 1e-12);
    }
}

#[test]
fn the_norm_of_a_gradient_by_forward_mode() {
    let p = [0.5, -1.5, 2.0];
    let x = [1.2, 0.7, -0.4];
    assert_close(
        "value",
        gradient_norm_by_tangents(&p, &x),
        gradient_norm(&p, &x),
        1e-14,
    );
    let (by_reverse_p, by_reverse_x) = gradient_norm_grad(&p, &x);
    let (gp, gx) = gradient_norm_by_tangents_grad(&p, &x);
    let at = [p.to_vec(), x.to_vec()].concat();
    // The same function as `gradient_norm`, whose gradient is checked by hand above.
    check(
        "gradient_norm_by_tangents",
        &at,
        &[gp, gx].concat(),
        &[by_reverse_p, by_reverse_x].concat(),
        |v| gradient_norm_by_tangents(&v[..3], &v[3..]),
    );
    let (vp, vx) = ([0.3, -0.2, 0.9], [1.0, 0.4, -0.6]);
    let (_, slope) = gradient_norm_by_tangents_tangent(&p, &vp, &x, &vx);
    let (_, expected) = gradient_norm_tangent(&p, &vp, &x, &vx);
    assert_close("gradient_norm_by_tangents slope", slope, expected, 1e-12);
}

#[test]
fn the_value_and_slope_of_a_tangent() {
    for &(a, b) in &[(0.8_f64, 1.3_f64), (-1.1, 0.4), (2.0, -0.7)] {
        let value = a * a * b + a.sin();
        let h_a = 2.0 * a * b + a.cos();
        let h_aa = 2.0 * b - a.sin();
        let hand = [h_a * h_a + value * h_aa, a * a * h_a + value * 2.0 * a];
        let (ga, gb) = value_times_slope_grad(a, b);
        check("value_times_slope", &[a, b], &[ga, gb], &hand, |v| {
            value_times_slope(v[0], v[1])
        });
        let (_, slope) = value_times_slope_tangent(a, 0.5, b, -2.0);
        assert_close(
            "value_times_slope tangent",
            slope,
            0.5 * hand[0] - 2.0 * hand[1],
            1e-12,
        );
    }
}
