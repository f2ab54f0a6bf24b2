//! Statements the macro keeps as written (`j >>= 1`, `j %= n`: operators with no derivative
//! rule) may change the variables they name. The reverse sweep must then not compute such a
//! variable again from its definition: it would index the wrong elements, silently while
//! the wrong index stays in bounds.

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
