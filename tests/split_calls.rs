//! Calls whose reverse is split (`split.rs`): a caller's forward sweep runs `g_record`, which
//! records `g`'s forward sweep and hands back a closure that the caller's reverse sweep runs
//! with the same arguments. These tests check the gradients against formulas and central
//! differences for callees that record (a loop tape, an early return, a result without a
//! cotangent, recursion, a buffer overwritten in place or read back, a view) and for
//! callees whose `_record` falls back to `g_pullback` (a fused sum, a `Vec` result).

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::differentiate;
use common::check;

/// `out_i = exp(q_i) v_i`: its reverse needs the `exp`s, which the loop records.
#[differentiate]
fn scaled(q: &[f64], v: &[f64], out: &mut [f64]) {
    for i in 0..q.len() {
        out[i] = q[i].exp() * v[i];
    }
}

/// A fused sum, whose reverse runs in its forward sweep from the cotangent: its `_record`
/// falls back to the pullback.
#[differentiate]
fn sqnorm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum()
}

/// `Σ_r Σ_i (exp(q_i) x_ri)²`, through one buffer that every row overwrites.
#[differentiate]
fn rows_energy(q: &[f64], x: &[f64]) -> f64 {
    let d = q.len();
    let mut out = vec![0.0; d];
    let mut total = 0.0;
    for r in 0..x.len() / d {
        scaled(q, &x[r * d..(r + 1) * d], &mut out);
        total += 0.5 * sqnorm(&out);
    }
    total * 2.0
}

#[test]
fn a_callee_in_a_loop_keeps_its_tape_until_the_reverse() {
    let q = [0.3, -0.2, 0.1];
    let x = [0.5, -1.0, 2.0, 1.5, 0.25, -0.75, -2.0, 0.5, 1.0];
    let (gq, gx) = rows_energy_grad(&q, &x);
    let d = q.len();
    // ∂/∂q_i = Σ_r 2 e^{2 q_i} x_ri², ∂/∂x_ri = 2 e^{2 q_i} x_ri.
    let hand_q = (0..d).map(|i| {
        (0..x.len() / d)
            .map(|r| 2.0 * (2.0 * q[i]).exp() * x[r * d + i] * x[r * d + i])
            .sum::<f64>()
    });
    let hand_x = (0..x.len()).map(|k| 2.0 * (2.0 * q[k % d]).exp() * x[k]);
    check(
        "Σ_r ‖exp(q) ∘ x_r‖²",
        &[&q[..], &x[..]].concat(),
        &[gq, gx].concat(),
        &hand_q.chain(hand_x).collect::<Vec<_>>(),
        |p| rows_energy(&p[..3], &p[3..]),
    );
}

/// `x²`, or 1 past 1: an early return.
#[differentiate]
fn clipped_square(x: f64) -> f64 {
    if x > 1.0 {
        return 1.0;
    }
    x * x
}

/// `Σ clipped_square(x_i)`, plus `x_i` wherever `clipped_square(x_i) > 0.5`: the second
/// call's result gets no cotangent, so its closure is dropped unused.
#[differentiate]
fn clipped_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += clipped_square(x[i]);
        if clipped_square(x[i]) > 0.5 {
            s += x[i];
        }
    }
    s
}

#[test]
fn callees_with_an_early_return_and_without_a_cotangent() {
    let x = [0.3, 1.4, -0.9, 0.8, 2.5, -1.2];
    let hand: Vec<f64> = x
        .iter()
        .map(|&v| {
            let square = if v > 1.0 { 0.0 } else { 2.0 * v };
            let extra = if v > 1.0 || v * v > 0.5 { 1.0 } else { 0.0 };
            square + extra
        })
        .collect();
    check(
        "Σ clipped xᵢ² (+ xᵢ)",
        &x,
        &clipped_sum_grad(&x),
        &hand,
        clipped_sum,
    );
}

/// `xⁿ` by recursion: `power_record`'s own sweeps call `power` and `power_pullback`.
#[differentiate]
fn power(x: f64, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    x * power(x, n - 1)
}

#[differentiate]
fn power_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += power(x[i], i + 1);
    }
    s
}

#[test]
fn a_recursive_callee() {
    let x: [f64; 5] = [1.3, -0.7, 0.9, 1.1, -1.2];
    let hand: Vec<f64> = (0..x.len())
        .map(|i| (i + 1) as f64 * x[i].powi(i as i32))
        .collect();
    check("Σ xᵢ^(i+1)", &x, &power_sum_grad(&x), &hand, power_sum);
}

/// Squares a buffer in place, its reverse taking the old values from its tape: `_record`
/// keeps that tape.
#[differentiate]
fn square_in_place(out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = out[i] * out[i];
    }
}

#[differentiate]
fn fourth_powers(x: &[f64]) -> f64 {
    let mut buffer = vec![0.0; 1];
    let mut s = 0.0;
    for i in 0..x.len() {
        buffer[0] = x[i];
        square_in_place(&mut buffer);
        square_in_place(&mut buffer);
        s += buffer[0];
    }
    s
}

#[test]
fn a_callee_overwriting_its_buffer_in_a_loop() {
    let x = [0.5, -1.5, 2.0, 0.75];
    let hand: Vec<f64> = x.iter().map(|v| 4.0 * v * v * v).collect();
    check("Σ xᵢ⁴", &x, &fourth_powers_grad(&x), &hand, fourth_powers);
}

/// `‖2x‖`, read back from the buffer it wrote, which the caller then overwrites: the values
/// read back are on `doubled_norm`'s tapes, so its closure does not need `out`'s contents.
#[differentiate]
fn doubled_norm(x: &[f64], out: &mut [f64]) -> f64 {
    for i in 0..x.len() {
        out[i] = 2.0 * x[i];
    }
    let mut s = 0.0;
    for i in 0..out.len() {
        s += out[i] * out[i];
    }
    s.sqrt()
}

#[differentiate]
fn doubled_norms(x: &[f64], d: usize) -> f64 {
    let mut buffer = vec![0.0; d];
    let mut s = 0.0;
    for r in 0..x.len() / d {
        s += doubled_norm(&x[r * d..(r + 1) * d], &mut buffer);
        buffer[0] = 3.0 * x[r * d];
    }
    s + buffer[0]
}

#[test]
fn a_callee_reading_back_what_it_wrote() {
    let x: [f64; 6] = [0.5, -1.5, 2.0, 0.75, 1.25, -0.5];
    let d = 2;
    let rows = x.len() / d;
    // ∂/∂x_ri = 2 x_ri / ‖x_r‖, and 3 more for the first entry of the last row.
    let hand: Vec<f64> = (0..x.len())
        .map(|k| {
            let r = k / d;
            let norm = (x[r * d] * x[r * d] + x[r * d + 1] * x[r * d + 1]).sqrt();
            2.0 * x[k] / norm + if k == (rows - 1) * d { 3.0 } else { 0.0 }
        })
        .collect();
    check(
        "Σ ‖2x_r‖ + 3x_(last row, 0)",
        &x,
        &doubled_norms_grad(&x, d),
        &hand,
        |p| doubled_norms(p, d),
    );
}

/// `x₀ x₁` through a view, which the reverse reads as elements of `x`: `_record` keeps the
/// recorded products.
#[differentiate]
fn head_product(x: &[f64]) -> f64 {
    let head = &x[..2];
    let mut p = 1.0;
    for i in 0..2 {
        p *= head[i];
    }
    p
}

#[differentiate]
fn neighbour_products(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for w in 0..x.len() - 1 {
        s += head_product(&x[w..]);
    }
    s
}

#[test]
fn a_callee_reading_through_a_view() {
    let x = [0.5, -1.5, 2.0, 0.75, 1.25];
    let n = x.len();
    let hand: Vec<f64> = (0..n)
        .map(|k| {
            let right = if k + 1 < n { x[k + 1] } else { 0.0 };
            let left = if k >= 1 { x[k - 1] } else { 0.0 };
            right + left
        })
        .collect();
    check(
        "Σ xᵢ xᵢ₊₁",
        &x,
        &neighbour_products_grad(&x),
        &hand,
        neighbour_products,
    );
}

/// (r cos θ, r sin θ), a `Vec`: `_record` calls the function and its pullback.
#[differentiate]
fn polar(r: f64, theta: f64) -> Vec<f64> {
    vec![r * theta.cos(), r * theta.sin()]
}

/// `Σ_i ‖polar(rᵢ, θᵢ)‖² = Σ rᵢ²`, computed through the points.
#[differentiate]
fn polar_energy(r: &[f64], theta: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..r.len() {
        let p = polar(r[i], theta[i]);
        s += p[0] * p[0] + p[1] * p[1];
    }
    s
}

#[test]
fn a_callee_returning_a_vec_in_a_loop() {
    let r = [1.5, 0.3, 2.2];
    let theta = [0.4, 2.8, -1.3];
    let (gr, gt) = polar_energy_grad(&r, &theta);
    let hand: Vec<f64> = r.iter().map(|v| 2.0 * v).chain([0.0; 3]).collect();
    check(
        "Σ ‖polar(rᵢ, θᵢ)‖²",
        &[&r[..], &theta[..]].concat(),
        &[gr, gt].concat(),
        &hand,
        |p| polar_energy(&p[..3], &p[3..]),
    );
}

/// `e^x` or `x²`: a callee with a loop-free body, recorded at the top level (a slot, not a
/// stack) in one branch of the caller, and in a loop that stops early in the other.
#[differentiate]
fn bump(x: f64) -> f64 {
    if x > 0.0 {
        x.exp()
    } else {
        x * x
    }
}

/// `bump(a) · b` if `a > 1`; otherwise `Σ bump(xₖ)` over `xₖ = a + k b` while the sum
/// stays under 10 (at most 20 terms).
#[differentiate]
fn branchy_calls(a: f64, b: f64) -> f64 {
    let mut total = 0.0;
    if a > 1.0 {
        total = bump(a) * b;
    } else {
        let mut k = 0;
        while k < 20 {
            let term = bump(a + k as f64 * b);
            if total + term > 10.0 {
                break;
            }
            total += term;
            k += 1;
        }
    }
    total
}

fn branchy_calls_hand(a: f64, b: f64) -> [f64; 2] {
    let bump = |x: f64| if x > 0.0 { x.exp() } else { x * x };
    let bump_slope = |x: f64| if x > 0.0 { x.exp() } else { 2.0 * x };
    if a > 1.0 {
        return [bump_slope(a) * b, bump(a)];
    }
    let (mut total, mut grad) = (0.0, [0.0, 0.0]);
    for k in 0..20 {
        let x = a + k as f64 * b;
        if total + bump(x) > 10.0 {
            break;
        }
        total += bump(x);
        grad[0] += bump_slope(x);
        grad[1] += bump_slope(x) * k as f64;
    }
    grad
}

#[test]
fn calls_in_a_branch_and_in_a_loop_that_stops_early() {
    // Points where no term sits at the jump of `bump` at 0 or at the stopping threshold.
    for (a, b) in [(1.5, 0.7), (-1.1, 0.3), (-0.43, 0.05), (0.2, 0.9)] {
        let (ga, gb) = branchy_calls_grad(a, b);
        check(
            &format!("branchy calls at ({a}, {b})"),
            &[a, b],
            &[ga, gb],
            &branchy_calls_hand(a, b),
            |p| branchy_calls(p[0], p[1]),
        );
    }
}

/// Calls in nested loops: `Σᵢ Σⱼ≤ᵢ bump(xᵢ − xⱼ)`.
#[differentiate]
fn pairwise_bumps(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        for j in 0..i + 1 {
            s += bump(x[i] - x[j]);
        }
    }
    s
}

#[test]
fn calls_in_nested_loops() {
    let x = [0.3, -0.8, 1.1, 0.05];
    let slope = |d: f64| if d > 0.0 { d.exp() } else { 2.0 * d };
    let n = x.len();
    let hand: Vec<f64> = (0..n)
        .map(|k| {
            let mut g = 0.0;
            for i in 0..n {
                for j in 0..=i {
                    let d = slope(x[i] - x[j]);
                    if i == k {
                        g += d;
                    }
                    if j == k {
                        g -= d;
                    }
                }
            }
            g
        })
        .collect();
    check(
        "Σ bump(xᵢ − xⱼ)",
        &x,
        &pairwise_bumps_grad(&x),
        &hand,
        pairwise_bumps,
    );
}

/// A callee with a named lifetime and a const parameter, whose loop records its `sin`s:
/// `f_record`'s closure type leaves the lifetime out (it borrows nothing) and captures `N`.
#[differentiate]
#[allow(clippy::needless_lifetimes)]
fn weighted_dot<'a, const N: usize>(x: &'a [f64; N], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..N {
        s += (w[i] * x[i]).sin();
    }
    s * 1.0
}

#[differentiate]
fn through_a_lifetime_and_a_const_parameter(x: &[f64]) -> f64 {
    let weights: Vec<f64> = vec![2.0, -1.0];
    let mut total = 0.0;
    for r in 0..x.len() - 1 {
        let pair = [x[r], x[r + 1]];
        total += weighted_dot(&pair, &weights) + x[r] * x[r];
    }
    total
}

#[test]
fn a_callee_with_a_lifetime_and_a_const_parameter() {
    let x: [f64; 4] = [0.3, -0.8, 1.1, 0.5];
    let n = x.len();
    let mut hand = vec![0.0; n];
    for r in 0..n - 1 {
        hand[r] += 2.0 * (2.0 * x[r]).cos() + 2.0 * x[r];
        hand[r + 1] += -(-x[r + 1]).cos();
    }
    check(
        "Σ sin(2xᵣ) + sin(−xᵣ₊₁) + xᵣ²",
        &x,
        &through_a_lifetime_and_a_const_parameter_grad(&x),
        &hand,
        through_a_lifetime_and_a_const_parameter,
    );
}

/// Column `col` taken out of the set `used` of removed columns: a plain helper, whose result
/// the macro cannot tell is a number until the `let` says so.
fn without_column(used: u32, col: usize) -> u32 {
    used | (1 << col)
}

/// Determinant of the minor of the `n × n` row-major `a` on rows `row..n` and the columns
/// not in `used`, expanded along its first row. The typed `let` lets `minor_record` keep its
/// forward sweep for the reverse; the alternating sign is given back by negation, and the
/// entry `a[..]` read again, rather than recorded.
#[differentiate]
fn minor(a: &[f64], n: usize, row: usize, used: u32) -> f64 {
    if row + 1 == n {
        let col: usize = (!used).trailing_zeros() as usize;
        return a[row * n + col];
    }
    let mut total = 0.0;
    let mut sign = 1.0;
    for col in 0..n {
        if used & (1 << col) == 0 {
            let rest: u32 = without_column(used, col);
            total += sign * a[row * n + col] * minor(a, n, row + 1, rest);
            sign = -sign;
        }
    }
    total
}

fn det3(m: &[f64]) -> f64 {
    m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
        + m[2] * (m[3] * m[7] - m[4] * m[6])
}

/// The cofactor matrix of a 4 × 4 matrix, `∂det/∂aᵢⱼ = (−1)^(i+j) det(minor of aᵢⱼ)`.
fn cofactors4(a: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 0..4 {
        for j in 0..4 {
            let minor: Vec<f64> = (0..4)
                .filter(|&r| r != i)
                .flat_map(|r| (0..4).filter(move |&c| c != j).map(move |c| a[r * 4 + c]))
                .collect();
            out.push(if (i + j) % 2 == 0 { 1.0 } else { -1.0 } * det3(&minor));
        }
    }
    out
}

#[test]
fn a_recursive_callee_that_records_its_forward_sweep() {
    let a: Vec<f64> = (0..16).map(|k| ((k as f64 + 1.0) * 0.61).sin()).collect();
    let det = |a: &[f64]| minor(a, 4, 0, 0);
    let cofactor_sum: f64 = (0..4).map(|j| a[j] * cofactors4(&a)[j]).sum();
    approx::assert_relative_eq!(det(&a), cofactor_sum, max_relative = 1e-12);
    check(
        "det by minors (4 × 4)",
        &a,
        &minor_grad(&a, 4, 0, 0),
        &cofactors4(&a),
        det,
    );
}
