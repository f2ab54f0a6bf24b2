//! GradBench's `particle` eval (Pearlmutter and Siskind): a charged particle starts at (0, 8)
//! with velocity (0.75, 0) in the field of two unit charges at (10, 10 − w) and (10, 0), and
//! the control `w` is chosen by GradBench's gradient-descent solver so that the particle,
//! followed by naive Euler steps of 0.1 until it crosses the x axis, crosses it at the
//! origin: the argmin of x₀(t_f)².
//!
//! The acceleration at each step is −∇ₓp(x; w) for the potential p, so the objective
//! contains a gradient and its derivative with respect to `w` is a nested one. The Euler
//! loop is an ordinary `#[differentiate]` function (`landing`) and the solver's derivative is
//! its generated reverse mode (`landing_grad`: the `r?` functions) or forward mode
//! (`landing_tangent`: `f?`). The gradient ∇ₓp inside it comes from the generated reverse
//! mode of `potential` (`?r`: `potential_grad`) or its forward mode (`?f`:
//! `potential_tangent`), called inside `#[differentiate]` functions, so that the outer
//! sweeps differentiate through it too (see [`super::nested`]).

use autodiff::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::nested::{self, GradientMode};
use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The input of every `particle` function.
#[derive(Debug, Deserialize)]
pub struct Input {
    /// The starting value of the control.
    pub w: f64,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// The Euler step.
pub const DELTA_T: f64 = 0.1;

/// Euler steps after which a particle that has not reached the x axis is given up on (from
/// w = 0 it takes a few dozen).
pub const MAX_STEPS: usize = 100_000;

/// p(x; w) = 1/‖x − (10, 10 − w)‖ + 1/‖x − (10, 0)‖. Its gradient, in x only, is the
/// field.
#[differentiate(wrt(x))]
pub fn potential(w: f64, x: &[f64]) -> f64 {
    let (ax, ay) = (10.0 - x[0], 10.0 - w - x[1]);
    let (bx, by) = (10.0 - x[0], 0.0 - x[1]);
    1.0 / (ax * ax + ay * ay).sqrt() + 1.0 / (bx * bx + by * by).sqrt()
}

/// ∇ₓp(x; w) into `out` from the generated gradient `potential_grad`: one reverse sweep.
/// `landing`'s derivatives differentiate through it (its own are generated from
/// `potential`'s second order).
#[differentiate]
pub fn field_reverse(w: f64, x: &[f64], out: &mut [f64]) {
    let gradient: Vec<f64> = potential_grad(w, x);
    out.copy_from_slice(&gradient);
}

/// ∇ₓp(x; w) into `out` from the generated forward mode `potential_tangent`: one pass per
/// coordinate of x.
#[differentiate]
pub fn field_forward(w: f64, x: &[f64], out: &mut [f64]) {
    let mut direction = vec![0.0; x.len()];
    for i in 0..out.len() {
        direction[i] = 1.0;
        let (_, slope) = potential_tangent(w, x, &direction);
        out[i] = slope;
        direction[i] = 0.0;
    }
}

/// x₀(t_f)²: the particle is moved by Euler steps (position first, with the old velocity;
/// then the velocity, with the acceleration −∇ₓp at the old position) until its height is
/// at most 0, and t_f is where the last step's straight line crosses the x axis. `forward`
/// says whether ∇ₓp comes from the forward or the reverse mode. NaN if the particle has not
/// come down after [`MAX_STEPS`] steps.
#[differentiate]
pub fn landing(w: f64, forward: bool) -> f64 {
    let mut x = vec![0.0, 8.0];
    let mut velocity = vec![0.75, 0.0];
    let mut field = vec![0.0; 2];
    let mut steps = 0;
    loop {
        if steps == MAX_STEPS {
            return f64::NAN;
        }
        steps += 1;
        if forward {
            field_forward(w, &x, &mut field);
        } else {
            field_reverse(w, &x, &mut field);
        }
        x[0] += DELTA_T * velocity[0];
        x[1] += DELTA_T * velocity[1];
        if x[1] <= 0.0 {
            break;
        }
        velocity[0] += DELTA_T * -field[0];
        velocity[1] += DELTA_T * -field[1];
    }
    let delta_t_f = -x[1] / velocity[1];
    let x_t_f = x[0] + delta_t_f * velocity[0];
    x_t_f * x_t_f
}

/// Runs the eval's computation with the outer derivative in mode `outer` and the inner one
/// in mode `inner`: the argmin of `landing` from `w0`.
pub fn particle(w0: f64, outer: GradientMode, inner: GradientMode) -> Result<f64, String> {
    let inner_forward = inner == GradientMode::Forward;
    let objective = |w: &[f64]| landing(w[0], inner_forward);
    let gradient = |w: &[f64], out: &mut [f64]| {
        out[0] = match outer {
            GradientMode::Reverse => landing_grad(w[0], inner_forward),
            GradientMode::Forward => landing_tangent(w[0], 1.0, inner_forward).1,
        }
    };
    Ok(nested::argmin(objective, gradient, &[w0])?[0])
}

/// Runs `ff`, `fr`, `rf` or `rr`: the first letter is the mode of the outer derivative, the
/// second that of the inner one.
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let Input { w, runs } = parse_input("particle", input)?;
    let (outer, inner) =
        nested::modes(function).ok_or_else(|| unknown_function("particle", function))?;
    if !w.is_finite() {
        return Err("invalid particle input: w must be finite".into());
    }
    let (output, timings) = run_timed(runs, || particle(w, outer, inner));
    Ok((json!(output?), timings))
}
