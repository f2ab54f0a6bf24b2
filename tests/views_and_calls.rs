//! Views into buffers (`&x[a..b]`, `&mut v[a..]`) and calls to other `#[differentiate]`
//! functions that take buffers, read-only or `&mut`: hand-derived adjoints and finite
//! differences.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::prelude::*;
use autodiff::testing::{assert_gradient_close, gradient};
use common::{check, flat, forward_matches_adjoint, forward_matches_grad};

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// `y += alpha x`, in place.
#[differentiate]
fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..x.len() {
        y[i] += alpha * x[i];
    }
}

/// Rows of a row-major `n × d` matrix as views, a work buffer cleared and filled by a helper
/// each row, and a dot product through another helper.
#[differentiate]
fn row_blocks(x: &[f64], d: usize, k: f64) -> f64 {
    let n = x.len() / d;
    let mut tmp = vec![0.0; d];
    let mut total = 0.0;
    for i in 0..n {
        let row = &x[i * d..(i + 1) * d];
        for j in 0..d {
            tmp[j] = 0.0;
        }
        axpy(k, row, &mut tmp);
        axpy(row[0], &x[0..d], &mut tmp);
        total += dot(&tmp, row) + row[d - 1] * row[0];
    }
    total
}

fn row_blocks_plain(x: &[f64], d: usize, k: f64) -> f64 {
    let n = x.len() / d;
    let mut total = 0.0;
    for i in 0..n {
        let row = &x[i * d..(i + 1) * d];
        let tmp: Vec<f64> = (0..d).map(|j| k * row[j] + row[0] * x[j]).collect();
        total += (0..d).map(|j| tmp[j] * row[j]).sum::<f64>() + row[d - 1] * row[0];
    }
    total
}

#[test]
fn views_and_helpers_over_rows() {
    let x = [0.5, -1.0, 2.0, 0.3, 1.5, -0.7];
    let (d, k) = (3, 0.8);
    assert!((row_blocks(&x, d, k) - row_blocks_plain(&x, d, k)).abs() < 1e-12);
    // total = Σ_i [k |row_i|² + row_i[0] ⟨x[0..d], row_i⟩ + row_i[d-1] row_i[0]].
    let mut hand = vec![0.0; 7];
    for i in 0..2 {
        let row = &x[i * d..(i + 1) * d];
        let inner: f64 = (0..d).map(|j| x[j] * row[j]).sum();
        for j in 0..d {
            hand[i * d + j] += 2.0 * k * row[j] + row[0] * x[j];
            hand[j] += row[0] * row[j];
        }
        hand[i * d] += inner + row[d - 1];
        hand[i * d + d - 1] += row[0];
        hand[6] += (0..d).map(|j| row[j] * row[j]).sum::<f64>();
    }
    let (gx, gk) = row_blocks_grad(&x, d, k);
    let mut generated = gx;
    generated.push(gk);
    let mut at = x.to_vec();
    at.push(k);
    check("row blocks", &at, &generated, &hand, |v| {
        row_blocks(&v[..6], d, v[6])
    });
}

/// Recursion through a view of the tail.
#[differentiate]
fn weighted_tail_sum(x: &[f64], w: f64) -> f64 {
    if x.len() == 1 {
        x[0] * w
    } else {
        x[0] * w + weighted_tail_sum(&x[1..], w * w)
    }
}

#[test]
fn recursion_over_views() {
    let x = [1.0, 2.0, -0.5, 3.0];
    let w = 0.9_f64;
    // Σ_i x_i w^(2^i).
    let powers: Vec<f64> = (0..4).map(|i| w.powi(1 << i)).collect();
    let hand_w: f64 = (0..4)
        .map(|i| x[i] * (1 << i) as f64 * w.powi((1 << i) - 1))
        .sum();
    let (gx, gw) = weighted_tail_sum_grad(&x, w);
    let mut generated = gx;
    generated.push(gw);
    let mut hand = powers;
    hand.push(hand_w);
    check(
        "tail recursion",
        &[1.0, 2.0, -0.5, 3.0, 0.9],
        &generated,
        &hand,
        |v| weighted_tail_sum(&v[..4], v[4]),
    );
}

/// Open, closed and inclusive ranges, and a write through a mutable view.
#[differentiate]
fn ranges(x: &[f64]) -> f64 {
    let head = &x[..2];
    let tail = &x[2..];
    let middle = &x[1..=2];
    let mut v = vec![0.0; 4];
    let part = &mut v[1..3];
    part[0] = head[1] * tail[0];
    part[1] = middle[0] + middle[1];
    v[1] * v[2] + tail[tail.len() - 1]
}

#[test]
fn view_ranges_and_writes_through_views() {
    let x = [0.5, -1.5, 2.0, 3.0];
    // f = x1 x2 (x1 + x2) + x3.
    let hand = [
        0.0,
        2.0 * x[1] * x[2] + x[2] * x[2],
        x[1] * x[1] + 2.0 * x[1] * x[2],
        1.0,
    ];
    check("ranges", &x, &ranges_grad(&x), &hand, ranges);
}

/// A helper that writes a `&mut f64` result, called with the caller's own `&mut f64`.
#[differentiate]
fn add_squared_norm(x: &[f64], acc: &mut f64) {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    *acc += s;
}

#[differentiate]
fn two_norms_into(x: &[f64], y: &[f64], err: &mut f64) {
    *err = 0.0;
    add_squared_norm(x, err);
    add_squared_norm(&y[1..], err);
    *err = err.sqrt();
}

#[test]
fn helpers_writing_through_mutable_references() {
    let x = [3.0, 4.0];
    let y = [100.0, 0.0, 12.0];
    let mut err = 0.0;
    let (mut x_bar, mut y_bar) = ([0.0; 2], [0.0; 3]);
    let mut err_bar = 1.0;
    two_norms_into_adjoint(&x, &mut x_bar, &y, &mut y_bar, &mut err, &mut err_bar);
    assert_eq!(err, 13.0);
    assert_gradient_close(&x_bar, &[3.0 / 13.0, 4.0 / 13.0], 1e-12);
    assert_gradient_close(&y_bar, &[0.0, 0.0, 12.0 / 13.0], 1e-12);
    let numeric = gradient(
        |v| {
            let mut e = 0.0;
            two_norms_into(&v[..2], &v[2..], &mut e);
            e
        },
        &[3.0, 4.0, 100.0, 0.0, 12.0],
    );
    assert_gradient_close(
        &[x_bar[0], x_bar[1], y_bar[0], y_bar[1], y_bar[2]],
        &numeric,
        1e-6,
    );
}

/// A buffer changed by a helper and afterwards overwritten by the caller: the reverse sweep
/// must give the helper the contents it saw, not the later ones.
#[differentiate]
fn overwritten_after_call(x: &[f64], k: f64) -> f64 {
    let mut work = vec![1.0; x.len()];
    axpy(k, x, &mut work);
    let first = dot(&work, x);
    for i in 0..work.len() {
        work[i] = work[i] * work[i];
    }
    axpy(2.0, x, &mut work);
    first + dot(&work, &work)
}

fn overwritten_after_call_plain(x: &[f64], k: f64) -> f64 {
    let w1: Vec<f64> = x.iter().map(|v| 1.0 + k * v).collect();
    let first: f64 = w1.iter().zip(x).map(|(a, b)| a * b).sum();
    let w2: Vec<f64> = w1.iter().zip(x).map(|(a, b)| a * a + 2.0 * b).collect();
    first + w2.iter().map(|a| a * a).sum::<f64>()
}

#[test]
fn contents_are_restored_for_helpers_in_reverse() {
    let x = [0.5, -1.0, 0.25];
    let k = 0.6;
    assert!((overwritten_after_call(&x, k) - overwritten_after_call_plain(&x, k)).abs() < 1e-12);
    let mut hand = vec![0.0; 4];
    for i in 0..3 {
        let w1 = 1.0 + k * x[i];
        let w2 = w1 * w1 + 2.0 * x[i];
        // d/dxi [w1 xi + w2²] with w1' = k, w2' = 2 w1 k + 2.
        hand[i] = k * x[i] + w1 + 2.0 * w2 * (2.0 * w1 * k + 2.0);
        // d/dk: xi² + 2 w2 (2 w1 xi).
        hand[3] += x[i] * x[i] + 2.0 * w2 * 2.0 * w1 * x[i];
    }
    let (gx, gk) = overwritten_after_call_grad(&x, k);
    let mut generated = gx;
    generated.push(gk);
    check(
        "restored contents",
        &[0.5, -1.0, 0.25, 0.6],
        &generated,
        &hand,
        |v| overwritten_after_call(&v[..3], v[3]),
    );
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`, which passes views and `&mut`
/// buffers with their tangents to the callees' forward modes) and the reverse mode (`f_grad`,
/// `f_adjoint`), at random points: ⟨ȳ, J v⟩ = ⟨Jᵀ ȳ, v⟩ for random directions v and
/// cotangents ȳ. A `&mut` parameter is both: its initial value an input, its final one an
/// output.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    forward_matches_grad(
        "dot",
        &[GEN; 8],
        |x, v| dot_tangent(&x[..4], &v[..4], &x[4..], &v[4..]).1,
        |x| flat(dot_grad(&x[..4], &x[4..])),
    );
    forward_matches_adjoint(
        "axpy",
        &[GEN; 9],
        4,
        |x, v| {
            let (mut y, mut y_dot) = (x[5..].to_vec(), v[5..].to_vec());
            axpy_tangent(x[0], v[0], &x[1..5], &v[1..5], &mut y, &mut y_dot);
            y_dot
        },
        |x, y_bar| {
            let (mut x_bar, mut y, mut y_bar) = (vec![0.0; 4], x[5..].to_vec(), y_bar.to_vec());
            let alpha_bar = axpy_adjoint(x[0], &x[1..5], &mut x_bar, &mut y, &mut y_bar);
            flat((alpha_bar, x_bar, y_bar))
        },
    );
    for d in [1, 2, 3] {
        forward_matches_grad(
            &format!("row_blocks d = {d}"),
            &[GEN; 7],
            |x, v| row_blocks_tangent(&x[..6], &v[..6], d, x[6], v[6]).1,
            |x| flat(row_blocks_grad(&x[..6], d, x[6])),
        );
    }
    forward_matches_grad(
        "weighted_tail_sum",
        &[(-1.2, 1.2); 5],
        |x, v| weighted_tail_sum_tangent(&x[..4], &v[..4], x[4], v[4]).1,
        |x| flat(weighted_tail_sum_grad(&x[..4], x[4])),
    );
    let t = |x: &[f64], v: &[f64]| ranges_tangent(x, v).1;
    forward_matches_grad("ranges", &[GEN; 5], t, ranges_grad);
    forward_matches_adjoint(
        "add_squared_norm",
        &[GEN; 5],
        1,
        |x, v| {
            let (mut acc, mut acc_dot) = (x[4], v[4]);
            add_squared_norm_tangent(&x[..4], &v[..4], &mut acc, &mut acc_dot);
            vec![acc_dot]
        },
        |x, acc_bar| {
            let (mut x_bar, mut acc, mut acc_bar) = (vec![0.0; 4], x[4], acc_bar[0]);
            add_squared_norm_adjoint(&x[..4], &mut x_bar, &mut acc, &mut acc_bar);
            flat((x_bar, acc_bar))
        },
    );
    forward_matches_adjoint(
        "two_norms_into",
        &[GEN; 8],
        1,
        |x, v| {
            let (mut err, mut err_dot) = (x[7], v[7]);
            two_norms_into_tangent(&x[..3], &v[..3], &x[3..7], &v[3..7], &mut err, &mut err_dot);
            vec![err_dot]
        },
        |x, err_bar| {
            let (mut x_bar, mut y_bar) = (vec![0.0; 3], vec![0.0; 4]);
            let (mut err, mut err_bar) = (x[7], err_bar[0]);
            two_norms_into_adjoint(
                &x[..3],
                &mut x_bar,
                &x[3..7],
                &mut y_bar,
                &mut err,
                &mut err_bar,
            );
            flat((x_bar, y_bar, err_bar))
        },
    );
    forward_matches_grad(
        "overwritten_after_call",
        &[GEN; 5],
        |x, v| overwritten_after_call_tangent(&x[..4], &v[..4], x[4], v[4]).1,
        |x| flat(overwritten_after_call_grad(&x[..4], x[4])),
    );
}

/// Two views of one buffer that meet, passed to one call: their shadows are one split of the
/// buffer's shadow. f = Σᵢ<k xᵢ · Σᵢ≥k xᵢ², so ∂f/∂xⱼ = T for j < k and 2 xⱼ H for j ≥ k,
/// with H = Σᵢ<k xᵢ and T = Σᵢ≥k xᵢ².
#[differentiate]
fn head_times_tail_norm(head: &[f64], tail: &[f64]) -> f64 {
    let h: f64 = head.iter().sum();
    let t: f64 = tail.iter().map(|v| v * v).sum();
    h * t
}

#[differentiate]
fn split_product(x: &[f64], k: usize) -> f64 {
    let head = &x[..k];
    let tail = &x[k..];
    head_times_tail_norm(head, tail)
}

#[test]
fn adjacent_views_in_one_call() {
    let x = [0.5, -1.2, 2.0, 0.7, -0.3];
    for k in [1_usize, 2, 4] {
        let h: f64 = x[..k].iter().sum();
        let t: f64 = x[k..].iter().map(|v| v * v).sum();
        let hand: Vec<f64> = (0..x.len())
            .map(|j| if j < k { t } else { 2.0 * x[j] * h })
            .collect();
        common::check(
            "split_product",
            &x,
            &split_product_grad(&x, k),
            &hand,
            |p| split_product(p, k),
        );
    }
}
