//! GradBench's `lse` eval: log-sum-exp, computed stably from a maximum and a sum.

use autodiff::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The input of both `lse` functions.
#[derive(Debug, Deserialize)]
pub struct Input {
    /// The values; must not be empty.
    pub x: Vec<f64>,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// LSE(x) = a + ln Σᵢ exp(xᵢ − a) with a = max x.
#[differentiate]
pub fn logsumexp(x: &[f64]) -> f64 {
    let mut max = f64::NEG_INFINITY;
    for &v in x {
        max = max.max(v);
    }
    // The result does not depend on `a` mathematically (its partial derivative is
    // 1 − Σ softmax = 0), so detaching it loses nothing and spares the reverse sweep the
    // max loop and the rounding of a term that should cancel.
    let a = stop_gradient(max);
    let sum: f64 = x.iter().map(|v| (v - a).exp()).sum();
    a + sum.ln()
}

/// Runs `primal` (log-sum-exp) or `gradient` (its generated gradient `logsumexp_grad`).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let Input { x, runs } = parse_input("lse", input)?;
    if x.is_empty() {
        return Err("invalid lse input: x must not be empty".into());
    }
    match function {
        "primal" => {
            let (output, timings) = run_timed(runs, || logsumexp(&x));
            Ok((json!(output), timings))
        }
        "gradient" => {
            let (output, timings) = run_timed(runs, || logsumexp_grad(&x));
            Ok((json!(output), timings))
        }
        _ => Err(unknown_function("lse", function)),
    }
}
