//! Loops whose reverse runs their trips again in forward order (`replay.rs` in the macro):
//! a running power or counter that carries no derivative is computed again from its starting
//! value instead of being recorded every trip. Each gradient is checked against its formula
//! and against finite differences, beside loops that look alike but must not be replayed.

#![allow(clippy::needless_range_loop, clippy::assign_op_pattern)]

mod common;

use autodiff::differentiate;
use common::check;

/// GradBench's `llsq`: `½ Σᵢ (sᵢ − Σⱼ xⱼ tᵢʲ)²` on a grid `tᵢ`, with the powers of `tᵢ` kept
/// in a running product.
#[differentiate]
fn least_squares(x: &[f64], n: usize) -> f64 {
    let mut sum = 0.0;
    for i in 0..n {
        let t = -1.0 + i as f64 * 2.0 / (n as f64 - 1.0);
        // Set by an `if` before the loop, which no reverse step reads.
        let mut residual = if t > 0.0 { 1.0 } else { -1.0 };
        let mut power = 1.0;
        for j in 0..x.len() {
            residual -= x[j] * power;
            power *= t;
        }
        sum += residual * residual;
    }
    sum / 2.0
}

fn least_squares_hand(x: &[f64], n: usize) -> Vec<f64> {
    // ∂/∂xⱼ = −Σᵢ rᵢ tᵢʲ
    let mut g = vec![0.0; x.len()];
    for i in 0..n {
        let t = -1.0 + i as f64 * 2.0 / (n as f64 - 1.0);
        let s: f64 = if t > 0.0 { 1.0 } else { -1.0 };
        let r = s - (0..x.len()).map(|j| x[j] * t.powi(j as i32)).sum::<f64>();
        for j in 0..x.len() {
            g[j] -= r * t.powi(j as i32);
        }
    }
    g
}

#[test]
fn a_running_power_is_computed_again() {
    let x = [0.3, -1.2, 0.8, 0.05, -0.4];
    let n = 9;
    check(
        "least_squares",
        &x,
        &least_squares_grad(&x, n),
        &least_squares_hand(&x, n),
        |p| least_squares(p, n),
    );
}

/// The running factor is read after the loop too: the replay starts its own copy, and the
/// product after the loop still sees the final value.
#[differentiate]
fn damped_sum_times_last(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut p = 1.0;
    for j in 0..x.len() {
        s = s + x[j] * p;
        p = p * 0.5;
    }
    s * p * x[0]
}

#[test]
fn a_running_factor_also_read_after_the_loop() {
    let x = [1.5, -0.5, 2.0, 0.75];
    let m = x.len();
    let last = 0.5_f64.powi(m as i32);
    let s: f64 = (0..m).map(|j| x[j] * 0.5_f64.powi(j as i32)).sum();
    // f = s · last · x₀: ∂/∂xⱼ = 0.5ʲ · last · x₀, plus s · last for j = 0.
    let hand: Vec<f64> = (0..m)
        .map(|j| 0.5_f64.powi(j as i32) * last * x[0] + if j == 0 { s * last } else { 0.0 })
        .collect();
    check(
        "damped_sum_times_last",
        &x,
        &damped_sum_times_last_grad(&x),
        &hand,
        damped_sum_times_last,
    );
}

/// A weight read inside the loop is changed after it: the loop must not be replayed with the
/// changed weight (it is reversed as usual).
#[differentiate]
fn weight_changed_after(x: &[f64]) -> f64 {
    let mut w = 2.0;
    let mut s = 0.0;
    let mut k = 1.0;
    for j in 0..x.len() {
        s = s + x[j] * w * k;
        k = k + 1.0;
    }
    w = 3.0;
    s * w
}

#[test]
fn a_weight_changed_after_the_loop() {
    let x = [0.2, 0.4, -0.6];
    // f = 3 · Σⱼ 2 (j + 1) xⱼ
    let hand: Vec<f64> = (0..x.len()).map(|j| 6.0 * (j as f64 + 1.0)).collect();
    check(
        "weight_changed_after",
        &x,
        &weight_changed_after_grad(&x),
        &hand,
        weight_changed_after,
    );
}

/// The running power depends on a parameter, so it carries a derivative and is recorded.
#[differentiate]
fn power_of_a_parameter(x: &[f64], t: f64) -> f64 {
    let mut s = 0.0;
    let mut power = 1.0;
    for j in 0..x.len() {
        s = s + x[j] * power;
        power = power * t;
    }
    s * s
}

#[test]
fn a_running_power_of_a_parameter() {
    let x = [0.5, -1.0, 2.0];
    let t = 0.7_f64;
    let p: f64 = (0..3).map(|j: i32| x[j as usize] * t.powi(j)).sum();
    let dp_dt: f64 = (1..3)
        .map(|j: i32| x[j as usize] * j as f64 * t.powi(j - 1))
        .sum();
    let mut hand: Vec<f64> = (0..3).map(|j: i32| 2.0 * p * t.powi(j)).collect();
    hand.push(2.0 * p * dp_dt);
    let (gx, gt) = power_of_a_parameter_grad(&x, t);
    let mut generated = gx.clone();
    generated.push(gt);
    let at = [0.5, -1.0, 2.0, t];
    check("power_of_a_parameter", &at, &generated, &hand, |q| {
        power_of_a_parameter(&q[..3], q[3])
    });
}

/// The second order runs a dual copy of the same reverse sweep, replay included: the Hessian
/// of the least squares is AᵀA with A_ij = t_i^j.
#[test]
fn the_second_order_through_a_replayed_loop() {
    let x = [0.3, -1.2, 0.8, 0.05];
    let n = 7;
    let t: Vec<f64> = (0..n)
        .map(|i| -1.0 + i as f64 * 2.0 / (n as f64 - 1.0))
        .collect();
    let hessian = least_squares_hessian(&x, n);
    for j in 0..x.len() {
        for l in 0..x.len() {
            let hand: f64 = t.iter().map(|ti| ti.powi((j + l) as i32)).sum();
            common::assert_close("least_squares Hessian", hessian[(j, l)], hand, 1e-12);
        }
        // Column j by central differences of the generated gradient.
        let h = 1e-5;
        let (mut plus, mut minus) = (x.to_vec(), x.to_vec());
        plus[j] += h;
        minus[j] -= h;
        let (gp, gm) = (least_squares_grad(&plus, n), least_squares_grad(&minus, n));
        for l in 0..x.len() {
            let numeric = (gp[l] - gm[l]) / (2.0 * h);
            common::assert_close(
                "least_squares Hessian by differences",
                hessian[(l, j)],
                numeric,
                1e-6,
            );
        }
    }
}
