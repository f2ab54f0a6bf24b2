//! Compound assignments with no derivative rule (`j >>= 1`, `j %= n`) change the variables
//! they name. The reverse sweep must know: computed again from its definition, or held in
//! one local across a loop, such an index would select the wrong elements, silently while it
//! stays in bounds. They are lowered as the assignments they are (`j = j >> 1`), and what
//! other statements kept as written name is neither computed again nor held.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::differentiate;
use common::check;

/// `s ← s/2 + xᵢ x_{(i+2) >> 1}` for `i < n − 2`: the index is shifted in place. Computed
/// again from `i + 2`, it stays in bounds: the gradient was silently wrong.
#[differentiate]
fn halved_index_products(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 2 {
        let mut j = i + 2;
        j >>= 1;
        s = s * 0.5 + x[i] * x[j];
    }
    s
}

fn halved_index_products_hand(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n - 2 {
        // Term i is scaled by ½ once per later trip.
        let weight = 0.5_f64.powi((n - 3 - i) as i32);
        let j = (i + 2) >> 1;
        g[i] += weight * x[j];
        g[j] += weight * x[i];
    }
    g
}

#[test]
fn an_index_shifted_in_place() {
    let x = [0.5, -1.25, 2.0, 0.75, -0.5, 1.5];
    check(
        "Σ xᵢ x_{(i+2)>>1}, halved each trip",
        &x,
        &halved_index_products_grad(&x),
        &halved_index_products_hand(&x),
        halved_index_products,
    );
}

/// The same with `%=`, and the index read in a branch.
#[differentiate]
fn wrapped_index_products(x: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let mut j = i * k;
        j %= x.len();
        if x[j] > 0.0 {
            s = s * 0.5 + x[j] * x[i];
        } else {
            s -= x[i];
        }
    }
    s
}

fn wrapped_index_products_hand(x: &[f64], k: usize) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n {
        let j = (i * k) % n;
        // Later trips that take the first branch halve everything before them.
        let weight: f64 = (i + 1..n)
            .map(|later| if x[(later * k) % n] > 0.0 { 0.5 } else { 1.0 })
            .product();
        if x[j] > 0.0 {
            g[j] += weight * x[i];
            g[i] += weight * x[j];
        } else {
            g[i] -= weight;
        }
    }
    g
}

#[test]
fn an_index_wrapped_in_place() {
    let x = [0.5, -1.25, 2.0, 0.75, -0.5, 1.5, 0.25];
    for k in [2, 3, 5] {
        check(
            &format!("wrapped products, k = {k}"),
            &x,
            &wrapped_index_products_grad(&x, k),
            &wrapped_index_products_hand(&x, k),
            |p| wrapped_index_products(p, k),
        );
    }
}

/// `Σᵢ wᵢ x_j` with `j` doubled in place every trip: the element of `x` changes from trip to
/// trip, so its shadow must not be held in one local across the loop.
#[differentiate]
fn doubling_index_sum(x: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut j = 1;
    for i in 0..w.len() {
        s = s * 1.0 + w[i] * x[j];
        j <<= 1;
    }
    s
}

#[test]
fn an_index_changed_in_place_across_a_loop() {
    let x = [0.5, -1.25, 2.0, 0.75, -0.5, 1.5, 0.25, 3.0, -2.0];
    let w = [1.5, -0.5, 2.5, 0.25];
    let (gx, gw) = doubling_index_sum_grad(&x, &w);
    // ∂/∂x_{2^i} = w_i, ∂/∂w_i = x_{2^i}.
    let mut hand = vec![0.0; x.len()];
    for i in 0..w.len() {
        hand[1 << i] += w[i];
    }
    hand.extend((0..w.len()).map(|i| x[1 << i]));
    check(
        "Σ wᵢ x_{2^i}",
        &[&x[..], &w[..]].concat(),
        &[gx, gw].concat(),
        &hand,
        |p| doubling_index_sum(&p[..9], &p[9..]),
    );
}
