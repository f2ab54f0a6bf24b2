//! GradBench's `hello` eval: `square` is x², `double` is its derivative.

use autodiff::prelude::*;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The `square` function, x²; `double` is its generated derivative `square_grad`.
#[differentiate]
pub fn square(x: f64) -> f64 {
    x * x
}

/// Runs `square` or `double` on a bare number (this eval sends no `min_runs`, so once).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let x: f64 = parse_input("hello", input)?;
    let (output, timings) = match function {
        "square" => run_timed(Runs::default(), || square(x)),
        "double" => run_timed(Runs::default(), || square_grad(x)),
        _ => return Err(unknown_function("hello", function)),
    };
    Ok((json!(output), timings))
}
