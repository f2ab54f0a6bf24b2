//! Functions that once compiled wrongly or not at all, each checked against finite differences.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::prelude::*;
use autodiff::testing::central_difference;

fn assert_close(actual: f64, expected: f64) {
    let tolerance = 1e-6 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() < tolerance,
        "{actual} differs from {expected}"
    );
}

/// A product of a loop-local temporary and an inactive value: the temporary appears in the
/// rule call only for its type, and must still exist in the reverse loop.
#[differentiate]
fn loop_local_times_inactive(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    let mut term = 1.0;
    for k in 1..n {
        s += x.sin() / stop_gradient(2.0);
        term = term * x / k as f64;
        s += term;
    }
    s
}

#[test]
fn loop_local_temporary_times_inactive_value() {
    for x in [-1.2, 0.3, 0.7, 2.5] {
        let fd = central_difference(|x| loop_local_times_inactive(x, 6), x, 1e-6);
        assert_close(loop_local_times_inactive_grad(x, 6), fd);
    }
}

/// Activity that reaches the output only through a `for` loop's body.
#[differentiate(wrt(x))]
fn through_for_loop_only(x: f64, limit: f64, steps: usize) -> f64 {
    let mut acc = 0.0;
    for i in 0..steps {
        acc += x * (i as f64);
        if acc > limit {
            return acc.ln();
        }
    }
    acc
}

#[test]
fn activity_flows_through_for_loop_bodies() {
    // acc = 10 x for five steps below the limit: the derivative is 10.
    assert_close(through_for_loop_only_grad(0.5, 100.0, 5), 10.0);
    // Past the limit the result is ln(acc), with acc = x (0 + 1 + 2) = 3x at the crossing.
    let x = 2.0;
    let fd = central_difference(|x| through_for_loop_only(x, 5.0, 10), x, 1e-6);
    assert_close(through_for_loop_only_grad(x, 5.0, 10), fd);
    assert_close(fd, 1.0 / x);
}

/// User names that look like the macro's own: none may capture another.
#[differentiate]
#[allow(clippy::let_and_return)]
fn names_like_generated_ones(x: f64) -> f64 {
    let t1 = x * x;
    let t1_bar = t1.sin();
    let output = t1_bar * x;
    let g = output + t1;
    g
}

#[test]
fn user_names_do_not_collide_with_generated_names() {
    for x in [-0.8_f64, 0.4, 1.9] {
        let expected = (x * x).cos() * 2.0 * x * x + (x * x).sin() + 2.0 * x;
        assert_close(names_like_generated_ones_grad(x), expected);
    }
}

/// `f64::sin_cos(x)` in path form, destructured, with `x` used elsewhere too.
#[differentiate]
fn sin_cos_path_form(x: f64) -> f64 {
    let (s, c) = f64::sin_cos(x);
    s * x + c * c
}

#[test]
fn sin_cos_in_path_form() {
    for x in [-2.3_f64, 0.4, 1.7] {
        let hand = x * x.cos() + x.sin() - 2.0 * x.sin() * x.cos();
        assert_close(sin_cos_path_form_grad(x), hand);
        assert_close(hand, central_difference(sin_cos_path_form, x, 1e-6));
    }
}

/// A named format argument after shadowing: only the value is renamed, not the name.
#[differentiate]
fn named_format_argument(x: f64) -> f64 {
    let y = x + 1.0;
    let y = y * 2.0;
    let shown = format!("{y}", y = y);
    assert_eq!(shown, format!("{}", 2.0 * (x + 1.0)));
    y * x
}

#[test]
fn named_format_arguments_survive_shadowing() {
    for x in [-1.5, 0.5, 2.0] {
        assert_close(named_format_argument_grad(x), 4.0 * x + 2.0);
    }
}

/// A loop over a range of signed integers whose variable the reverse sweep needs: it is
/// recomputed from the iteration's number, in the range's own integer type.
#[differentiate]
fn signed_range(x: f64) -> f64 {
    let mut s = 0.0;
    for k in -3_i32..4 {
        s += x.powi(2) * (k as f64);
        s += (x * (k as f64)).sin();
    }
    s
}

#[test]
fn loop_variables_of_signed_ranges_are_recomputed() {
    for x in [-0.7, 0.2, 1.3] {
        // Σ_k [k x² + sin(k x)] over k = -3..=3: Σ k = 0, so only the sines remain.
        let hand: f64 = (-3..4).map(|k| k as f64 * (k as f64 * x).cos()).sum();
        assert_close(signed_range_grad(x), hand);
        assert_close(central_difference(signed_range, x, 1e-6), hand);
    }
}

#[differentiate]
fn squares(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v * v).collect()
}

#[differentiate]
fn total(v: &[f64]) -> f64 {
    v.iter().sum::<f64>()
}

fn weights(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 + 1.0).collect()
}

/// A `collect` as the returned value; a call returning a `Vec` into an annotated `let`; an
/// inactive collection zipped with an active slice (whose closure's bindings the first
/// lowering never saw: they must not default to "no derivative"); `x[1..].to_vec()`.
#[differentiate]
fn mixed_collections(x: &[f64]) -> f64 {
    let y: Vec<f64> = squares(x);
    let w = weights(x.len());
    let tail = x[1..].to_vec();
    total(&y) + w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + tail[0] * 3.0
}

#[test]
fn returned_collections_calls_and_inactive_zips() {
    let x = [0.5_f64, -1.0, 2.0];
    let jac = squares_jacobian(&x);
    for i in 0..3 {
        for j in 0..3 {
            let hand = if i == j { 2.0 * x[i] } else { 0.0 };
            assert_close(jac[i][j], hand);
        }
    }
    // 2x + w + 3 e₁ with w = (1, 2, 3).
    let hand = [2.0 * x[0] + 1.0, 2.0 * x[1] + 2.0 + 3.0, 2.0 * x[2] + 3.0];
    let g = mixed_collections_grad(&x);
    let numeric = autodiff::testing::gradient(mixed_collections, &x);
    for i in 0..3 {
        assert_close(g[i], hand[i]);
        assert_close(numeric[i], hand[i]);
    }
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`,
/// `f_adjoint`), at random points: ⟨ȳ, J v⟩ = ⟨Jᵀ ȳ, v⟩ for random directions v and
/// cotangents ȳ (for a float result, the derivative along v is the gradient dotted with v).
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    for n in [0, 1, 5] {
        let t = |x, dx| loop_local_times_inactive_tangent(x, dx, n);
        let g = |x| loop_local_times_inactive_grad(x, n);
        common::modes_agree_1(&format!("loop_local_times_inactive n = {n}"), GEN, t, g);
        // Only x is in `wrt`; a positive limit, so that the logarithm taken past it is defined.
        for limit in [0.5, 3.0] {
            let t = |x, dx| through_for_loop_only_tangent(x, dx, limit, n);
            let g = |x| through_for_loop_only_grad(x, limit, n);
            common::modes_agree_1(&format!("through_for_loop_only n = {n}"), GEN, t, g);
        }
    }
    let (t, g) = (
        names_like_generated_ones_tangent,
        names_like_generated_ones_grad,
    );
    common::modes_agree_1("names_like_generated_ones", GEN, t, g);
    let (t, g) = (sin_cos_path_form_tangent, sin_cos_path_form_grad);
    common::modes_agree_1("sin_cos_path_form", GEN, t, g);
    let (t, g) = (named_format_argument_tangent, named_format_argument_grad);
    common::modes_agree_1("named_format_argument", GEN, t, g);
    common::modes_agree_1("signed_range", GEN, signed_range_tangent, signed_range_grad);
    // A returned Vec: J v against the vector-Jacobian product.
    common::forward_matches_adjoint(
        "squares",
        &[GEN; 4],
        4,
        |x, v| squares_tangent(x, v).1,
        |x, y_bar| {
            let mut x_bar = vec![0.0; 4];
            let _ = squares_adjoint(x, &mut x_bar, y_bar);
            x_bar
        },
    );
    let t = |x: &[f64], v: &[f64]| total_tangent(x, v).1;
    common::forward_matches_grad("total", &[GEN; 4], t, total_grad);
    let t = |x: &[f64], v: &[f64]| mixed_collections_tangent(x, v).1;
    common::forward_matches_grad("mixed_collections", &[GEN; 4], t, mixed_collections_grad);
}
