//! A scripted session piped through the built binary, checking every response line.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

/// Runs the tool on `lines` and returns its parsed stdout lines and its exit status.
fn session(lines: &[&str]) -> (Vec<Value>, std::process::ExitStatus) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gradbench-tool"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the tool");
    {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        for line in lines {
            writeln!(stdin, "{line}").expect("write a message");
        }
        // Dropping stdin ends the input, which must end the session.
    }
    let output = child.wait_with_output().expect("wait for the tool");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let responses = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each response is one JSON line"))
        .collect();
    (responses, output.status)
}

fn floats(value: &Value) -> Vec<f64> {
    serde_json::from_value(value.clone()).expect("an array of numbers")
}

fn assert_timings(response: &Value, runs: usize) {
    let timings = response["timings"].as_array().expect("timings");
    assert_eq!(timings.len(), runs, "{response}");
    for timing in timings {
        assert_eq!(timing["name"], "evaluate");
        assert!(timing["nanoseconds"].is_u64(), "{timing}");
    }
}

#[test]
fn scripted_session() {
    let (responses, status) = session(&[
        r#"{"id": 0, "kind": "start", "eval": "hello"}"#,
        r#"{"id": 1, "kind": "define", "module": "hello"}"#,
        r#"{"id": 2, "kind": "evaluate", "module": "hello", "function": "square", "input": 3.0}"#,
        r#"{"id": 3, "kind": "evaluate", "module": "hello", "function": "double", "input": 9.0}"#,
        r#"{"id": 4, "kind": "analysis", "of": 3, "valid": true}"#,
        r#"{"id": 5, "kind": "define", "module": "llsq"}"#,
        r#"{"id": 6, "kind": "evaluate", "module": "llsq", "function": "primal", "input": {"x": [0.1, 0.2, 0.3], "n": 5, "min_runs": 2, "min_seconds": 0}}"#,
        r#"{"id": 7, "kind": "evaluate", "module": "llsq", "function": "gradient", "input": {"x": [0.1, 0.2, 0.3], "n": 5, "min_runs": 3, "min_seconds": 0}, "description": "n=5,m=3"}"#,
        r#"{"id": 8, "kind": "define", "module": "lse"}"#,
        r#"{"id": 9, "kind": "evaluate", "module": "lse", "function": "primal", "input": {"x": [0.0, 0.0], "min_runs": 1, "min_seconds": 0}}"#,
        r#"{"id": 10, "kind": "evaluate", "module": "lse", "function": "gradient", "input": {"x": [0.0, 0.0], "min_runs": 1, "min_seconds": 0}}"#,
        r#"{"id": 11, "kind": "define", "module": "nope"}"#,
        r#"{"id": 12, "kind": "evaluate", "module": "nope", "function": "cost", "input": {}}"#,
        r#"{"id": 13, "kind": "evaluate", "module": "lse", "function": "gradient", "input": {"x": "oops"}}"#,
        r#"{"id": 14, "kind": "evaluate", "module": "lse", "function": "gradient"}"#,
        r#"{"id": 15, "kind": "evaluate", "module""#,
        r#"{"kind": "start"}"#,
        "",
        r#"{"id": 16, "kind": "end"}"#,
    ]);
    assert!(status.success(), "{status}");
    assert_eq!(responses.len(), 18, "{responses:#?}");

    assert_eq!(responses[0], json!({"id": 0, "tool": "autodiff"}));
    assert_eq!(responses[1], json!({"id": 1, "success": true}));

    assert_eq!(responses[2]["id"], 2);
    assert_eq!(responses[2]["success"], true);
    assert_eq!(responses[2]["output"], 9.0);
    assert_timings(&responses[2], 1);
    assert_eq!(responses[3]["output"], 18.0);
    assert_eq!(responses[4], json!({"id": 4}));

    assert_eq!(responses[5], json!({"id": 5, "success": true}));
    assert_eq!(responses[6]["id"], 6);
    let expected = 0.5 * (1.44 + 1.155625 + 0.01 + 0.525625 + 0.16);
    let primal = responses[6]["output"].as_f64().expect("a number");
    assert!((primal - expected).abs() < 1e-12, "{primal}");
    assert_timings(&responses[6], 2);
    assert_eq!(responses[7]["id"], 7);
    let gradient = floats(&responses[7]["output"]);
    for (g, e) in gradient.iter().zip([1.25, -2.5, 0.8875]) {
        assert!((g - e).abs() < 1e-12, "{gradient:?}");
    }
    assert_timings(&responses[7], 3);

    assert_eq!(responses[8], json!({"id": 8, "success": true}));
    let lse = responses[9]["output"].as_f64().expect("a number");
    assert!((lse - 2f64.ln()).abs() < 1e-15);
    assert_eq!(responses[10]["output"], json!([0.5, 0.5]));
    assert_timings(&responses[10], 1);

    for (index, id, needle) in [
        (11, json!(11), "unknown module \"nope\""),
        (12, json!(12), "unknown module \"nope\""),
        (13, json!(13), "invalid lse input"),
        (
            14,
            json!(14),
            "needs \"module\", \"function\" and \"input\"",
        ),
        (15, Value::Null, "malformed JSON"),
        (16, Value::Null, "invalid message"),
    ] {
        let response = &responses[index];
        assert_eq!(response["id"], id, "{response}");
        assert_eq!(response["success"], false, "{response}");
        let error = response["error"].as_str().expect("an error string");
        assert!(error.contains(needle), "{error}");
    }
    // Unknown kinds are acknowledged, as the protocol asks.
    assert_eq!(responses[17], json!({"id": 16}));
}

#[test]
fn empty_input_ends_quietly() {
    let (responses, status) = session(&[]);
    assert!(status.success());
    assert!(responses.is_empty());
}

#[test]
fn det_session() {
    let (responses, status) = session(&[
        r#"{"id": 0, "kind": "start"}"#,
        r#"{"id": 1, "kind": "define", "module": "det"}"#,
        r#"{"id": 2, "kind": "evaluate", "module": "det", "function": "primal", "input": {"A": [1.0, 2.0, 3.0, 4.0], "ell": 2, "min_runs": 1, "min_seconds": 0}}"#,
        r#"{"id": 3, "kind": "evaluate", "module": "det", "function": "gradient", "input": {"A": [1.0, 2.0, 3.0, 4.0], "ell": 2, "min_runs": 1, "min_seconds": 0}}"#,
    ]);
    assert!(status.success());
    assert_eq!(responses.len(), 4);
    assert_eq!(responses[1], json!({"id": 1, "success": true}));
    assert_eq!(responses[2]["output"], -2.0);
    assert_eq!(responses[3]["output"], json!([4.0, -3.0, -2.0, 1.0]));
    assert_timings(&responses[3], 1);
}

#[test]
fn ode_session() {
    let input = r#"{"x": [0.3, 0.9, 0.5, 0.7], "s": 2, "min_runs": 1, "min_seconds": 0}"#;
    let (responses, status) = session(&[
        r#"{"id": 0, "kind": "start"}"#,
        r#"{"id": 1, "kind": "define", "module": "ode"}"#,
        &format!(
            r#"{{"id": 2, "kind": "evaluate", "module": "ode", "function": "primal", "input": {input}}}"#
        ),
        &format!(
            r#"{{"id": 3, "kind": "evaluate", "module": "ode", "function": "gradient", "input": {input}}}"#
        ),
    ]);
    assert!(status.success());
    assert_eq!(responses.len(), 4);
    assert_eq!(responses[1], json!({"id": 1, "success": true}));
    // Classic Runge–Kutta is exact for four components: yᵢ(2) = x₀ ⋯ xᵢ 2ⁱ⁺¹ / (i + 1)!.
    let primal = floats(&responses[2]["output"]);
    for (got, want) in primal.iter().zip([0.6, 0.54, 0.18, 0.063]) {
        assert!((got - want).abs() < 1e-14, "{primal:?}");
    }
    // ∂y₃/∂xⱼ = y₃ / xⱼ.
    let gradient = floats(&responses[3]["output"]);
    for (got, want) in gradient.iter().zip([0.21, 0.07, 0.126, 0.09]) {
        assert!((got - want).abs() < 1e-14, "{gradient:?}");
    }
    assert_timings(&responses[3], 1);
}

#[test]
fn gmm_session() {
    // d = 1, k = 1, one point at the mean, m = 0, γ = 1, q = l = 0: β = α − 0 + 0 and
    // log posterior = α − logsumexp(α) − ½ log 2π − ½ exp(2q) + 2 log(1/√2) − log Γ(1).
    let input = r#"{"d": 1, "k": 1, "n": 1, "x": [[0.5]], "m": 0, "gamma": 1.0, "alpha": [0.3], "mu": [[0.5]], "q": [[0.0]], "l": [[]], "min_runs": 1, "min_seconds": 0}"#;
    let (responses, status) = session(&[
        r#"{"id": 0, "kind": "start"}"#,
        r#"{"id": 1, "kind": "define", "module": "gmm"}"#,
        &format!(
            r#"{{"id": 2, "kind": "evaluate", "module": "gmm", "function": "objective", "input": {input}}}"#
        ),
        &format!(
            r#"{{"id": 3, "kind": "evaluate", "module": "gmm", "function": "jacobian", "input": {input}}}"#
        ),
    ]);
    assert!(status.success());
    assert_eq!(responses.len(), 4);
    assert_eq!(responses[1], json!({"id": 1, "success": true}));
    let expected = -0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 - std::f64::consts::LN_2;
    let objective = responses[2]["output"].as_f64().expect("a number");
    assert!((objective - expected).abs() < 1e-14, "{objective}");
    // ∂/∂α = 1 − 1; ∂/∂μ = 0 at the point; ∂/∂q = 1 (the log det) − exp(2q) (the prior).
    assert_eq!(
        responses[3]["output"],
        json!({"alpha": [0.0], "mu": [[0.0]], "q": [[0.0]], "l": [[]]})
    );
    assert_timings(&responses[3], 1);
}

#[test]
fn lstm_session() {
    // One layer of two bits, three characters: 2 × 8 main and 3 × 2 extra parameters.
    let input = r#"{"main_params": [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]], "extra_params": [[0.5, 0.5], [1.0, 2.0], [0.0, 0.1]], "state": [[0.2, 0.4], [0.6, 0.8]], "sequence": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], "min_runs": 1, "min_seconds": 0}"#;
    let (responses, status) = session(&[
        r#"{"id": 0, "kind": "start"}"#,
        r#"{"id": 1, "kind": "define", "module": "lstm"}"#,
        &format!(
            r#"{{"id": 2, "kind": "evaluate", "module": "lstm", "function": "objective", "input": {input}}}"#
        ),
        &format!(
            r#"{{"id": 3, "kind": "evaluate", "module": "lstm", "function": "jacobian", "input": {input}}}"#
        ),
    ]);
    assert!(status.success());
    assert_eq!(responses.len(), 4);
    assert_eq!(responses[1], json!({"id": 1, "success": true}));
    // A log-likelihood of bits under probabilities below 1: the loss is positive.
    let loss = responses[2]["output"].as_f64().expect("a number");
    assert!(loss > 0.0 && loss.is_finite(), "{loss}");
    assert_eq!(floats(&responses[3]["output"]).len(), 16 + 6);
    assert_timings(&responses[3], 1);
}

#[test]
fn ba_session() {
    // No rotation, camera at the origin, focal length 2, principal point (½, −½): the point
    // (1, 2, 4) projects to (1, ½); with w = 2 and feature (0, 0) the errors are (2, 1).
    let input = r#"{"n": 1, "m": 1, "p": 2, "cam": [0, 0, 0, 0, 0, 0, 2, 0.5, -0.5, 0, 0], "x": [1, 2, 4], "w": 2, "feat": [0, 0], "min_runs": 1, "min_seconds": 0}"#;
    let (responses, status) = session(&[
        r#"{"id": 0, "kind": "start"}"#,
        r#"{"id": 1, "kind": "define", "module": "ba"}"#,
        &format!(
            r#"{{"id": 2, "kind": "evaluate", "module": "ba", "function": "objective", "input": {input}}}"#
        ),
        &format!(
            r#"{{"id": 3, "kind": "evaluate", "module": "ba", "function": "jacobian", "input": {input}}}"#
        ),
    ]);
    assert!(status.success());
    assert_eq!(responses.len(), 4);
    assert_eq!(responses[1], json!({"id": 1, "success": true}));
    assert_eq!(
        responses[2]["output"],
        json!({"reproj_error": {"elements": [2.0, 1.0], "repeated": 2},
               "w_err": {"element": -3.0, "repeated": 2}})
    );
    // Two observations: 4 rows of 15 and 2 of 1, so 7 row pointers, then the last again.
    let jacobian = &responses[3]["output"];
    assert_eq!(jacobian["rows"], json!([0, 15, 30, 45, 60, 61, 62, 62]));
    // The last entry is ∂(1 − w²)/∂w = −4 for the second weight, column 11 + 3 + 1.
    assert_eq!(jacobian["cols"][30], 15);
    assert_eq!(jacobian["vals"][30], -4.0);
    assert_timings(&responses[3], 1);
}

#[test]
fn kmeans_session() {
    let input = r#"{"points": [[0.0, 0.0], [1.0, 0.0], [4.0, 2.0], [6.0, 2.0]], "centroids": [[1.0, 1.0], [5.0, 1.0]], "min_runs": 1, "min_seconds": 0}"#;
    let (responses, status) = session(&[
        r#"{"id": 0, "kind": "start"}"#,
        r#"{"id": 1, "kind": "define", "module": "kmeans"}"#,
        &format!(
            r#"{{"id": 2, "kind": "evaluate", "module": "kmeans", "function": "cost", "input": {input}}}"#
        ),
        &format!(
            r#"{{"id": 3, "kind": "evaluate", "module": "kmeans", "function": "dir", "input": {input}}}"#
        ),
    ]);
    assert!(status.success());
    assert_eq!(responses.len(), 4);
    assert_eq!(responses[1], json!({"id": 1, "success": true}));
    // Squared distances 2 and 1 to (1, 1), 2 and 2 to (5, 1).
    assert_eq!(responses[2]["output"], 7.0);
    // Each centroid minus the mean of its cluster, (0.5, 0) and (5, 2).
    assert_eq!(responses[3]["output"], json!([[0.5, 1.0], [0.0, -1.0]]));
    assert_timings(&responses[3], 1);
}

#[test]
fn nested_sessions() {
    let (responses, status) = session(&[
        r#"{"id": 0, "kind": "start"}"#,
        r#"{"id": 1, "kind": "define", "module": "saddle"}"#,
        r#"{"id": 2, "kind": "evaluate", "module": "saddle", "function": "rf", "input": {"start": [1.0, 1.0], "min_runs": 1, "min_seconds": 0}}"#,
        r#"{"id": 3, "kind": "define", "module": "particle"}"#,
        r#"{"id": 4, "kind": "evaluate", "module": "particle", "function": "fr", "input": {"w": 0.0, "min_runs": 1, "min_seconds": 0}}"#,
    ]);
    assert!(status.success());
    assert_eq!(responses.len(), 5);
    assert_eq!(responses[1], json!({"id": 1, "success": true}));
    // GradBench's expected outputs.
    for value in floats(&responses[2]["output"]) {
        assert!((value - 8.246324826140356e-06).abs() < 1e-17, "{value}");
    }
    assert_timings(&responses[2], 1);
    assert_eq!(responses[3], json!({"id": 3, "success": true}));
    let w = responses[4]["output"].as_f64().expect("a number");
    assert!((w - 0.2071918746486116).abs() < 1e-13, "{w}");
    assert_timings(&responses[4], 1);
}
