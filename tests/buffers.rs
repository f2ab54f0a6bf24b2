//! Buffers made and written in the body, and `&mut` parameters (in-out, as Enzyme's
//! `Duplicated`): each checked against hand-derived adjoints and central finite differences.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::prelude::*;
use autodiff::testing::gradient;
use common::{check, flat, forward_matches_adjoint, forward_matches_grad};

/// A work buffer written element by element, then read back: `Σ (k xᵢ + 1)²`.
#[differentiate]
fn through_work_buffer(x: &[f64], k: f64) -> f64 {
    let mut tmp = vec![0.0; x.len()];
    for i in 0..x.len() {
        tmp[i] = x[i] * k;
    }
    let mut s = 0.0;
    for i in 0..tmp.len() {
        tmp[i] += 1.0;
        s += tmp[i] * tmp[i];
    }
    s
}

#[test]
fn work_buffer_written_then_read() {
    let x = [0.5, -1.0, 2.0];
    let k = 0.7;
    let (gx, gk) = through_work_buffer_grad(&x, k);
    let hand_x: Vec<f64> = x.iter().map(|v| 2.0 * (k * v + 1.0) * k).collect();
    let hand_k: f64 = x.iter().map(|v| 2.0 * (k * v + 1.0) * v).sum();
    let mut generated = gx;
    generated.push(gk);
    let mut hand = hand_x;
    hand.push(hand_k);
    check(
        "work buffer",
        &[0.5, -1.0, 2.0, 0.7],
        &generated,
        &hand,
        |v| through_work_buffer(&v[..3], v[3]),
    );
}

/// An element overwritten several times: only the last value reaches the output, and the
/// adjoints of the earlier ones must not leak.
#[differentiate]
fn overwritten_elements(x: &[f64]) -> f64 {
    let mut v = [0.0; 2];
    v[0] = x[0] * x[0];
    v[1] = v[0] + x[1];
    v[0] = x[1] * 3.0; // the first value of v[0] now reaches the output only through v[1]
    v[0] * v[1]
}

#[test]
fn overwritten_elements_pass_on_only_what_reached_the_output() {
    let x = [1.5, -0.5];
    // f = 3 x1 (x0² + x1): ∂/∂x0 = 6 x0 x1, ∂/∂x1 = 3 x0² + 6 x1.
    let hand = [6.0 * x[0] * x[1], 3.0 * x[0] * x[0] + 6.0 * x[1]];
    check(
        "overwrites",
        &x,
        &overwritten_elements_grad(&x),
        &hand,
        overwritten_elements,
    );
}

/// Literal buffers of active values, growth by `push`, and copies.
#[differentiate]
fn literals_pushes_and_copies(x: &[f64], k: f64) -> f64 {
    let pair = [x[0], k];
    let listed = vec![x[1], 2.0 * k, 1.0];
    let mut grown = Vec::with_capacity(x.len());
    for i in 0..x.len() {
        grown.push(x[i] * pair[1]);
    }
    let copy = grown.to_vec();
    let cloned = listed.clone();
    pair[0] * copy[0] + cloned[0] * cloned[1] + copy[x.len() - 1]
}

#[test]
fn literal_buffers_pushes_and_copies() {
    let x = [0.5, -1.0, 2.0];
    let k = 0.7;
    // f = x0 (x0 k) + x1 (2k) + x2 k.
    let hand = [2.0 * x[0] * k, 2.0 * k, k, x[0] * x[0] + 2.0 * x[1] + x[2]];
    let (gx, gk) = literals_pushes_and_copies_grad(&x, k);
    let mut generated = gx;
    generated.push(gk);
    check("literals", &[0.5, -1.0, 2.0, 0.7], &generated, &hand, |v| {
        literals_pushes_and_copies(&v[..3], v[3])
    });
}

/// An output buffer: `out[i] = k xᵢ²`. Its adjoint is a vector-Jacobian product.
#[differentiate]
fn squares_into(x: &[f64], k: f64, out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] = k * x[i] * x[i];
    }
}

#[test]
fn output_buffer_adjoint_is_a_vector_jacobian_product() {
    let x = [0.5, -1.0, 2.0];
    let k = 2.0;
    let v = [1.0, 0.5, -2.0]; // the cotangent of `out`
    let mut out = [0.0; 3];
    let mut x_bar = [0.0; 3];
    let mut out_bar = v;
    let k_bar = squares_into_adjoint(&x, &mut x_bar, k, &mut out, &mut out_bar);
    assert_eq!(out, [0.5, 2.0, 8.0]);
    // vᵀ J: ∂outᵢ/∂xᵢ = 2 k xᵢ, ∂outᵢ/∂k = xᵢ².
    let hand_x: Vec<f64> = (0..3).map(|i| v[i] * 2.0 * k * x[i]).collect();
    let hand_k: f64 = (0..3).map(|i| v[i] * x[i] * x[i]).sum();
    common::assert_close("k", k_bar, hand_k, 1e-12);
    for i in 0..3 {
        common::assert_close("x", x_bar[i], hand_x[i], 1e-12);
    }
    // The output's old contents do not reach the new ones: their adjoint is zero.
    assert_eq!(out_bar, [0.0; 3]);
    // Finite differences of the scalar vᵀ out.
    let numeric = gradient(
        |p| {
            let mut o = [0.0; 3];
            squares_into(&p[..3], p[3], &mut o);
            (0..3).map(|i| v[i] * o[i]).sum()
        },
        &[0.5, -1.0, 2.0, 2.0],
    );
    autodiff::testing::assert_gradient_close(
        &[x_bar[0], x_bar[1], x_bar[2], k_bar],
        &numeric,
        1e-6,
    );
}

/// The common `err: &mut f64` style.
#[differentiate]
fn squared_error_into(x: &[f64], target: f64, err: &mut f64) {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].sin();
    }
    *err = (s - target) * (s - target);
}

#[test]
fn error_written_through_a_mutable_reference() {
    let x = [0.3, -1.1, 2.2];
    let target = 0.5;
    let mut err = 0.0;
    let mut err_bar = 1.0;
    let mut x_bar = [0.0; 3];
    let target_bar = squared_error_into_adjoint(&x, &mut x_bar, target, &mut err, &mut err_bar);
    let s: f64 = x.iter().map(|v| v.sin()).sum();
    assert!((err - (s - target).powi(2)).abs() < 1e-12);
    let hand: Vec<f64> = x.iter().map(|v| 2.0 * (s - target) * v.cos()).collect();
    let numeric = gradient(
        |p| {
            let mut e = 0.0;
            squared_error_into(p, target, &mut e);
            e
        },
        &x,
    );
    autodiff::testing::assert_gradient_close(&x_bar, &hand, 1e-12);
    autodiff::testing::assert_gradient_close(&x_bar, &numeric, 1e-6);
    common::assert_close("target", target_bar, -2.0 * (s - target), 1e-12);
}

/// In-out: `x` is read and written in place. Its shadow brings the output's cotangent in and
/// carries the input's adjoint out.
#[differentiate]
fn scale_in_place(x: &mut [f64], k: f64) {
    for i in 0..x.len() {
        x[i] = x[i] * k + x[i] * x[i];
    }
}

#[test]
fn in_out_buffer_shadow_carries_the_cotangent_in_and_the_adjoint_out() {
    let x0 = [0.5, -2.0, 1.5];
    let k = 3.0;
    let v = [1.0, -1.0, 0.25];
    let mut x = x0;
    let mut x_bar = v;
    let k_bar = scale_in_place_adjoint(&mut x, &mut x_bar, k);
    for i in 0..3 {
        assert_eq!(x[i], x0[i] * k + x0[i] * x0[i]);
        common::assert_close("x", x_bar[i], v[i] * (k + 2.0 * x0[i]), 1e-12);
    }
    let hand_k: f64 = (0..3).map(|i| v[i] * x0[i]).sum();
    common::assert_close("k", k_bar, hand_k, 1e-12);
}

/// `f_grad` of a function with a scalar result and an in-out buffer: the gradient of the
/// result with respect to the buffer's input values.
#[differentiate]
fn normalize_and_measure(x: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    let norm = s.sqrt();
    for i in 0..x.len() {
        x[i] /= norm;
    }
    norm
}

#[test]
fn gradient_of_a_result_alongside_an_in_out_buffer() {
    let x = [3.0, 4.0];
    let mut work = x;
    let g = normalize_and_measure_grad(&mut work);
    assert_eq!(work, [0.6, 0.8]);
    check("norm", &x, &g, &[0.6, 0.8], |v| {
        let mut w = v.to_vec();
        normalize_and_measure(&mut w)
    });
}

/// Writes into an integer buffer and a counter carry no derivative and need none.
#[differentiate]
fn integer_bookkeeping(x: &[f64], count: &mut usize) -> f64 {
    let mut order = vec![0usize; x.len()];
    let mut s = 0.0;
    for i in 0..x.len() {
        order[i] = x.len() - 1 - i;
        *count += 1;
    }
    for i in 0..x.len() {
        s += x[order[i]] * (i as f64 + 1.0);
    }
    s
}

#[test]
fn integer_buffers_and_counters_are_inactive() {
    let x = [2.0, 3.0, 5.0];
    let mut count = 0;
    let g = integer_bookkeeping_grad(&x, &mut count);
    assert_eq!(count, 3);
    // s = 3 x0 + 2 x1 + x2.
    check("bookkeeping", &x, &g, &[3.0, 2.0, 1.0], |v| {
        integer_bookkeeping(v, &mut 0)
    });
}

/// A work buffer reset with `fill` on every round, once to a constant and once to an input:
/// `Σ_rounds Σᵢ (xᵢ + r·b)²` with the buffer refilled each round.
#[differentiate]
fn refilled_buffer(x: &[f64], b: f64) -> f64 {
    let mut work = vec![0.0; x.len()];
    let mut total = 0.0;
    for round in 0..3 {
        work.fill(0.0);
        for i in 0..x.len() {
            work[i] += x[i];
        }
        work[1..].fill(b * round as f64);
        for i in 0..x.len() {
            total += work[i] * work[i];
        }
    }
    total
}

#[test]
fn fill_resets_a_buffer_and_passes_on_the_filled_value() {
    let (x, b) = ([0.5, -1.0, 2.0], 0.3);
    let (gx, gb) = refilled_buffer_grad(&x, b);
    // Each round: work = [x₀, r b, r b]; f = Σ_r (x₀² + 2 (r b)²).
    let hand_x = [2.0 * 3.0 * x[0], 0.0, 0.0];
    let hand_b: f64 = (0..3).map(|r| 4.0 * (r * r) as f64 * b).sum();
    let mut generated = gx;
    generated.push(gb);
    let mut hand = hand_x.to_vec();
    hand.push(hand_b);
    check("fill", &[0.5, -1.0, 2.0, 0.3], &generated, &hand, |v| {
        refilled_buffer(&v[..3], v[3])
    });
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`,
/// `f_adjoint`), at random points: ⟨ȳ, J v⟩ = ⟨Jᵀ ȳ, v⟩ for random directions v and
/// cotangents ȳ. A `&mut` buffer is both: its initial values are inputs, its final ones outputs.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    forward_matches_grad(
        "through_work_buffer",
        &[GEN; 5],
        |x, v| through_work_buffer_tangent(&x[..4], &v[..4], x[4], v[4]).1,
        |x| flat(through_work_buffer_grad(&x[..4], x[4])),
    );
    let t = |x: &[f64], v: &[f64]| overwritten_elements_tangent(x, v).1;
    forward_matches_grad(
        "overwritten_elements",
        &[GEN; 2],
        t,
        overwritten_elements_grad,
    );
    forward_matches_grad(
        "literals_pushes_and_copies",
        &[GEN; 5],
        |x, v| literals_pushes_and_copies_tangent(&x[..4], &v[..4], x[4], v[4]).1,
        |x| flat(literals_pushes_and_copies_grad(&x[..4], x[4])),
    );
    forward_matches_adjoint(
        "squares_into",
        &[GEN; 9],
        4,
        |x, v| {
            let (mut out, mut out_dot) = (x[5..].to_vec(), v[5..].to_vec());
            squares_into_tangent(&x[..4], &v[..4], x[4], v[4], &mut out, &mut out_dot);
            out_dot
        },
        |x, out_bar| {
            let (mut x_bar, mut out, mut out_bar) =
                (vec![0.0; 4], x[5..].to_vec(), out_bar.to_vec());
            let k_bar = squares_into_adjoint(&x[..4], &mut x_bar, x[4], &mut out, &mut out_bar);
            flat((x_bar, k_bar, out_bar))
        },
    );
    forward_matches_adjoint(
        "squared_error_into",
        &[GEN; 6],
        1,
        |x, v| {
            let (mut err, mut err_dot) = (x[5], v[5]);
            squared_error_into_tangent(&x[..4], &v[..4], x[4], v[4], &mut err, &mut err_dot);
            vec![err_dot]
        },
        |x, err_bar| {
            let (mut x_bar, mut err, mut err_bar) = (vec![0.0; 4], x[5], err_bar[0]);
            let target_bar =
                squared_error_into_adjoint(&x[..4], &mut x_bar, x[4], &mut err, &mut err_bar);
            flat((x_bar, target_bar, err_bar))
        },
    );
    forward_matches_adjoint(
        "scale_in_place",
        &[GEN; 5],
        4,
        |x, v| {
            let (mut y, mut y_dot) = (x[..4].to_vec(), v[..4].to_vec());
            scale_in_place_tangent(&mut y, &mut y_dot, x[4], v[4]);
            y_dot
        },
        |x, y_bar| {
            let (mut y, mut y_bar) = (x[..4].to_vec(), y_bar.to_vec());
            let k_bar = scale_in_place_adjoint(&mut y, &mut y_bar, x[4]);
            flat((y_bar, k_bar))
        },
    );
    // Outputs: the norm, then the normalized vector.
    forward_matches_adjoint(
        "normalize_and_measure",
        &[GEN; 4],
        5,
        |x, v| {
            let (mut y, mut y_dot) = (x.to_vec(), v.to_vec());
            let (_, norm_dot) = normalize_and_measure_tangent(&mut y, &mut y_dot);
            flat((norm_dot, y_dot))
        },
        |x, y_bar| {
            let (mut y, mut x_bar) = (x.to_vec(), y_bar[1..].to_vec());
            normalize_and_measure_adjoint(&mut y, &mut x_bar, y_bar[0]);
            x_bar
        },
    );
    forward_matches_grad(
        "integer_bookkeeping",
        &[GEN; 4],
        |x, v| integer_bookkeeping_tangent(x, v, &mut 0).1,
        |x| integer_bookkeeping_grad(x, &mut 0),
    );
    forward_matches_grad(
        "refilled_buffer",
        &[GEN; 5],
        |x, v| refilled_buffer_tangent(&x[..4], &v[..4], x[4], v[4]).1,
        |x| flat(refilled_buffer_grad(&x[..4], x[4])),
    );
}
