//! GradBench's `ode` eval: the classic fourth-order Runge–Kutta method on the linear system
//! y₀′ = x₀, yᵢ′ = xᵢ yᵢ₋₁ (i > 0), from y(0) = 0 to t = 2 in `s` equal steps.
//!
//! `primal` is the final state y(2); `gradient` is the gradient of its last component with
//! respect to `x`, taken through the Runge–Kutta steps (not through the exact solution).

use autodiff::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The input of both `ode` functions.
#[derive(Debug, Deserialize)]
pub struct Input {
    /// The coefficients of the system, one per component of the state.
    pub x: Vec<f64>,
    /// The number of Runge–Kutta steps.
    pub s: usize,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// The end of the integration interval, which starts at 0.
pub const T_FINAL: f64 = 2.0;

/// The right-hand side `z = f(y)`: z₀ = x₀ and zᵢ = xᵢ yᵢ₋₁.
#[differentiate]
pub fn rhs(x: &[f64], y: &[f64], z: &mut [f64]) {
    z[0] = x[0];
    for i in 1..x.len() {
        z[i] = x[i] * y[i - 1];
    }
}

/// Integrates the system with `s` Runge–Kutta steps, writing the final state into `y`
/// (which needs `x.len()` entries and is overwritten).
#[differentiate]
pub fn integrate(x: &[f64], s: usize, y: &mut [f64]) {
    let n = x.len();
    let h = T_FINAL / s as f64;
    let mut k1 = vec![0.0; n];
    let mut k2 = vec![0.0; n];
    let mut k3 = vec![0.0; n];
    let mut k4 = vec![0.0; n];
    let mut stage = vec![0.0; n];
    for v in y.iter_mut() {
        *v = 0.0;
    }
    for _ in 0..s {
        rhs(x, y, &mut k1);
        for i in 0..n {
            stage[i] = y[i] + h * k1[i] / 2.0;
        }
        rhs(x, &stage, &mut k2);
        for i in 0..n {
            stage[i] = y[i] + h * k2[i] / 2.0;
        }
        rhs(x, &stage, &mut k3);
        for i in 0..n {
            stage[i] = y[i] + h * k3[i];
        }
        rhs(x, &stage, &mut k4);
        for i in 0..n {
            y[i] += h * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]) / 6.0;
        }
    }
}

/// The last component of the final state, the scalar whose gradient the eval asks for.
#[differentiate]
pub fn last_component(x: &[f64], s: usize) -> f64 {
    let n = x.len();
    let mut y = vec![0.0; n];
    integrate(x, s, &mut y);
    y[n - 1]
}

/// Runs `primal` (the final state) or `gradient` (the generated `last_component_grad`).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let Input { x, s, runs } = parse_input("ode", input)?;
    // The state has one component per coefficient and the gradient is of the last one.
    if x.is_empty() {
        return Err("invalid ode input: x must not be empty".into());
    }
    // h = 2 / s: zero steps would answer NaN.
    if s == 0 {
        return Err("invalid ode input: s must be at least 1".into());
    }
    match function {
        "primal" => {
            let (output, timings) = run_timed(runs, || {
                let mut y = vec![0.0; x.len()];
                integrate(&x, s, &mut y);
                y
            });
            Ok((json!(output), timings))
        }
        "gradient" => {
            let (output, timings) = run_timed(runs, || last_component_grad(&x, s));
            Ok((json!(output), timings))
        }
        _ => Err(unknown_function("ode", function)),
    }
}
