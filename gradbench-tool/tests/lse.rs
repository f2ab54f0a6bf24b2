//! `lse`: log-sum-exp and its generated gradient against the softmax and central
//! differences.

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, lse};
use serde_json::json;

#[test]
fn value_on_small_inputs() {
    assert_relative_eq!(lse::logsumexp(&[0.0, 0.0]), 2f64.ln(), max_relative = 1e-15);
    assert_relative_eq!(
        lse::logsumexp(&[1.0, 2.0, 3.0]),
        (1f64.exp() + 2f64.exp() + 3f64.exp()).ln(),
        max_relative = 1e-14
    );
    // Subtracting the max keeps large inputs finite.
    assert_relative_eq!(
        lse::logsumexp(&[1000.0, 1000.0]),
        1000.0 + 2f64.ln(),
        max_relative = 1e-15
    );
}

#[test]
fn gradient_is_softmax() {
    for x in [
        vec![1.0, 2.0, 3.0],
        vec![-0.5],
        vec![1000.0, 999.0, 1000.0],
        vec![2.0, 2.0, 2.0, 2.0],
    ] {
        let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = x.iter().map(|v| (v - m).exp()).sum();
        let got = lse::logsumexp_grad(&x);
        assert_eq!(got.len(), x.len());
        for (g, v) in got.iter().zip(&x) {
            assert_relative_eq!(*g, (v - m).exp() / total, max_relative = 1e-12);
        }
    }
}

#[test]
fn gradient_matches_central_differences() {
    let x = [0.3, -1.7, 2.2, 0.9, 2.1, -0.05];
    let numeric = common::central_difference(lse::logsumexp, &x, 1e-5);
    for (g, e) in lse::logsumexp_grad(&x).iter().zip(&numeric) {
        assert_relative_eq!(*g, *e, max_relative = 1e-7);
    }
}

#[test]
fn dispatch_and_bad_inputs() {
    let input = json!({"x": [0.0, 0.0], "min_runs": 2, "min_seconds": 0});
    let (output, timings) = modules::evaluate("lse", "gradient", input).unwrap();
    assert_eq!(output, json!([0.5, 0.5]));
    assert_eq!(timings.len(), 2);

    let err = modules::evaluate("lse", "primal", json!({"x": []})).unwrap_err();
    assert!(err.contains("must not be empty"), "{err}");
    let err = modules::evaluate("lse", "primal", json!({"y": [1.0]})).unwrap_err();
    assert!(err.starts_with("invalid lse input"), "{err}");
    let err = modules::evaluate("lse", "jacobian", json!({"x": [1.0]})).unwrap_err();
    assert!(err.contains("jacobian"), "{err}");
}
