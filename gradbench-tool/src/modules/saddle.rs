//! GradBench's `saddle` eval (Pearlmutter and Siskind): the saddle point of
//! f(x, y) = (x₁² + y₁²) − (x₂² + y₂²), where the first point p₁ = (x₁, y₁) minimises
//! maxₚ₂ f(p₁, p₂) and the second point p₂ = (x₂, y₂) then maximises f(p₁, ·), both found by
//! GradBench's gradient-descent solver from the same start.
//!
//! The inner maximum is a gradient ascent, so the outer objective contains a gradient and
//! its derivative is a nested one. The ascent is an ordinary `#[differentiate]` function
//! (`argmax`, a `loop` with data-dependent exits) and the outer gradient is its generated
//! reverse mode (`max_value_grad`: the `r?` functions) or forward mode (`max_value_tangent`,
//! one pass per coordinate: `f?`). The ascent direction ∇ₚ₂f inside it comes from the
//! generated reverse mode of `objective` (`?r`: `objective_grad`) or its forward mode (`?f`:
//! `objective_tangent`), called inside `#[differentiate]` functions, so that the outer
//! sweeps differentiate through it too (see [`super::nested`]).

use autodiff::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::nested::{self, GradientMode};
use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The input of every `saddle` function.
#[derive(Debug, Deserialize)]
pub struct Input {
    /// The starting point of every gradient descent, inner and outer.
    pub start: [f64; 2],
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// f(p₁, p₂) = (x₁² + y₁²) − (x₂² + y₂²) with p₁ = (x₁, y₁) and p₂ = (x₂, y₂). Its
/// gradient, in p₂ only, is the ascent direction.
#[differentiate(wrt(p2))]
pub fn objective(p1: &[f64], p2: &[f64]) -> f64 {
    (p1[0] * p1[0] + p1[1] * p1[1]) - (p2[0] * p2[0] + p2[1] * p2[1])
}

/// ∇ₚ₂f(p₁, p₂) into `out` from the generated gradient `objective_grad`: one reverse sweep.
/// `argmax`'s derivatives differentiate through it (its own are generated from
/// `objective`'s second order).
#[differentiate]
pub fn ascent_reverse(p1: &[f64], p2: &[f64], out: &mut [f64]) {
    let gradient: Vec<f64> = objective_grad(p1, p2);
    out.copy_from_slice(&gradient);
}

/// ∇ₚ₂f(p₁, p₂) into `out` from the generated forward mode `objective_tangent`: one pass
/// per coordinate of p₂.
#[differentiate]
pub fn ascent_forward(p1: &[f64], p2: &[f64], out: &mut [f64]) {
    let mut direction = vec![0.0; p2.len()];
    for i in 0..out.len() {
        direction[i] = 1.0;
        let (_, slope) = objective_tangent(p1, p2, &direction);
        out[i] = slope;
        direction[i] = 0.0;
    }
}

/// GradBench's argmax by gradient descent on −f(p₁, ·) from `start`, into `out` (two
/// entries): steps of size η along the ascent direction, η doubled after ten accepted steps
/// in a row and halved after a rejected one, until the direction or the step is shorter
/// than 10⁻⁵. `forward` says whether the direction comes from the forward
/// or the reverse mode.
#[differentiate]
pub fn argmax(p1: &[f64], start: &[f64], forward: bool, out: &mut [f64]) {
    let mut x = start.to_vec();
    let mut candidate = start.to_vec();
    let mut direction = vec![0.0; 2];
    let mut value = objective(p1, &x);
    if forward {
        ascent_forward(p1, &x, &mut direction);
    } else {
        ascent_reverse(p1, &x, &mut direction);
    }
    let mut accepted = 0;
    let mut eta = 1e-5;
    loop {
        let magnitude = (direction[0] * direction[0] + direction[1] * direction[1]).sqrt();
        if magnitude <= 1e-5 {
            break;
        }
        if accepted == 10 {
            eta *= 2.0;
            accepted = 0;
            continue;
        }
        // Descent on −f: x − η·(−∇f).
        candidate[0] = x[0] + eta * direction[0];
        candidate[1] = x[1] + eta * direction[1];
        let step0 = x[0] - candidate[0];
        let step1 = x[1] - candidate[1];
        if (step0 * step0 + step1 * step1).sqrt() <= 1e-5 {
            break;
        }
        let candidate_value = objective(p1, &candidate);
        if -candidate_value < -value {
            x[0] = candidate[0];
            x[1] = candidate[1];
            value = candidate_value;
            if forward {
                ascent_forward(p1, &x, &mut direction);
            } else {
                ascent_reverse(p1, &x, &mut direction);
            }
            accepted += 1;
        } else {
            eta /= 2.0;
            accepted = 0;
        }
    }
    out[0] = x[0];
    out[1] = x[1];
}

/// maxₚ₂ f(p₁, p₂) as the ascent from `start` finds it: the outer objective, whose
/// generated gradient (or tangent) differentiates through the whole ascent.
#[differentiate(wrt(p1))]
pub fn max_value(p1: &[f64], start: &[f64], forward: bool) -> f64 {
    let mut p2 = vec![0.0; 2];
    argmax(p1, start, forward, &mut p2);
    objective(p1, &p2)
}

/// Runs the eval's computation with the outer derivative in mode `outer` and the inner
/// one in mode `inner`: the argmin p₁ of `max_value`, then the argmax p₂ of f(p₁, ·), whose
/// ascent directions use the outer mode, as the eval asks.
pub fn saddle(
    start: [f64; 2],
    outer: GradientMode,
    inner: GradientMode,
) -> Result<[f64; 4], String> {
    let inner_forward = inner == GradientMode::Forward;
    let objective = |p1: &[f64]| max_value(p1, &start, inner_forward);
    let gradient = |p1: &[f64], out: &mut [f64]| match outer {
        GradientMode::Reverse => out.copy_from_slice(&max_value_grad(p1, &start, inner_forward)),
        GradientMode::Forward => {
            let mut p1_dot = vec![0.0; p1.len()];
            for (i, slot) in out.iter_mut().enumerate() {
                p1_dot[i] = 1.0;
                *slot = max_value_tangent(p1, &p1_dot, &start, inner_forward).1;
                p1_dot[i] = 0.0;
            }
        }
    };
    let p1 = nested::argmin(objective, gradient, &start)?;
    let mut p2 = [0.0; 2];
    argmax(&p1, &start, outer == GradientMode::Forward, &mut p2);
    Ok([p1[0], p1[1], p2[0], p2[1]])
}

/// Runs `ff`, `fr`, `rf` or `rr`: the first letter is the mode of the outer derivative, the
/// second that of the inner one.
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let Input { start, runs } = parse_input("saddle", input)?;
    let (outer, inner) =
        nested::modes(function).ok_or_else(|| unknown_function("saddle", function))?;
    // Beyond this f overflows, and with infinite directions the solver would never stop.
    if start.iter().any(|s| s.abs() > 1e100) {
        return Err("invalid saddle input: start's coordinates must be at most 1e100".into());
    }
    let (output, timings) = run_timed(runs, || saddle(start, outer, inner));
    Ok((json!(output?), timings))
}
