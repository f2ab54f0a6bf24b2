//! Loops whose reverse adds into one shadow element on every trip (`v_bar[j]` while `i`
//! runs): the generated code keeps that element in a local across the loop and stores it
//! back afterwards. These tests pin down that the gradient is the same as without the local,
//! including where the local must not be used (the element changes, is read only in some
//! trips, or the loop does not run with an index that would be out of bounds).

// `s = s + ..` and `s * 1.0` keep a loop from being a plain `s += t` sum, whose reverse
// would run fused into the forward loop instead of as a reversed loop.
#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]

mod common;

use autodiff::differentiate;
use common::{assert_close, check};

/// `Σ_{j < i} w_i v_j²`: the inner loop reads `v[j]`, the same element in every trip.
#[differentiate]
fn upper_weighted_squares(v: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for j in 0..v.len() {
        for i in j + 1..w.len() {
            s += w[i] * v[j] * v[j];
        }
    }
    s
}

fn upper_weighted_squares_hand(v: &[f64], w: &[f64]) -> Vec<f64> {
    // ∂/∂v_j = 2 v_j Σ_{i > j} w_i, ∂/∂w_i = Σ_{j < min(i, len v)} v_j².
    let dv = (0..v.len())
        .map(|j| 2.0 * v[j] * w.iter().skip(j + 1).sum::<f64>())
        .collect::<Vec<_>>();
    let dw = (0..w.len())
        .map(|i| v.iter().take(i).map(|a| a * a).sum::<f64>())
        .collect::<Vec<_>>();
    [dv, dw].concat()
}

#[test]
fn an_element_read_in_every_trip_of_an_inner_loop() {
    let v = [0.7, -1.3, 2.1, 0.4];
    let w = [1.5, -0.5, 0.25, 2.0, -1.0];
    let (gv, gw) = upper_weighted_squares_grad(&v, &w);
    let at = [&v[..], &w[..]].concat();
    check(
        "Σ_{j<i} w_i v_j²",
        &at,
        &[gv, gw].concat(),
        &upper_weighted_squares_hand(&v, &w),
        |p| upper_weighted_squares(&p[..4], &p[4..]),
    );
}

/// The same sum in a function that writes its result into a buffer, so that the outer loop
/// is not fused with the return and the inner loop's reverse runs in the reverse sweep.
#[differentiate]
fn upper_weighted_squares_into(v: &[f64], w: &[f64], out: &mut [f64]) {
    for j in 0..v.len() {
        let mut s = 0.0;
        for i in j + 1..w.len() {
            s += w[i] * v[j] * v[j];
        }
        out[j] = s;
    }
}

#[differentiate]
fn sum_of_rows(v: &[f64], w: &[f64]) -> f64 {
    let mut out = vec![0.0; v.len()];
    upper_weighted_squares_into(v, w, &mut out);
    out.iter().sum()
}

#[test]
fn an_element_held_by_a_loop_whose_result_is_stored() {
    let v = [0.3, 1.1, -0.8];
    let w = [2.0, -1.5, 0.5, 1.25];
    let (gv, gw) = sum_of_rows_grad(&v, &w);
    let at = [&v[..], &w[..]].concat();
    check(
        "Σ_j out_j",
        &at,
        &[gv, gw].concat(),
        &upper_weighted_squares_hand(&v, &w),
        |p| sum_of_rows(&p[..3], &p[3..]),
    );
}

/// `n · v_k²`; with `n = 0`, `k` may be past the end, and nothing is read.
#[differentiate]
fn repeated_square(v: &[f64], k: usize, n: usize) -> f64 {
    let mut s = 0.0;
    for _ in 0..n {
        s = s + v[k] * v[k];
    }
    s * 1.0
}

#[test]
fn a_loop_that_does_not_run_reads_no_element() {
    let v = [1.0, 2.0, 3.0];
    // `k = 3` is out of bounds: the primal never reads it, so the gradient must not either.
    let (value, gv) = repeated_square_value_and_grad(&v, 3, 0);
    assert_eq!(value, 0.0);
    assert_eq!(gv, vec![0.0; 3]);
    let (_, gv) = repeated_square_value_and_grad(&v, 1, 3);
    check("3 v₁²", &v, &gv, &[0.0, 12.0, 0.0], |p| {
        repeated_square(p, 1, 3)
    });
}

/// `v_k` counted in even trips only: the read is not in every trip, so the loop's reverse
/// must not take the element before knowing the index is in bounds.
#[differentiate]
fn even_trips(v: &[f64], k: usize, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        if i % 2 == 0 && k < v.len() {
            s = s + v[k] * v[k];
        }
        s = s * 1.0;
    }
    s
}

#[test]
fn an_element_read_in_some_trips_only() {
    let v = [0.5, -2.0];
    // k out of bounds, loop running: no element is read, no panic.
    let (_, gv) = even_trips_value_and_grad(&v, 7, 4);
    assert_eq!(gv, vec![0.0; 2]);
    // 5 trips, 3 of them even: 3 v₁², gradient 6 v₁.
    let (_, gv) = even_trips_value_and_grad(&v, 1, 5);
    check("3 v₁² over even trips", &v, &gv, &[0.0, -12.0], |p| {
        even_trips(p, 1, 5)
    });
}

/// `Σ_i v_i v_k`: the loop reads `v[k]` and `v[i]` of one buffer, which meet at `i = k`; the
/// adds into `v_bar[k]` and `v_bar[i]` must stay in order.
#[differentiate]
fn products_with_one(v: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s = s + v[i] * v[k];
        s = s * 1.0;
    }
    s
}

#[test]
fn an_element_of_a_buffer_also_read_elsewhere_in_the_loop() {
    let v = [1.5, -0.5, 2.0, 0.25];
    let k = 2;
    let (_, gv) = products_with_one_value_and_grad(&v, k);
    // ∂/∂v_i = v_k for i ≠ k; ∂/∂v_k = Σ_i v_i + v_k.
    let total: f64 = v.iter().sum();
    let hand: Vec<f64> = (0..v.len())
        .map(|i| if i == k { total + v[k] } else { v[k] })
        .collect();
    check("Σ v_i v_k", &v, &gv, &hand, |p| products_with_one(p, k));
    assert_close("∂/∂v_k", gv[k], total + v[k], 1e-12);
}
