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
//! generated reverse mode of `objective` (`?r`) or its forward mode (`?f`), and the
//! derivative of that direction, which the outer sweeps need, is the generated Hessian-vector
//! product `objective_hvp` (see [`super::nested`]).

use autodiff::prelude::*;
use autodiff::NoTangent;
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

/// f(p₁, p₂) = (x₁² + y₁²) − (x₂² + y₂²) with p₁ = (x₁, y₁) and p₂ = (x₂, y₂).
#[differentiate(hessian)]
pub fn objective(p1: &[f64], p2: &[f64]) -> f64 {
    (p1[0] * p1[0] + p1[1] * p1[1]) - (p2[0] * p2[0] + p2[1] * p2[1])
}

/// ∇ₚ₂f(p₁, p₂) into `out` from the generated gradient `objective_grad`: one reverse sweep.
pub fn ascent_reverse(p1: &[f64], p2: &[f64], out: &mut [f64]) {
    let (_, gradient) = objective_grad(p1, p2);
    out.copy_from_slice(&gradient);
}

/// ∇ₚ₂f(p₁, p₂) into `out` from the generated forward mode `objective_tangent`: one pass
/// per coordinate of p₂.
pub fn ascent_forward(p1: &[f64], p2: &[f64], out: &mut [f64]) {
    let p1_dot = vec![0.0; p1.len()];
    let mut p2_dot = vec![0.0; p2.len()];
    for (i, slot) in out.iter_mut().enumerate() {
        p2_dot[i] = 1.0;
        *slot = objective_tangent(p1, &p1_dot, p2, &p2_dot).1;
        p2_dot[i] = 0.0;
    }
}

// The derivatives of the ascent directions, which the generated sweeps of `argmax` call
// (`<callee>_pullback` in reverse, `<callee>_tangent_all` in forward). The direction is
// ∇ₚ₂f, so its derivative is a block of f's Hessian, and both are one generated `objective_hvp`.

/// The reverse-mode rule of [`ascent_reverse`], for `argmax`'s generated reverse sweep.
#[doc(hidden)]
pub fn ascent_reverse_pullback(
    p1: &[f64],
    p1_bar: &mut [f64],
    p2: &[f64],
    p2_bar: &mut [f64],
    out: &mut [f64],
    out_bar: &mut [f64],
    d_out: (),
) -> ((), (NoTangent, NoTangent, NoTangent)) {
    ascent_reverse(p1, p2, out);
    direction_pullback(p1, p1_bar, p2, p2_bar, out_bar);
    (d_out, (NoTangent, NoTangent, NoTangent))
}

/// The forward-mode rule of [`ascent_reverse`], for `argmax`'s generated forward mode.
#[doc(hidden)]
pub fn ascent_reverse_tangent_all(
    p1: &[f64],
    p1_dot: &[f64],
    p2: &[f64],
    p2_dot: &[f64],
    out: &mut [f64],
    out_dot: &mut [f64],
) -> ((), ()) {
    ascent_reverse(p1, p2, out);
    direction_tangent(p1, p1_dot, p2, p2_dot, out_dot);
    ((), ())
}

/// The reverse-mode rule of [`ascent_forward`], for `argmax`'s generated reverse sweep.
#[doc(hidden)]
pub fn ascent_forward_pullback(
    p1: &[f64],
    p1_bar: &mut [f64],
    p2: &[f64],
    p2_bar: &mut [f64],
    out: &mut [f64],
    out_bar: &mut [f64],
    d_out: (),
) -> ((), (NoTangent, NoTangent, NoTangent)) {
    ascent_forward(p1, p2, out);
    direction_pullback(p1, p1_bar, p2, p2_bar, out_bar);
    (d_out, (NoTangent, NoTangent, NoTangent))
}

/// The forward-mode rule of [`ascent_forward`], for `argmax`'s generated forward mode.
#[doc(hidden)]
pub fn ascent_forward_tangent_all(
    p1: &[f64],
    p1_dot: &[f64],
    p2: &[f64],
    p2_dot: &[f64],
    out: &mut [f64],
    out_dot: &mut [f64],
) -> ((), ()) {
    ascent_forward(p1, p2, out);
    direction_tangent(p1, p1_dot, p2, p2_dot, out_dot);
    ((), ())
}

/// Adds `out_bar`ᵀ·∂(∇ₚ₂f)/∂(p₁, p₂) into the shadows and zeroes `out_bar` (the direction
/// overwrites its buffer). The Hessian is symmetric, so that row vector is H·(0, out_bar).
fn direction_pullback(
    p1: &[f64],
    p1_bar: &mut [f64],
    p2: &[f64],
    p2_bar: &mut [f64],
    out_bar: &mut [f64],
) {
    let (h1, h2) = objective_hvp(p1, &vec![0.0; p1.len()], p2, out_bar);
    nested::add_into(p1_bar, &h1);
    nested::add_into(p2_bar, &h2);
    out_bar.fill(0.0);
}

/// Writes ∂(∇ₚ₂f)/∂(p₁, p₂)·(p1_dot, p2_dot), the p₂ block of H·(p1_dot, p2_dot), into
/// `out_dot`.
fn direction_tangent(p1: &[f64], p1_dot: &[f64], p2: &[f64], p2_dot: &[f64], out_dot: &mut [f64]) {
    let (_, h2) = objective_hvp(p1, p1_dot, p2, p2_dot);
    out_dot.copy_from_slice(&h2);
}

/// GradBench's argmax by gradient descent on −f(p₁, ·) from `start`, into `out` (two
/// entries): steps of size η along the ascent direction, η doubled after ten accepted steps
/// in a row and halved after a rejected one, until the direction or the step is shorter
/// than 10⁻⁵. `forward` says whether the direction comes from the forward
/// or the reverse mode.
// No second order: the hand-wired rules above have no dual forms for it to call.
#[differentiate(reverse, forward)]
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
