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
//! mode of `potential` (`?r`) or its forward mode (`?f`), and its derivative, which the
//! outer sweeps need, is the generated Hessian-vector product `potential_hvp` (see
//! [`super::nested`]).

use autodiff::prelude::*;
use autodiff::NoTangent;
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

/// p(x; w) = 1/‖x − (10, 10 − w)‖ + 1/‖x − (10, 0)‖.
#[differentiate(hessian)]
pub fn potential(w: f64, x: &[f64]) -> f64 {
    let (ax, ay) = (10.0 - x[0], 10.0 - w - x[1]);
    let (bx, by) = (10.0 - x[0], 0.0 - x[1]);
    1.0 / (ax * ax + ay * ay).sqrt() + 1.0 / (bx * bx + by * by).sqrt()
}

/// ∇ₓp(x; w) into `out` from the generated gradient `potential_grad`: one reverse sweep.
pub fn field_reverse(w: f64, x: &[f64], out: &mut [f64]) {
    let (_, gradient) = potential_grad(w, x);
    out.copy_from_slice(&gradient);
}

/// ∇ₓp(x; w) into `out` from the generated forward mode `potential_tangent`: one pass per
/// coordinate of x.
pub fn field_forward(w: f64, x: &[f64], out: &mut [f64]) {
    let mut x_dot = vec![0.0; x.len()];
    for (i, slot) in out.iter_mut().enumerate() {
        x_dot[i] = 1.0;
        *slot = potential_tangent(w, 0.0, x, &x_dot).1;
        x_dot[i] = 0.0;
    }
}

// The derivatives of the fields, which the generated sweeps of `landing` call
// (`<callee>_pullback` in reverse, `<callee>_tangent_all` in forward). The field is ∇ₓp, so
// its derivative is a block of p's Hessian, and both are one generated `potential_hvp`.

/// The reverse-mode rule of [`field_reverse`], for `landing`'s generated reverse sweep.
#[doc(hidden)]
pub fn field_reverse_pullback(
    w: f64,
    x: &[f64],
    x_bar: &mut [f64],
    out: &mut [f64],
    out_bar: &mut [f64],
    d_out: (),
) -> ((), (f64, NoTangent, NoTangent)) {
    field_reverse(w, x, out);
    (
        d_out,
        (field_pullback(w, x, x_bar, out_bar), NoTangent, NoTangent),
    )
}

/// The forward-mode rule of [`field_reverse`], for `landing`'s generated forward mode.
#[doc(hidden)]
pub fn field_reverse_tangent_all(
    w: f64,
    w_dot: f64,
    x: &[f64],
    x_dot: &[f64],
    out: &mut [f64],
    out_dot: &mut [f64],
) -> ((), ()) {
    field_reverse(w, x, out);
    field_tangent(w, w_dot, x, x_dot, out_dot);
    ((), ())
}

/// The reverse-mode rule of [`field_forward`], for `landing`'s generated reverse sweep.
#[doc(hidden)]
pub fn field_forward_pullback(
    w: f64,
    x: &[f64],
    x_bar: &mut [f64],
    out: &mut [f64],
    out_bar: &mut [f64],
    d_out: (),
) -> ((), (f64, NoTangent, NoTangent)) {
    field_forward(w, x, out);
    (
        d_out,
        (field_pullback(w, x, x_bar, out_bar), NoTangent, NoTangent),
    )
}

/// The forward-mode rule of [`field_forward`], for `landing`'s generated forward mode.
#[doc(hidden)]
pub fn field_forward_tangent_all(
    w: f64,
    w_dot: f64,
    x: &[f64],
    x_dot: &[f64],
    out: &mut [f64],
    out_dot: &mut [f64],
) -> ((), ()) {
    field_forward(w, x, out);
    field_tangent(w, w_dot, x, x_dot, out_dot);
    ((), ())
}

/// Adds `out_bar`ᵀ·∂(∇ₓp)/∂x into `x_bar`, zeroes `out_bar` (the field overwrites its
/// buffer) and returns `out_bar`ᵀ·∂(∇ₓp)/∂w. The Hessian is symmetric, so that row vector
/// is H·(0, out_bar).
fn field_pullback(w: f64, x: &[f64], x_bar: &mut [f64], out_bar: &mut [f64]) -> f64 {
    let (h_w, h_x) = potential_hvp(w, 0.0, x, out_bar);
    nested::add_into(x_bar, &h_x);
    out_bar.fill(0.0);
    h_w
}

/// Writes ∂(∇ₓp)/∂(w, x)·(w_dot, x_dot), the x block of H·(w_dot, x_dot), into `out_dot`.
fn field_tangent(w: f64, w_dot: f64, x: &[f64], x_dot: &[f64], out_dot: &mut [f64]) {
    let (_, h_x) = potential_hvp(w, w_dot, x, x_dot);
    out_dot.copy_from_slice(&h_x);
}

/// x₀(t_f)²: the particle is moved by Euler steps (position first, with the old velocity;
/// then the velocity, with the acceleration −∇ₓp at the old position) until its height is
/// at most 0, and t_f is where the last step's straight line crosses the x axis. `forward`
/// says whether ∇ₓp comes from the forward or the reverse mode. NaN if the particle has not
/// come down after [`MAX_STEPS`] steps.
// No second order: the hand-wired rules above have no dual forms for it to call.
#[differentiate(reverse, forward)]
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
