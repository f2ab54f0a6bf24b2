//! `hello`: the square and its generated derivative.

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, hello};
use serde_json::json;

#[test]
fn square_and_its_gradient() {
    for x in [-3.5, 0.0, 1.0, 2.25] {
        assert_eq!(hello::square(x), x * x);
        assert_relative_eq!(hello::square_grad(x), 2.0 * x, max_relative = 1e-12);
    }
}

#[test]
fn dispatch_returns_output_and_one_timing() {
    let (output, timings) = modules::evaluate("hello", "double", json!(4.0)).unwrap();
    assert_eq!(output, json!(8.0));
    assert_eq!(timings.len(), 1);
    assert_eq!(timings[0].name, "evaluate");
}

#[test]
fn bad_function_and_input_are_errors() {
    let err = modules::evaluate("hello", "cube", json!(2.0)).unwrap_err();
    assert!(err.contains("cube"), "{err}");
    let err = modules::evaluate("hello", "square", json!([2.0])).unwrap_err();
    assert!(err.contains("invalid hello input"), "{err}");
}
