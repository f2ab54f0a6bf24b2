//! Loops whose reverse runs in forward order (fused into the forward loop, or replayed) and
//! adds into `x_bar[i]` and `x_bar[i + 1]`: the generated code carries the `x_bar[i + 1]`
//! part to the next trip in a local, so that every element is loaded and stored once
//! (`carry.rs`). These tests pin down that the gradients are those of the formulas and of
//! central differences, for the loops that carry and for look-alikes that must not, with no
//! trips, one trip and many, and into shadows that already hold a gradient.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::differentiate;
use common::{assert_close, check};

/// `Σ wᵢ xᵢ xᵢ₊₁`, with the index written `1 + i`; fused with the return.
#[differentiate]
fn chained_products(x: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i] * x[1 + i] * x[i];
    }
    s
}

/// ∂/∂x_k = w_{k−1} x_{k−1} + w_k x_{k+1}; ∂/∂w_i = x_i x_{i+1}.
fn chained_products_hand(x: &[f64], w: &[f64]) -> Vec<f64> {
    let m = w.len();
    let dx = (0..x.len()).map(|k| {
        let left = if k >= 1 && k - 1 < m {
            w[k - 1] * x[k - 1]
        } else {
            0.0
        };
        let right = if k < m { w[k] * x[k + 1] } else { 0.0 };
        left + right
    });
    let dw = (0..m).map(|i| x[i] * x[i + 1]);
    dx.chain(dw).collect()
}

#[test]
fn a_fused_loop_carries_the_next_element() {
    let x = [0.9, -1.2, 0.4, 2.2, -0.7, 1.5];
    let w = [1.0, -2.0, 0.5, 3.0, -1.5];
    for m in [0, 1, 2, 5] {
        let (x, w) = (&x[..m + 1], &w[..m]);
        let (gx, gw) = chained_products_grad(x, w);
        check(
            &format!("Σ wᵢ xᵢ xᵢ₊₁, {m} terms"),
            &[x, w].concat(),
            &[gx, gw].concat(),
            &chained_products_hand(x, w),
            |p| chained_products(&p[..m + 1], &p[m + 1..]),
        );
    }
}

#[test]
fn the_carried_parts_add_to_what_the_shadows_held() {
    let x = [0.9, -1.2, 0.4, 2.2];
    let w = [1.0, -2.0, 0.5];
    let before_x = [10.0, -20.0, 30.0, -40.0];
    let before_w = [0.5, 0.25, -0.125];
    let (mut x_bar, mut w_bar) = (before_x, before_w);
    let d_out = 2.5;
    chained_products_adjoint(&x, &mut x_bar, &w, &mut w_bar, d_out);
    let hand = chained_products_hand(&x, &w);
    for (k, (after, before)) in x_bar
        .iter()
        .chain(&w_bar)
        .zip(before_x.iter().chain(&before_w))
        .enumerate()
    {
        assert_close(
            &format!("shadow entry {k}"),
            *after,
            before + d_out * hand[k],
            1e-12,
        );
    }
}

/// `√(Σ (xᵢ₊₁ − xᵢ)²)`: the square root after the loop keeps it from being fused, so its
/// reverse is a replay, which carries too.
#[differentiate]
fn path_length(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let step = x[i + 1] - x[i];
        s += step * step;
    }
    s.sqrt()
}

/// ∂/∂x_k = ((x_k − x_{k−1}) − (x_{k+1} − x_k)) / length, the missing neighbours left out.
fn path_length_hand(x: &[f64]) -> Vec<f64> {
    let length = path_length(x);
    let n = x.len();
    (0..n)
        .map(|k| {
            let from_left = if k >= 1 { x[k] - x[k - 1] } else { 0.0 };
            let to_right = if k + 1 < n { x[k + 1] - x[k] } else { 0.0 };
            (from_left - to_right) / length
        })
        .collect()
}

#[test]
fn a_replayed_loop_carries_the_next_element() {
    let x = [0.3, 1.7, -0.4, 2.6, 2.0, -1.1, 0.8];
    for n in [2, 3, 7] {
        let x = &x[..n];
        check(
            &format!("path length of {n} points"),
            x,
            &path_length_grad(x),
            &path_length_hand(x),
            path_length,
        );
    }
}

/// The Hessian of the path length, by differences of the formula's gradient, against the
/// generated Hessian-vector product (the dual copy of the replay carries its shadows too).
#[test]
fn the_hessian_through_a_carrying_replay() {
    let x = [0.3, 1.7, -0.4, 2.6, 2.0];
    let v = [1.0, -0.5, 2.0, 0.25, -1.5];
    let hv = path_length_hvp(&x, &v);
    let h = 1e-5;
    for k in 0..x.len() {
        let at = |t: f64| {
            let moved: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + t * b).collect();
            path_length_hand(&moved)[k]
        };
        let expected = (at(h) - at(-h)) / (2.0 * h);
        assert_close(&format!("(H v)_{k}"), hv[k], expected, 1e-7);
    }
}

/// The same sum over an inclusive range.
#[differentiate]
fn chained_products_inclusive(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..=x.len() - 2 {
        s += x[i] * x[i + 1];
    }
    s
}

#[test]
fn an_inclusive_range_carries_too() {
    let x = [0.9, -1.2, 0.4, 2.2, -0.7];
    let ones = [1.0; 4];
    check(
        "Σ xᵢ xᵢ₊₁ over 0..=n−2",
        &x,
        &chained_products_inclusive_grad(&x),
        &chained_products_hand(&x, &ones)[..5],
        chained_products_inclusive,
    );
}

/// `Σ xᵢ xᵢ₊₁ xᵢ₊₂`: `x[i + 2]` is read too, so nothing is carried.
#[differentiate]
fn triple_products(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 2 {
        s += x[i] * x[i + 1] * x[i + 2];
    }
    s
}

fn triple_products_hand(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let term = |i: usize, skip: usize| {
        (i..i + 3)
            .filter(|&j| j != skip)
            .map(|j| x[j])
            .product::<f64>()
    };
    (0..n)
        .map(|k| {
            (k.saturating_sub(2)..=k)
                .filter(|&i| i + 2 < n)
                .map(|i| term(i, k))
                .sum()
        })
        .collect()
}

#[test]
fn a_look_alike_reading_two_ahead_is_still_right() {
    let x = [0.9, -1.2, 0.4, 2.2, -0.7, 1.3];
    check(
        "Σ xᵢ xᵢ₊₁ xᵢ₊₂",
        &x,
        &triple_products_grad(&x),
        &triple_products_hand(&x),
        triple_products,
    );
}

/// `Σ xᵢ₊₁ (xᵢ − c)`, with `i + 1` a variable reassigned in the loop: not the loop's next
/// index, so nothing is carried.
#[differentiate]
fn shifted_differences(x: &[f64], c: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let mut j = i + 1;
        if j >= x.len() {
            j = 0;
        }
        s += x[j] * (x[i] - c);
    }
    s
}

#[test]
fn an_index_that_may_change_is_not_carried() {
    let x = [0.9, -1.2, 0.4, 2.2];
    let c = 0.5;
    let (gx, gc) = shifted_differences_grad(&x, c);
    let n = x.len();
    // ∂/∂x_k = (x_{k−1} − c) [k ≥ 1] + x_{k+1} [k ≤ n − 2]; ∂/∂c = −Σ x_{i+1}.
    let mut hand: Vec<f64> = (0..n)
        .map(|k| {
            let left = if k >= 1 { x[k - 1] - c } else { 0.0 };
            let right = if k + 1 < n { x[k + 1] } else { 0.0 };
            left + right
        })
        .collect();
    hand.push(-x[1..].iter().sum::<f64>());
    check(
        "Σ xᵢ₊₁ (xᵢ − c)",
        &[&x[..], &[c]].concat(),
        &[gx, vec![gc]].concat(),
        &hand,
        |p| shifted_differences(&p[..n], p[n]),
    );
}
