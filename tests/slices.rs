//! Float slices, `Vec`s and arrays as active parameters: indexing, iteration and reductions.
//! Each gradient is checked against a hand-derived formula and central finite differences.

// Index loops and `&Vec` parameters are the forms under test here.
#![allow(clippy::needless_range_loop, clippy::ptr_arg)]
mod common;

use autodiff::prelude::*;
use common::{check, flat, forward_matches_grad};

/// The seeds' running example on a vector: y = 2 xᵀx, ∇y = 4x.
#[differentiate]
fn two_x_dot_x(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    2.0 * s
}

#[test]
fn seeds_two_x_dot_x_is_four_x() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let hand: Vec<f64> = x.iter().map(|v| 4.0 * v).collect();
    check("2xᵀx", &x, &two_x_dot_x_grad(&x), &hand, two_x_dot_x);
}

#[differentiate]
fn sum_of(x: &[f64]) -> f64 {
    x.iter().sum::<f64>()
}

#[differentiate]
fn sum_of_squares(x: &Vec<f64>) -> f64 {
    x.iter().map(|v| v * v).sum()
}

#[test]
fn seeds_sum_is_ones_and_sum_of_squares_is_two_x() {
    let x = vec![0.0, 1.0, 2.0, 3.0];
    check("sum(x)", &x, &sum_of_grad(&x), &[1.0; 4], sum_of);
    let hand: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
    check("sum(x*x)", &x, &sum_of_squares_grad(&x), &hand, |v| {
        sum_of_squares(&v.to_vec())
    });
}

#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

fn rosenbrock_hand(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut g = vec![0.0; n];
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * a * x[i] - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * a;
    }
    g
}

#[test]
fn rosenbrock_over_a_slice() {
    for x in [
        vec![0.5, -1.2],
        vec![-1.0, 2.0, 0.3, 0.9, 1.1],
        (0..20).map(|i| (i as f64 * 0.37).sin()).collect(),
    ] {
        check(
            "rosenbrock",
            &x,
            &rosenbrock_grad(&x),
            &rosenbrock_hand(&x),
            rosenbrock,
        );
    }
}

#[differentiate]
fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y.iter()).map(|(a, b)| a * b).sum::<f64>()
}

#[test]
fn dot_product_gradients_are_the_other_vector() {
    let x = [0.5, -1.5, 2.0];
    let y = [3.0, 0.25, -1.0];
    let (gx, gy) = dot_grad(&x, &y);
    check("dot wrt x", &x, &gx, &y, |v| dot(v, &y));
    check("dot wrt y", &y, &gy, &x, |v| dot(&x, v));
}

/// Every form of iteration and reduction over an array passed by value.
#[differentiate]
fn iterations(x: [f64; 3], scale: f64) -> f64 {
    let mut s = 0.0;
    for &v in x.iter() {
        s += v * v;
    }
    for (i, v) in x.iter().enumerate() {
        s += *v * (i as f64) * scale;
    }
    for v in &x {
        s += v.exp();
    }
    let folded = x.iter().fold(0.0, |acc, v| acc + v.sin());
    let product = (0..3).map(|i| x[i] + 2.0).product::<f64>();
    let copied: f64 = x.iter().copied().map(|v| v * scale).sum();
    s + folded + product + copied
}

#[test]
fn iteration_forms_over_an_array() {
    let (x, scale) = ([0.5, -1.2, 2.0], 0.7);
    let p: Vec<f64> = x.iter().map(|v| v + 2.0).collect();
    let hand_x: Vec<f64> = (0..3)
        .map(|i| {
            let others: f64 = (0..3).filter(|&j| j != i).map(|j| p[j]).product();
            2.0 * x[i] + i as f64 * scale + x[i].exp() + x[i].cos() + others + scale
        })
        .collect();
    let hand_scale: f64 = (0..3).map(|i| x[i] * i as f64).sum::<f64>() + x.iter().sum::<f64>();
    let (gx, gs) = iterations_grad(x, scale);
    let mut at = x.to_vec();
    at.push(scale);
    let mut generated = gx.to_vec();
    generated.push(gs);
    let mut hand = hand_x;
    hand.push(hand_scale);
    check("iterations", &at, &generated, &hand, |v| {
        iterations([v[0], v[1], v[2]], v[3])
    });
}

#[differentiate]
fn weighted_norm(x: &[f64; 4], weights: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += stop_gradient(weights[i]) * x[i] * x[i];
    }
    s.sqrt()
}

#[test]
fn array_reference_and_integer_parameters() {
    let x = [1.0, -2.0, 0.5, 3.0];
    let weights = [1.0, 0.5, 2.0, 0.25];
    let (gx, gw) = weighted_norm_grad(&x, &weights, 4);
    let norm = weighted_norm(&x, &weights, 4);
    let hand: Vec<f64> = (0..4).map(|i| weights[i] * x[i] / norm).collect();
    check("weighted norm", &x, &gx, &hand, |v| {
        weighted_norm(&[v[0], v[1], v[2], v[3]], &weights, 4)
    });
    // stop_gradient on the weights: their gradient is exactly zero.
    assert_eq!(gw, vec![0.0; 4]);
}

#[differentiate]
fn owned_vec(x: Vec<f64>, k: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += (k * x[i]).sin();
    }
    s
}

#[test]
fn vec_by_value() {
    let x = vec![0.1, 0.2, -0.7];
    let k = 1.3;
    let (gx, gk) = owned_vec_grad(x.clone(), k);
    let hand_x: Vec<f64> = x.iter().map(|v| k * (k * v).cos()).collect();
    let hand_k: f64 = x.iter().map(|v| v * (k * v).cos()).sum();
    let mut at = x.clone();
    at.push(k);
    let mut generated = gx;
    generated.push(gk);
    let mut hand = hand_x;
    hand.push(hand_k);
    check("owned vec", &at, &generated, &hand, |v| {
        owned_vec(v[..3].to_vec(), v[3])
    });
}

/// The adjoint accumulates into the caller's shadow, as PyTorch accumulates into `.grad`:
/// two backward passes without zeroing give twice the gradient (the seeds' `[0, 8, 16, 24]`).
#[test]
fn adjoint_accumulates_into_the_shadow_until_it_is_zeroed() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let mut x_grad = [0.0; 4];
    let (value, ()) = two_x_dot_x_adjoint(&x, &mut x_grad, 1.0);
    assert_eq!(value, 28.0);
    assert_eq!(x_grad, [0.0, 4.0, 8.0, 12.0]);
    two_x_dot_x_adjoint(&x, &mut x_grad, 1.0);
    assert_eq!(x_grad, [0.0, 8.0, 16.0, 24.0]);
    x_grad = [0.0; 4]; // x.grad.zero_()
    sum_of_adjoint(&x, &mut x_grad, 1.0);
    assert_eq!(x_grad, [1.0; 4]);
    // d_out scales the adjoint: a vector-Jacobian product with a scalar output.
    x_grad = [0.0; 4];
    two_x_dot_x_adjoint(&x, &mut x_grad, 0.5);
    assert_eq!(x_grad, [0.0, 2.0, 4.0, 6.0]);
}

#[differentiate(wrt(y))]
fn only_wrt_y(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * y[i] * y[i];
    }
    s
}

#[test]
fn wrt_restricts_the_shadows_and_gradients() {
    let x = [1.0, 2.0];
    let y = [3.0, -1.0];
    let gy = only_wrt_y_grad(&x, &y);
    check("wrt(y)", &y, &gy, &[6.0, -4.0], |v| only_wrt_y(&x, v));
    let mut y_bar = [0.0; 2];
    let (value, ()) = only_wrt_y_adjoint(&x, &y, &mut y_bar, 1.0);
    assert_eq!(value, 11.0);
    assert_eq!(y_bar, [6.0, -4.0]);
}

/// The seeds' detach example: u = stop_gradient(x * x) elementwise, z = u * x; the
/// gradient of sum(z) is u, and the gradient of sum(x * x) is still 2x afterwards.
#[differentiate]
fn detached_product(x: &[f64]) -> f64 {
    let mut z = 0.0;
    for i in 0..x.len() {
        let u = stop_gradient(x[i] * x[i]);
        z += u * x[i];
    }
    z
}

#[test]
fn seeds_detach_blocks_the_gradient_through_u() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let u: Vec<f64> = x.iter().map(|v| v * v).collect();
    check("sum(u x)", &x, &detached_product_grad(&x), &u, |v| {
        // Finite differences see u as a function of x: compare with the detached formula
        // by differentiating Σ uᵢ xᵢ with u held at its value.
        v.iter().zip(&u).map(|(a, b)| a * b).sum()
    });
    let two_x: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
    check(
        "sum(x*x) afterwards",
        &x,
        &sum_of_squares_grad(&x.to_vec()),
        &two_x,
        |v| sum_of_squares(&v.to_vec()),
    );
}

/// An integer index array is inactive: it picks which elements are read.
#[differentiate]
fn gather(x: &[f64], picks: &[usize]) -> f64 {
    let mut s = 0.0;
    for (k, &i) in picks.iter().enumerate() {
        s += x[i] * (k as f64 + 1.0);
    }
    s
}

#[test]
fn integer_index_arrays_are_inactive() {
    let x = [10.0, 20.0, 30.0];
    let picks = [2, 0, 2];
    // s = 1 x2 + 2 x0 + 3 x2.
    check(
        "gather",
        &x,
        &gather_grad(&x, &picks),
        &[2.0, 0.0, 4.0],
        |v| gather(v, &picks),
    );
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`, a tangent buffer after each
/// buffer) and the reverse mode (`f_grad`), at random points: the derivative along a random
/// direction is the gradient dotted with it.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    let t = |x: &[f64], v: &[f64]| two_x_dot_x_tangent(x, v).1;
    forward_matches_grad("two_x_dot_x", &[GEN; 5], t, two_x_dot_x_grad);
    let t = |x: &[f64], v: &[f64]| sum_of_tangent(x, v).1;
    forward_matches_grad("sum_of", &[GEN; 5], t, sum_of_grad);
    forward_matches_grad(
        "sum_of_squares",
        &[GEN; 5],
        |x, v| sum_of_squares_tangent(&x.to_vec(), v).1,
        |x| sum_of_squares_grad(&x.to_vec()),
    );
    let t = |x: &[f64], v: &[f64]| rosenbrock_tangent(x, v).1;
    forward_matches_grad("rosenbrock", &[GEN; 5], t, rosenbrock_grad);
    forward_matches_grad(
        "dot",
        &[GEN; 8],
        |x, v| dot_tangent(&x[..4], &v[..4], &x[4..], &v[4..]).1,
        |x| flat(dot_grad(&x[..4], &x[4..])),
    );
    // `.product()` once updated its running product before its tangent in forward mode.
    forward_matches_grad(
        "iterations",
        &[GEN; 4],
        |x, v| iterations_tangent([x[0], x[1], x[2]], &[v[0], v[1], v[2]], x[3], v[3]).1,
        |x| {
            let (gx, gs) = iterations_grad([x[0], x[1], x[2]], x[3]);
            vec![gx[0], gx[1], gx[2], gs]
        },
    );
    // n ≥ 1: at n = 0 the result is sqrt(0), whose derivative is infinite.
    for n in [1, 2, 4] {
        let arr = |x: &[f64]| [x[0], x[1], x[2], x[3]];
        forward_matches_grad(
            &format!("weighted_norm n = {n}"),
            &common::domain(&[&[GEN; 4], &[(0.1, 2.0); 4]]),
            |x, v| weighted_norm_tangent(&arr(x), &arr(v), &x[4..], &v[4..], n).1,
            |x| flat(weighted_norm_grad(&arr(x), &x[4..], n)),
        );
    }
    forward_matches_grad(
        "owned_vec",
        &[GEN; 5],
        |x, v| owned_vec_tangent(x[..4].to_vec(), &v[..4], x[4], v[4]).1,
        |x| flat(owned_vec_grad(x[..4].to_vec(), x[4])),
    );
    // Only y is in `wrt`: x is held fixed.
    let x = [0.5, -1.0, 2.0, 0.3];
    let t = |y: &[f64], v: &[f64]| only_wrt_y_tangent(&x, y, v).1;
    forward_matches_grad("only_wrt_y", &[GEN; 4], t, |y| only_wrt_y_grad(&x, y));
    let t = |x: &[f64], v: &[f64]| detached_product_tangent(x, v).1;
    forward_matches_grad("detached_product", &[GEN; 5], t, detached_product_grad);
    let picks = [3, 0, 3, 1];
    let t = |x: &[f64], v: &[f64]| gather_tangent(x, v, &picks).1;
    forward_matches_grad("gather", &[GEN; 5], t, |x| gather_grad(x, &picks));
}
