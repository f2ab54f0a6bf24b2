//! Branch decisions in a loop taken on arithmetic and comparisons of values the reverse
//! sweep has anyway (the loop's variable, parameters, values it computes again) are decided
//! again in reverse instead of recorded (`recompute.rs`). These tests check the gradients
//! against formulas and central differences, for conditions decided again and for ones that
//! must be recorded (a condition on a value the loop changes).

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::differentiate;
use common::check;

fn decides(i: usize, k: usize) -> bool {
    i % k == 0 && (i as f64 * 0.5) < 2.0
}

/// `s ← s/2 + xᵢ²` on trips `i` with `i % k == 0` and `i/2 < 2`, `s ← s + sin xᵢ` on the
/// others: the decision reads `i`, `k` and `t = i/2`, all there in reverse.
#[differentiate]
fn alternating(x: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let t = i as f64 * 0.5;
        if i % k == 0 && t < 2.0 {
            s = s * 0.5 + x[i] * x[i];
        } else {
            s += x[i].sin();
        }
    }
    s
}

fn alternating_hand(x: &[f64], k: usize) -> Vec<f64> {
    let n = x.len();
    (0..n)
        .map(|i| {
            let weight: f64 = (i + 1..n)
                .map(|j| if decides(j, k) { 0.5 } else { 1.0 })
                .product();
            if decides(i, k) {
                weight * 2.0 * x[i]
            } else {
                weight * x[i].cos()
            }
        })
        .collect()
}

#[test]
fn a_decision_on_the_loop_variable_and_a_parameter() {
    let x: Vec<f64> = (0..9).map(|i| (0.7 * i as f64).sin() + 0.2).collect();
    for k in [1, 2, 3] {
        check(
            &format!("alternating, k = {k}"),
            &x,
            &alternating_grad(&x, k),
            &alternating_hand(&x, k),
            |p| alternating(p, k),
        );
    }
}

/// The same decision on `s` itself, which the loop changes: recorded.
#[differentiate]
fn thresholded(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if s < 1.0 {
            s += x[i] * x[i];
        } else {
            s = s * 0.5 + x[i];
        }
    }
    s
}

fn thresholded_hand(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut taken = Vec::with_capacity(n);
    let mut s = 0.0;
    for &xi in x {
        taken.push(s < 1.0);
        s = if s < 1.0 { s + xi * xi } else { s * 0.5 + xi };
    }
    (0..n)
        .map(|i| {
            let weight: f64 = (i + 1..n)
                .map(|j| if taken[j] { 1.0 } else { 0.5 })
                .product();
            weight * if taken[i] { 2.0 * x[i] } else { 1.0 }
        })
        .collect()
}

#[test]
fn a_decision_on_a_value_the_loop_changes() {
    let x = [0.6, 0.7, 0.9, -0.3, 1.4, 0.2];
    check(
        "thresholded sum",
        &x,
        &thresholded_grad(&x),
        &thresholded_hand(&x),
        thresholded,
    );
}
