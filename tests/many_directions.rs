//! `f_tangents` (`#[differentiate(tangents)]`): the forward mode in many directions at once.
//! Each direction's tangents must equal what `f_tangent` gives along that direction alone,
//! and whole gradients and Jacobians from one run must match hand-derived formulas, the
//! reverse mode and central differences.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::prelude::*;
use autodiff::testing::{assert_gradient_close, gradient};
use autodiff::Tangents;
use common::{check, HAND_TOL};

#[differentiate(tangents)]
fn product_and_exp(x: f64, y: f64) -> f64 {
    x * y + y.exp() - x / y
}

#[test]
fn both_partials_of_a_scalar_function_come_from_one_run() {
    let (x, y) = (1.5, 0.75);
    let (value, dots) =
        product_and_exp_tangents(x, Tangents::unit(0), y, Tangents::<f64, 2>::unit(1));
    assert_eq!(value, product_and_exp(x, y));
    let hand = [y - 1.0 / y, x + y.exp() + x / (y * y)];
    check("x y + eʸ − x / y", &[x, y], &dots.0, &hand, |p| {
        product_and_exp(p[0], p[1])
    });
    // Any directions, not only unit ones: each lane is `f_tangent` along that lane.
    let (dx, dy) = (Tangents([0.5, -2.0, 0.0]), Tangents([1.0, 3.0, 0.0]));
    let (_, dots) = product_and_exp_tangents(x, dx, y, dy);
    for j in 0..3 {
        let (_, one) = product_and_exp_tangent(x, dx.0[j], y, dy.0[j]);
        assert_gradient_close(&[dots.0[j]], &[one], HAND_TOL);
    }
}

/// The seeds' control flow, with loops, branches and an early return.
#[differentiate(tangents)]
fn controlled(x: &[f64], scale: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        if x[i] > 0.0 {
            s += scale * (x[i + 1] - x[i] * x[i]).powi(2);
        } else {
            s -= x[i] * x[i + 1];
        }
        if s > 1e6 {
            return s.sqrt();
        }
    }
    let mut b = s * 2.0;
    while b.abs() < 1000.0 {
        b *= 2.0;
    }
    b.tanh() + s
}

#[test]
fn a_whole_gradient_over_a_slice_matches_the_reverse_mode() {
    let x = [0.5, -1.25, 2.0, 0.75, -0.5];
    let seeds = Tangents::<f64, 6>::seeds(x.len(), 0);
    let (value, dots) = controlled_tangents(&x, &seeds, 3.0, Tangents::unit(5));
    assert_eq!(value, controlled(&x, 3.0));
    let (x_grad, scale_grad) = controlled_grad(&x, 3.0);
    let mut reverse = x_grad.clone();
    reverse.push(scale_grad);
    assert_gradient_close(&dots.0, &reverse, HAND_TOL);
    let numeric = gradient(
        |p| controlled(&p[..5], p[5]),
        &[x[0], x[1], x[2], x[3], x[4], 3.0],
    );
    assert_gradient_close(&dots.0, &numeric, 1e-6);
}

#[test]
fn the_early_return_is_taken_with_its_tangents() {
    let x = [1.0, 300.0, 2.0];
    let (value, dots) = controlled_tangents(
        &x,
        &Tangents::<f64, 3>::seeds(3, 0),
        100.0,
        Tangents::zero(),
    );
    let s = 100.0 * (300.0_f64 - 1.0).powi(2);
    assert_eq!(value, s.sqrt());
    // s = c (x₁ − x₀²)², √s' = s' / (2 √s).
    let ds = [100.0 * 2.0 * 299.0 * -2.0, 100.0 * 2.0 * 299.0, 0.0];
    let hand: Vec<f64> = ds.iter().map(|d| d / (2.0 * s.sqrt())).collect();
    check("early return", &x, &dots.0, &hand, |p| controlled(p, 100.0));
}

/// A rotation by Euler angles, written into an output buffer.
#[differentiate(tangents)]
fn rotation(angles: &[f64], r: &mut [f64]) {
    let (s, c) = (angles[0].sin(), angles[0].cos());
    let (t, d) = (angles[1].sin(), angles[1].cos());
    r[0] = c * d;
    r[1] = -s;
    r[2] = c * t;
    r[3] = s * d;
    r[4] = c;
    r[5] = s * t;
}

/// Calls `rotation` and keeps a local buffer: the callee's `_tangents_all` composes.
#[differentiate(tangents)]
fn rotated(angles: &[f64], point: &[f64], out: &mut [f64]) {
    let mut r = vec![0.0; 6];
    rotation(angles, &mut r);
    for i in 0..2 {
        let mut sum = 0.0;
        for k in 0..3 {
            sum += r[3 * i + k] * point[k];
        }
        out[i] = sum * sum;
    }
}

fn rotated_value(p: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; 2];
    rotated(&p[..2], &p[2..], &mut out);
    out
}

#[test]
fn a_jacobian_through_a_call_matches_one_direction_at_a_time() {
    let angles = [0.3, -0.7];
    let point = [1.0, 2.0, -0.5];
    let mut out = vec![0.0; 2];
    let mut out_dots = vec![Tangents::<f64, 5>::zero(); 2];
    rotated_tangents(
        &angles,
        &Tangents::seeds(2, 0),
        &point,
        &Tangents::seeds(3, 2),
        &mut out,
        &mut out_dots,
    );
    assert_eq!(out, rotated_value(&[0.3, -0.7, 1.0, 2.0, -0.5]));
    for column in 0..5 {
        let mut direction = [0.0; 5];
        direction[column] = 1.0;
        let mut one = vec![0.0; 2];
        let mut one_dots = vec![0.0; 2];
        rotated_tangent(
            &angles,
            &direction[..2],
            &point,
            &direction[2..],
            &mut out,
            &mut one_dots,
        );
        one.copy_from_slice(&one_dots);
        let lanes: Vec<f64> = out_dots.iter().map(|t| t.0[column]).collect();
        assert_gradient_close(&lanes, &one, HAND_TOL);
    }
    let at = [0.3, -0.7, 1.0, 2.0, -0.5];
    for row in 0..2 {
        let numeric = gradient(|p| rotated_value(p)[row], &at);
        assert_gradient_close(&out_dots[row].0, &numeric, 1e-6);
    }
    // Hand-derived for the first row: (r₀·p)² with r₀ = (c d, −s, c t), θ₀ = 0.3, θ₁ = −0.7.
    let (s, c, t, d) = (
        0.3_f64.sin(),
        0.3_f64.cos(),
        (-0.7_f64).sin(),
        (-0.7_f64).cos(),
    );
    let dot = c * d * point[0] - s * point[1] + c * t * point[2];
    let hand = [
        2.0 * dot * (-s * d * point[0] - c * point[1] - s * t * point[2]),
        2.0 * dot * (-c * t * point[0] + c * d * point[2]),
        2.0 * dot * c * d,
        2.0 * dot * -s,
        2.0 * dot * c * t,
    ];
    assert_gradient_close(&out_dots[0].0, &hand, HAND_TOL);
}

/// A `Vec` result, a parameter outside `wrt`, a cast through `f32`.
#[differentiate(tangents, wrt(x))]
fn squares(x: &[f64], shift: f64) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 0..x.len() {
        let narrow = (x[i] * x[i]) as f32;
        out.push(narrow as f64 + shift * x[i]);
    }
    out
}

#[test]
fn a_vec_result_carries_its_tangents_and_wrt_leaves_the_others_out() {
    let x = [1.5, -0.25, 2.0];
    let (value, dots) = squares_tangents(&x, &Tangents::<f64, 3>::seeds(3, 0), 0.5);
    assert_eq!(value, squares(&x, 0.5));
    for i in 0..3 {
        for j in 0..3 {
            let hand = if i == j { 2.0 * x[i] + 0.5 } else { 0.0 };
            // Through `f32`: rounding at single precision.
            assert!((dots[i].0[j] - hand).abs() < 1e-6, "∂out[{i}]/∂x[{j}]");
        }
    }
}

/// `reverse` leaves `f_tangent` out, not `f_tangents`.
#[differentiate(reverse, tangents)]
fn hypotenuse(x: f64, y: f64) -> f64 {
    (x * x + y * y).sqrt()
}

#[test]
fn tangents_come_with_the_reverse_mode_alone() {
    let (x, y) = (3.0, 4.0);
    let (value, dots) = hypotenuse_tangents(x, Tangents::unit(0), y, Tangents::<f64, 2>::unit(1));
    assert_eq!(value, 5.0);
    let (dx, dy) = hypotenuse_grad(x, y);
    check(
        "√(x² + y²)",
        &[x, y],
        &dots.0,
        &[x / 5.0, y / 5.0],
        |p| hypotenuse(p[0], p[1]),
    );
    assert_gradient_close(&dots.0, &[dx, dy], HAND_TOL);
}

#[differentiate(tangents)]
fn scaled_norm(v: &[f64; 3], scale: f64) -> f64 {
    scale * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

/// An array parameter, an in-out float, a typed call result and an array local.
#[differentiate(tangents)]
fn accumulate_norm(v: &[f64; 3], total: &mut f64) {
    let doubled = [2.0 * v[0], 2.0 * v[1], 2.0 * v[2]];
    let n: f64 = scaled_norm(&doubled, 0.5);
    *total = *total * n + v[2];
}

#[test]
fn arrays_and_in_out_floats_carry_tangents_in_every_direction() {
    let v = [1.0, -2.0, 2.0];
    let seeds: [Tangents<f64, 4>; 3] = [Tangents::unit(0), Tangents::unit(1), Tangents::unit(2)];
    let (mut total, mut total_dot) = (1.5, Tangents::<f64, 4>::unit(3));
    accumulate_norm_tangents(&v, &seeds, &mut total, &mut total_dot);
    // n = |v| = 3: total = 1.5 · 3 + v₂, ∂/∂vᵢ = 1.5 vᵢ / 3 (+ 1 for v₂), ∂/∂total = 3.
    assert_eq!(total, 1.5 * 3.0 + 2.0);
    let hand = [0.5, -1.0, 2.0, 3.0];
    let numeric = gradient(
        |p| {
            let mut t = p[3];
            accumulate_norm(&[p[0], p[1], p[2]], &mut t);
            t
        },
        &[1.0, -2.0, 2.0, 1.5],
    );
    assert_gradient_close(&total_dot.0, &hand, HAND_TOL);
    assert_gradient_close(&total_dot.0, &numeric, 1e-6);
}

/// An output buffer outside `wrt`: `f_tangents` gives it zero tangents of its own.
#[differentiate(tangents, wrt(x))]
fn scale_into(x: &[f64], factor: f64, out: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        out[i] = factor * x[i] * x[i];
        s += out[i];
    }
    s
}

#[test]
fn an_output_buffer_outside_wrt_gets_zero_tangents() {
    let x = [1.0, -2.0];
    let mut out = [0.0; 2];
    let (s, dots) = scale_into_tangents(&x, &Tangents::<f64, 2>::seeds(2, 0), 3.0, &mut out);
    assert_eq!(s, 15.0);
    assert_eq!(out, [3.0, 12.0]);
    // ∂s/∂xᵢ = 6 xᵢ.
    check("Σ 3 xᵢ²", &x, &dots.0, &[6.0, -12.0], |p| {
        scale_into(p, 3.0, &mut [0.0; 2])
    });
}
