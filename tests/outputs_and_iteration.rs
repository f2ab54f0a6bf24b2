//! Vector-valued results and their Jacobians; `iter_mut`, `chunks`, `windows`, `collect`,
//! `copy_from_slice`, `split_at_mut`, `std::mem::swap`; an inactive configuration struct.
//! Every derivative is checked against a hand-derived one and central finite differences.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::prelude::*;
use autodiff::testing::{assert_gradient_close, gradient};
use common::{check, flat, forward_matches_adjoint, forward_matches_grad};

/// Finite-difference Jacobian of a vector function: row i = output i.
fn numeric_jacobian(f: impl Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> Vec<Vec<f64>> {
    let m = f(x).len();
    (0..m).map(|i| gradient(|v| f(v)[i], x)).collect()
}

fn assert_matrix_close(actual: &[Vec<f64>], expected: &[Vec<f64>], tol: f64) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert_gradient_close(a, e, tol);
    }
}

#[differentiate]
fn polar(r: f64, theta: f64) -> Vec<f64> {
    vec![r * theta.cos(), r * theta.sin()]
}

#[test]
fn jacobian_of_polar_coordinates() {
    let (r, t) = (2.0_f64, 0.5_f64);
    let hand = vec![vec![t.cos(), -r * t.sin()], vec![t.sin(), r * t.cos()]];
    let jac = polar_jacobian(r, t);
    assert_matrix_close(&jac, &hand, 1e-12);
    assert_matrix_close(
        &jac,
        &numeric_jacobian(|v| polar(v[0], v[1]), &[r, t]),
        1e-6,
    );
    // The adjoint is a vector-Jacobian product: vᵀ J.
    let v = [0.3, -2.0];
    let (value, (dr, dt)) = polar_adjoint(r, t, &v);
    assert_eq!(value, polar(r, t));
    assert_gradient_close(
        &[dr, dt],
        &[
            v[0] * hand[0][0] + v[1] * hand[1][0],
            v[0] * hand[0][1] + v[1] * hand[1][1],
        ],
        1e-12,
    );
}

#[differentiate]
fn softmax(x: &[f64; 3]) -> [f64; 3] {
    let mut e = [0.0; 3];
    let mut total = 0.0;
    for i in 0..3 {
        e[i] = x[i].exp();
        total += e[i];
    }
    let mut out = [0.0; 3];
    for i in 0..3 {
        out[i] = e[i] / total;
    }
    out
}

#[test]
fn softmax_jacobian_is_diag_s_minus_s_s_transpose() {
    let x = [0.1, 0.2, 0.7];
    let s = softmax(&x);
    let hand: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            (0..3)
                .map(|j| {
                    if i == j {
                        s[i] - s[i] * s[j]
                    } else {
                        -s[i] * s[j]
                    }
                })
                .collect()
        })
        .collect();
    let jac = softmax_jacobian(&x);
    assert_matrix_close(&jac, &hand, 1e-12);
    assert_matrix_close(
        &jac,
        &numeric_jacobian(|v| softmax(&[v[0], v[1], v[2]]).to_vec(), &x),
        1e-6,
    );
}

/// `collect`, `copy_from_slice`, `split_at_mut`, `std::mem::swap`.
#[differentiate]
fn reshuffled(x: &[f64], k: f64) -> Vec<f64> {
    let v: Vec<f64> = x.iter().map(|a| a * a * k).collect();
    let mut w = vec![0.0; x.len()];
    w.copy_from_slice(&v);
    let (head, tail) = w.split_at_mut(1);
    head[0] += tail[0];
    let mut other = vec![1.0; x.len()];
    std::mem::swap(&mut w, &mut other);
    other[x.len() - 1] *= other[0];
    other
}

#[test]
fn collect_copy_split_and_swap() {
    let (x, k) = ([1.0, 2.0, 3.0], 0.5);
    // out = [k(x0² + x1²), k x1², k x2² · k(x0² + x1²)].
    let o0 = k * (x[0] * x[0] + x[1] * x[1]);
    let hand = vec![
        vec![
            2.0 * k * x[0],
            2.0 * k * x[1],
            0.0,
            x[0] * x[0] + x[1] * x[1],
        ],
        vec![0.0, 2.0 * k * x[1], 0.0, x[1] * x[1]],
        vec![
            k * x[2] * x[2] * 2.0 * k * x[0],
            k * x[2] * x[2] * 2.0 * k * x[1],
            2.0 * k * x[2] * o0,
            x[2] * x[2] * o0 + k * x[2] * x[2] * (x[0] * x[0] + x[1] * x[1]),
        ],
    ];
    let jac = reshuffled_jacobian(&x, k);
    assert_matrix_close(&jac, &hand, 1e-12);
    assert_matrix_close(
        &jac,
        &numeric_jacobian(|v| reshuffled(&v[..3], v[3]), &[1.0, 2.0, 3.0, 0.5]),
        1e-6,
    );
}

/// `iter_mut`, `chunks`, `windows`, `chunks_exact` and an enumerate over windows.
#[differentiate]
fn windows_and_chunks(x: &[f64], k: f64) -> f64 {
    let mut v = x.to_vec();
    for e in v.iter_mut() {
        *e = *e * *e * k;
    }
    for e in v.iter_mut() {
        *e += 1.0;
    }
    let mut s = 0.0;
    for row in x.chunks(2) {
        s += row[0] * row[row.len() - 1];
    }
    for (i, w) in x.windows(2).enumerate() {
        s += w[1] * w[0] * (i as f64);
    }
    for c in v.chunks_exact(2) {
        s += c[1];
    }
    s + v.iter().sum::<f64>()
}

fn windows_and_chunks_hand(x: &[f64], k: f64) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n + 1];
    // Σ (k xᵢ² + 1): 2 k xᵢ, and Σ xᵢ² for k.
    for i in 0..n {
        g[i] += 2.0 * k * x[i];
        g[n] += x[i] * x[i];
    }
    // chunks of 2: x[2c] x[min(2c+1, n-1)].
    for c in 0..n.div_ceil(2) {
        let (a, b) = (2 * c, (2 * c + 1).min(n - 1));
        g[a] += x[b];
        g[b] += x[a];
    }
    // windows: i x[i] x[i+1].
    for i in 0..n - 1 {
        g[i] += i as f64 * x[i + 1];
        g[i + 1] += i as f64 * x[i];
    }
    // exact chunks of v: v[2c+1] = k x² + 1.
    for c in 0..n / 2 {
        g[2 * c + 1] += 2.0 * k * x[2 * c + 1];
        g[n] += x[2 * c + 1] * x[2 * c + 1];
    }
    g
}

#[test]
fn iter_mut_chunks_and_windows() {
    for x in [vec![0.5, -1.0, 2.0, 0.3, 1.5], vec![1.0, 2.0, -3.0, 0.25]] {
        let k = 0.7;
        let (gx, gk) = windows_and_chunks_grad(&x, k);
        let mut generated = gx;
        generated.push(gk);
        let mut at = x.clone();
        at.push(k);
        let n = x.len();
        check(
            "windows",
            &at,
            &generated,
            &windows_and_chunks_hand(&x, k),
            |v| windows_and_chunks(&v[..n], v[n]),
        );
    }
}

/// A write through overlapping views across loop iterations: each element is read after
/// the previous iteration wrote it.
#[differentiate]
fn running_blend(x: &[f64], a: f64) -> f64 {
    let mut v = x.to_vec();
    for i in 0..v.len() - 1 {
        let pair = &mut v[i..i + 2];
        pair[1] = pair[1] * a + pair[0] * (1.0 - a);
    }
    v[v.len() - 1]
}

#[test]
fn overlapping_views_across_iterations() {
    let x = [1.0, -2.0, 0.5, 3.0];
    let a = 0.3;
    // v_last = Σ_i x_i w_i with w_0 = (1-a)^(n-1), w_i = a (1-a)^(n-1-i) for i ≥ 1.
    let n = x.len();
    let mut hand: Vec<f64> = (0..n)
        .map(|i| {
            let tail = (1.0_f64 - a).powi((n - 1 - i) as i32);
            if i == 0 {
                tail
            } else {
                a * tail
            }
        })
        .collect();
    // d/da by finite differences of the closed form would repeat the function; use the
    // recurrence derivative instead: dv_i = dv_{i-1} (1-a) + x_i - v_{i-1}, dv_0 = 0.
    let (mut v, mut dv) = (x[0], 0.0);
    for xi in &x[1..] {
        let next = xi * a + v * (1.0 - a);
        dv = dv * (1.0 - a) + xi - v;
        v = next;
    }
    hand.push(dv);
    let (gx, ga) = running_blend_grad(&x, a);
    let mut generated = gx;
    generated.push(ga);
    check(
        "running blend",
        &[1.0, -2.0, 0.5, 3.0, 0.3],
        &generated,
        &hand,
        |v| running_blend(&v[..4], v[4]),
    );
}

/// An inactive configuration struct: its fields are constants to the derivative.
pub struct Config {
    pub scale: f64,
    pub order: usize,
}

#[differentiate]
fn configured(x: &[f64], cfg: &Config) -> f64 {
    let mut s = 0.0;
    for i in 0..cfg.order.min(x.len()) {
        s += cfg.scale * x[i].powi(2);
    }
    s
}

#[test]
fn inactive_struct_fields_are_constants() {
    let cfg = Config {
        scale: 1.5,
        order: 2,
    };
    let x = [2.0, -1.0, 4.0];
    check(
        "configured",
        &x,
        &configured_grad(&x, &cfg),
        &[6.0, -3.0, 0.0],
        |v| configured(v, &cfg),
    );
}

/// Iterating views directly, `fold` with a function path, and zipped chunks.
#[differentiate]
fn views_folds_and_zipped_chunks(a: &[f64], b: &[f64], d: usize) -> f64 {
    let mut s = a[1..].iter().sum::<f64>() + b[..d].iter().map(|v| v * v).sum::<f64>();
    s += a.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for (u, w) in a.chunks(d).zip(b.chunks(d)) {
        s += u[0] * w[w.len() - 1];
    }
    s
}

#[test]
fn iterating_views_folding_with_functions_and_zipping_chunks() {
    let a = [0.5, -1.0, 2.0, 0.3];
    let b = [1.5, 0.2, -0.7, 0.9];
    // s = a1 + a2 + a3 + b0² + b1² + max(a) + a0 b1 + a2 b3; max(a) = a2.
    let hand = [
        b[1],
        1.0,
        1.0 + 1.0 + b[3],
        1.0,
        2.0 * b[0],
        2.0 * b[1] + a[0],
        0.0,
        a[2],
    ];
    let (ga, gb) = views_folds_and_zipped_chunks_grad(&a, &b, 2);
    let mut generated = ga;
    generated.extend(gb);
    let at = [a, b].concat();
    check("views, folds, zipped chunks", &at, &generated, &hand, |v| {
        views_folds_and_zipped_chunks(&v[..4], &v[4..], 2)
    });
}

/// A vector result beside an inactive `&mut` counter: `f_jacobian` runs the function once
/// per row (and once for the size), reborrowing the counter each time.
#[differentiate]
fn counted_scaling(x: &[f64], calls: &mut usize) -> Vec<f64> {
    *calls += 1;
    x.iter().map(|v| 3.0 * v).collect()
}

#[test]
fn jacobian_with_an_inactive_mut_parameter() {
    let mut calls = 0;
    let jac = counted_scaling_jacobian(&[1.0, 2.0], &mut calls);
    assert_eq!(jac, vec![vec![3.0, 0.0], vec![0.0, 3.0]]);
    assert_eq!(calls, 3); // the size, then one run per row
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`,
/// `f_adjoint`), at random points: ⟨ȳ, J v⟩ = ⟨Jᵀ ȳ, v⟩ for random directions v and
/// cotangents ȳ (for a float result, the derivative along v is the gradient dotted with v).
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    forward_matches_adjoint(
        "polar",
        &[GEN, GEN],
        2,
        |x, v| polar_tangent(x[0], v[0], x[1], v[1]).1,
        |x, y_bar| flat(polar_adjoint(x[0], x[1], y_bar).1),
    );
    let arr = |x: &[f64]| [x[0], x[1], x[2]];
    forward_matches_adjoint(
        "softmax",
        &[GEN; 3],
        3,
        |x, v| softmax_tangent(&arr(x), &arr(v)).1.to_vec(),
        |x, y_bar| {
            let mut x_bar = [0.0; 3];
            let _ = softmax_adjoint(&arr(x), &mut x_bar, &arr(y_bar));
            x_bar.to_vec()
        },
    );
    forward_matches_adjoint(
        "reshuffled",
        &[GEN; 5],
        4,
        |x, v| reshuffled_tangent(&x[..4], &v[..4], x[4], v[4]).1,
        |x, y_bar| {
            let mut x_bar = vec![0.0; 4];
            let (_, k_bar) = reshuffled_adjoint(&x[..4], &mut x_bar, x[4], y_bar);
            flat((x_bar, k_bar))
        },
    );
    for n in [4, 5] {
        forward_matches_grad(
            &format!("windows_and_chunks n = {n}"),
            &vec![GEN; n + 1],
            |x, v| windows_and_chunks_tangent(&x[..n], &v[..n], x[n], v[n]).1,
            |x| flat(windows_and_chunks_grad(&x[..n], x[n])),
        );
    }
    forward_matches_grad(
        "running_blend",
        &[GEN; 5],
        |x, v| running_blend_tangent(&x[..4], &v[..4], x[4], v[4]).1,
        |x| flat(running_blend_grad(&x[..4], x[4])),
    );
    for order in [0, 2, 6] {
        let cfg = Config { scale: 1.5, order };
        let t = |x: &[f64], v: &[f64]| configured_tangent(x, v, &cfg).1;
        let g = |x: &[f64]| configured_grad(x, &cfg);
        forward_matches_grad(&format!("configured order = {order}"), &[GEN; 4], t, g);
    }
    // `.fold(f64::NEG_INFINITY, f64::max)` once saw its updated running maximum as a tie in
    // forward mode.
    forward_matches_grad(
        "views_folds_and_zipped_chunks",
        &[GEN; 8],
        |x, v| views_folds_and_zipped_chunks_tangent(&x[..4], &v[..4], &x[4..], &v[4..], 2).1,
        |x| {
            let (ga, gb) = views_folds_and_zipped_chunks_grad(&x[..4], &x[4..], 2);
            ga.into_iter().chain(gb).collect()
        },
    );
    forward_matches_adjoint(
        "counted_scaling",
        &[GEN; 4],
        4,
        |x, v| counted_scaling_tangent(x, v, &mut 0).1,
        |x, y_bar| {
            let mut x_bar = vec![0.0; 4];
            let _ = counted_scaling_adjoint(x, &mut x_bar, &mut 0, y_bar);
            x_bar
        },
    );
}
