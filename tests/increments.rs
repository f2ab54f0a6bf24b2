//! `out[i] += x` keeps the element's shadow in place in reverse (`increments.rs` in the
//! macro): gradients through increments, alone and mixed with reads, overwrites and views of
//! the same element, against hand-derived formulas and central differences.

// `out[1] = out[1] * x[2]` is an overwrite on purpose, not an increment.
#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]

mod common;

use autodiff::prelude::*;
use common::check;

/// A lower-triangular matrix-vector product accumulated in place, as GMM's `q_times`.
#[differentiate]
fn lower_times(lower: &[f64], v: &[f64], out: &mut [f64]) {
    let d = v.len();
    let mut idx = 0;
    for j in 0..d {
        for i in j + 1..d {
            out[i] += lower[idx] * v[j];
            idx += 1;
        }
    }
}

#[differentiate]
fn lower_times_sum(lower: &[f64], v: &[f64]) -> f64 {
    let mut out = vec![0.0; v.len()];
    for i in 0..v.len() {
        out[i] = v[i] * v[i];
    }
    lower_times(lower, v, &mut out);
    let mut s = 0.0;
    for i in 0..v.len() {
        s += (i as f64 + 1.0) * out[i] * out[i];
    }
    s
}

#[test]
fn an_accumulated_product_through_a_call() {
    let lower = [0.5, -1.0, 2.0];
    let v = [1.5, -0.5, 0.25];
    let (lg, vg) = lower_times_sum_grad(&lower, &v);
    let mut at = lower.to_vec();
    at.extend(v);
    let f = |p: &[f64]| lower_times_sum(&p[..3], &p[3..]);
    // out = v∘v + L v with L = [[0, 0, 0], [l₀, 0, 0], [l₁, l₂, 0]]; s = Σ (i + 1) outᵢ².
    let out = [
        v[0] * v[0],
        v[1] * v[1] + lower[0] * v[0],
        v[2] * v[2] + lower[1] * v[0] + lower[2] * v[1],
    ];
    let w: Vec<f64> = (0..3).map(|i| 2.0 * (i as f64 + 1.0) * out[i]).collect();
    let hand = [
        w[1] * v[0],
        w[2] * v[0],
        w[2] * v[1],
        w[0] * 2.0 * v[0] + w[1] * lower[0] + w[2] * lower[1],
        w[1] * 2.0 * v[1] + w[2] * lower[2],
        w[2] * 2.0 * v[2],
    ];
    let mut generated = lg;
    generated.extend(vg);
    check("lower_times_sum", &at, &generated, &hand, f);
}

/// Increments whose right-hand side reads the same element, or whose element is then
/// overwritten, read again or reached through a view.
#[differentiate]
fn tangled(x: &[f64]) -> f64 {
    let mut out = vec![0.0; 3];
    out[0] = x[0];
    out[0] += out[0] * x[1]; // reads the element it adds to: x₀ (1 + x₁)
    let first = out[0];
    out[1] = x[1] * x[1];
    out[1] += first; // x₁² + x₀ (1 + x₁)
    out[1] = out[1] * x[2]; // overwritten after the increment
    {
        let tail = &mut out[1..3];
        tail[1] += x[0] * x[2]; // through a view
        tail[0] += tail[1]; // reads another element of the view
    }
    let mut s = 0.0;
    for i in 0..3 {
        s += out[i] * (i as f64 + 1.0);
    }
    s
}

#[test]
fn increments_mixed_with_reads_overwrites_and_views() {
    let x = [0.75, -1.25, 2.0];
    let g = tangled_grad(&x);
    let (a, b, c) = (x[0], x[1], x[2]);
    // out₀ = a(1 + b); out₂ = a c; out₁ = (b² + a(1 + b)) c + a c; s = out₀ + 2 out₁ + 3 out₂.
    let hand = [
        (1.0 + b) + 2.0 * ((1.0 + b) * c + c) + 3.0 * c,
        a + 2.0 * (2.0 * b + a) * c,
        2.0 * (b * b + a * (1.0 + b) + a) + 3.0 * a,
    ];
    check("tangled", &x, &g, &hand, tangled);
}
