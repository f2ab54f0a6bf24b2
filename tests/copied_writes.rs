//! Loops whose element writes are undone by one copy (`bulk.rs`): `for i in a..b { ..
//! out[i] = ..; }` copies `out[a..b]` before the loop and puts it back after the loop's
//! reverse, instead of recording each overwritten element. These tests check gradients
//! through such loops against formulas, central differences and the forward mode: buffers
//! overwritten again and again (Runge–Kutta stages, in-place rounds), a range shorter than
//! the buffer, loops nested in others, a `&mut` parameter, and writes that read the element
//! they overwrite.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::differentiate;
use common::{check, forward_matches_grad};

/// `z₀ = x₀`, `zᵢ = xᵢ yᵢ₋₁`: the right-hand side of GradBench's `ode`.
#[differentiate]
fn chain(x: &[f64], y: &[f64], z: &mut [f64]) {
    z[0] = x[0];
    for i in 1..x.len() {
        z[i] = x[i] * y[i - 1];
    }
}

/// Integrates `y' = chain(x, y)` from `y(0) = 0` to t = 2 by `steps` classical Runge–Kutta
/// steps into `y`, with the stages written inline: every stage loop overwrites `stage`,
/// which the next call reads, and the update overwrites `y`, which the next step's first
/// call reads.
#[differentiate]
fn runge_kutta(x: &[f64], steps: usize, y: &mut [f64]) {
    let n = x.len();
    let h = 2.0 / steps as f64;
    let mut k1 = vec![0.0; n];
    let mut k2 = vec![0.0; n];
    let mut k3 = vec![0.0; n];
    let mut k4 = vec![0.0; n];
    let mut stage = vec![0.0; n];
    for i in 0..n {
        y[i] = 0.0;
    }
    for _ in 0..steps {
        chain(x, y, &mut k1);
        for i in 0..n {
            stage[i] = y[i] + h * k1[i] / 2.0;
        }
        chain(x, &stage, &mut k2);
        for i in 0..n {
            stage[i] = y[i] + h * k2[i] / 2.0;
        }
        chain(x, &stage, &mut k3);
        for i in 0..n {
            stage[i] = y[i] + h * k3[i];
        }
        chain(x, &stage, &mut k4);
        for i in 0..n {
            y[i] += h * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]) / 6.0;
        }
    }
}

/// The last component of the state [`runge_kutta`] reaches.
#[differentiate(hessian)]
fn runge_kutta_last(x: &[f64], steps: usize) -> f64 {
    let mut y = vec![0.0; x.len()];
    runge_kutta(x, steps, &mut y);
    y[x.len() - 1]
}

#[test]
fn runge_kutta_with_stages_written_inline() {
    // yₖ(t) = x₀⋯xₖ tᵏ⁺¹/(k+1)!, a polynomial of degree at most 4 for four components,
    // which the classical Runge–Kutta method integrates exactly: y₃(2) = x₀x₁x₂x₃ 2⁴/4!.
    let x = [0.9, -1.3, 0.7, 1.1];
    let product: f64 = x.iter().product();
    for steps in [1, 3, 10] {
        let hand: Vec<f64> = x.iter().map(|xj| product / xj * 16.0 / 24.0).collect();
        check(
            "Runge–Kutta, last component",
            &x,
            &runge_kutta_last_grad(&x, steps),
            &hand,
            |x| runge_kutta_last(x, steps),
        );
    }
    forward_matches_grad(
        "Runge–Kutta, last component",
        &[(-1.5, 1.5); 5],
        |x, v| runge_kutta_last_tangent(x, v, 4).1,
        |x| runge_kutta_last_grad(x, 4),
    );
}

/// Three rounds, each replacing the inner entries `1..n−1` of a buffer two longer than `x`
/// by `aᵢ xᵢ + xᵢ` (from `aᵢ = 1`) and then adding `Σ aᵢ²` over the whole buffer: the copied
/// range is shorter than the buffer, copied once per round, each write reads the element
/// it overwrites, and the call that sums the squares reads the buffer in the reverse sweep.
#[differentiate]
fn rounds(x: &[f64]) -> f64 {
    let n = x.len();
    let mut acc = vec![1.0; n + 2];
    let mut total = 0.0;
    for _ in 0..3 {
        for i in 1..n - 1 {
            acc[i] = acc[i] * x[i] + x[i];
        }
        total += squares(&acc);
    }
    total
}

/// `Σ vᵢ²`.
#[differentiate]
fn squares(v: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..v.len() {
        total += v[i] * v[i];
    }
    total
}

#[test]
fn rounds_over_part_of_a_buffer() {
    let x: [f64; 5] = [0.4, -0.8, 1.2, 0.6, -1.1];
    // Inside, the rounds give a₁ = 2x, a₂ = 2x² + x, a₃ = 2x³ + x² + x; elsewhere 1.
    // ∂/∂xᵢ Σᵣ aᵣ² = Σᵣ 2 aᵣ aᵣ′ inside.
    let hand: Vec<f64> = (0..x.len())
        .map(|i| {
            let v = x[i];
            if !(1..x.len() - 1).contains(&i) {
                return 0.0;
            }
            let rounds = [
                (2.0 * v, 2.0),
                (2.0 * v * v + v, 4.0 * v + 1.0),
                (2.0 * v * v * v + v * v + v, 6.0 * v * v + 2.0 * v + 1.0),
            ];
            rounds.iter().map(|(a, slope)| 2.0 * a * slope).sum()
        })
        .collect();
    check("in-place rounds", &x, &rounds_grad(&x), &hand, rounds);
}

#[test]
fn second_order_through_the_copies() {
    // y₃(2) = (2/3) x₀x₁x₂x₃: ∂²/∂xⱼ∂xₖ = (2/3) Π_{i≠j,k} xᵢ off the diagonal, 0 on it;
    // also against central differences of the generated gradient.
    let x = [0.9, -1.3, 0.7, 1.1];
    let v = [0.3, -0.5, 0.8, 0.2];
    let product: f64 = x.iter().product();
    let hessian = |j: usize, k: usize| {
        if j == k {
            0.0
        } else {
            2.0 / 3.0 * product / (x[j] * x[k])
        }
    };
    let hv = runge_kutta_last_hvp(&x, &v, 5);
    // Central differences of the generated gradient along v.
    let step = 1e-5;
    let along = |t: f64| -> Vec<f64> {
        let at: Vec<f64> = x.iter().zip(&v).map(|(xi, vi)| xi + t * vi).collect();
        runge_kutta_last_grad(&at, 5)
    };
    let (plus, minus) = (along(step), along(-step));
    for j in 0..4 {
        let expected: f64 = (0..4).map(|k| hessian(j, k) * v[k]).sum();
        approx::assert_relative_eq!(hv[j], expected, max_relative = 1e-10, epsilon = 1e-12);
        let numeric = (plus[j] - minus[j]) / (2.0 * step);
        approx::assert_relative_eq!(hv[j], numeric, max_relative = 1e-6, epsilon = 1e-8);
    }
}

/// Two rounds of `sᵢ ← (r + 1) vᵢ + sᵢ / 2` from `s = 0`, each followed by `Σ sᵢ²`: `s` is a
/// local buffer, so a caller's pullback keeps this function's forward sweep, copies
/// included, in the closure `smoothed_energy_record` returns.
#[differentiate]
fn smoothed_energy(v: &[f64]) -> f64 {
    let n = v.len();
    let mut s = vec![0.0; n];
    let mut total = 0.0;
    for round in 0..2 {
        for i in 0..n {
            s[i] = (round as f64 + 1.0) * v[i] + s[i] * 0.5;
        }
        total += squares(&s);
    }
    total
}

/// [`smoothed_energy`] of each row of `d` entries.
#[differentiate]
fn row_energies(x: &[f64], d: usize) -> f64 {
    let mut total = 0.0;
    for r in 0..x.len() / d {
        total += smoothed_energy(&x[r * d..(r + 1) * d]);
    }
    total
}

#[test]
fn copies_kept_by_a_recorded_callee() {
    let x = [0.3, -1.2, 0.8, 1.5, -0.4, 0.9];
    // s = v after the first round and 2.5 v after the second: Σ (1 + 6.25) v², gradient
    // 14.5 v.
    let hand: Vec<f64> = x.iter().map(|v| 14.5 * v).collect();
    check("row energies", &x, &row_energies_grad(&x, 3), &hand, |x| {
        row_energies(x, 3)
    });
}

/// A buffer made afresh in every trip of an outer loop and written by an inner one, which a
/// callee then reads: `Σᵣ Σᵢ ((r + 1) xᵢ)²` over two trips.
#[differentiate]
fn scaled_squares(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for r in 0..2 {
        let mut scaled = vec![0.0; x.len()];
        for i in 0..x.len() {
            scaled[i] = (r as f64 + 1.0) * x[i];
        }
        total += squares(&scaled);
    }
    total
}

#[test]
fn a_buffer_local_to_an_outer_loop() {
    let x = [0.5, -1.5, 2.0];
    // (1 + 4) Σ x², gradient 10 x.
    let hand: Vec<f64> = x.iter().map(|v| 10.0 * v).collect();
    check(
        "scaled squares",
        &x,
        &scaled_squares_grad(&x),
        &hand,
        scaled_squares,
    );
}
