//! GradBench's `llsq` eval: half the squared residual of fitting the sign function on a grid
//! of `n` points in [-1, 1] by a polynomial with coefficients `x`.

use autodiff::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The input of both `llsq` functions.
#[derive(Debug, Deserialize)]
pub struct Input {
    /// Polynomial coefficients, constant term first.
    pub x: Vec<f64>,
    /// Number of grid points.
    pub n: usize,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// y(x) = ½ Σᵢ (sᵢ − Σⱼ xⱼ tᵢʲ)² with tᵢ = −1 + 2i/(n − 1) and sᵢ = sign(tᵢ).
#[differentiate]
pub fn objective(x: &[f64], n: usize) -> f64 {
    let mut sum = 0.0;
    for i in 0..n {
        let t = -1.0 + i as f64 * 2.0 / (n as f64 - 1.0);
        // `signum` would give sign(0) = 1; the eval wants 0 at the grid's midpoint.
        let s = if t > 0.0 {
            1.0
        } else if t < 0.0 {
            -1.0
        } else {
            0.0
        };
        // One running power of t, as in the definition, instead of calling `powi` per term.
        let mut residual = s;
        let mut power = 1.0;
        for &coefficient in x {
            residual -= coefficient * power;
            power *= t;
        }
        sum += residual * residual;
    }
    sum / 2.0
}

/// Runs `primal` (the objective) or `gradient` (its generated gradient `objective_grad`).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let Input { x, n, runs } = parse_input("llsq", input)?;
    // tᵢ divides by n − 1: a one-point grid is undefined (and would answer NaN).
    if n == 1 {
        return Err("invalid llsq input: n must not be 1".into());
    }
    match function {
        "primal" => {
            let (output, timings) = run_timed(runs, || objective(&x, n));
            Ok((json!(output), timings))
        }
        "gradient" => {
            let (output, timings) = run_timed(runs, || objective_grad(&x, n));
            Ok((json!(output), timings))
        }
        _ => Err(unknown_function("llsq", function)),
    }
}
