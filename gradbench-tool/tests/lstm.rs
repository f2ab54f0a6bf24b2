//! `lstm`: the loss against a second implementation that updates the state in place as
//! ADBench does, and its generated gradient against a hand-derived one for the output bias
//! and central differences for everything.

#![allow(clippy::needless_range_loop)]

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, lstm};
use serde_json::{json, Value};

/// Reproducible inputs in [0, 1) without a dependency (Knuth's MMIX LCG).
struct Lcg(u64);

impl Lcg {
    fn vec(&mut self, len: usize) -> Vec<f64> {
        (0..len)
            .map(|_| {
                self.0 = self
                    .0
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (self.0 >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect()
    }
}

/// Parameters and state uniform in [0, 1) like the eval's; a sequence of 0/1 bits.
fn problem(l: usize, b: usize, c: usize, seed: u64) -> lstm::Problem {
    let mut rng = Lcg(seed);
    lstm::Problem {
        l,
        b,
        c,
        main_params: rng.vec(2 * l * 4 * b),
        extra_params: rng.vec(3 * b),
        state: rng.vec(2 * l * b),
        sequence: rng.vec(c * b).iter().map(|v| v.round()).collect(),
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The predictions ŷₜ for t = 0..c − 1, with the state kept as one buffer of `2l` rows and
/// each layer reading the previous layer's hidden row where it lies.
fn predictions(p: &lstm::Problem) -> Vec<Vec<f64>> {
    let b = p.b;
    let mut state = p.state.clone();
    let mut out = Vec::new();
    for t in 0..p.c - 1 {
        let mut input: Vec<f64> = (0..b)
            .map(|i| p.sequence[t * b + i] * p.extra_params[i])
            .collect();
        for layer in 0..p.l {
            let w = &p.main_params[8 * b * layer..];
            let bias = &w[4 * b..];
            let (h, c) = (2 * layer * b, (2 * layer + 1) * b);
            for i in 0..b {
                let forget = sigmoid(input[i] * w[i] + bias[i]);
                let ingate = sigmoid(state[h + i] * w[b + i] + bias[b + i]);
                let outgate = sigmoid(input[i] * w[2 * b + i] + bias[2 * b + i]);
                let change = (state[h + i] * w[3 * b + i] + bias[3 * b + i]).tanh();
                state[c + i] = state[c + i] * forget + ingate * change;
                state[h + i] = outgate * state[c + i].tanh();
            }
            input = state[h..h + b].to_vec();
        }
        out.push(
            (0..b)
                .map(|i| input[i] * p.extra_params[b + i] + p.extra_params[2 * b + i])
                .collect(),
        );
    }
    out
}

fn loss_by_predictions(p: &lstm::Problem) -> f64 {
    let b = p.b;
    let mut total = 0.0;
    for (t, y) in predictions(p).iter().enumerate() {
        let lse = (y.iter().map(|v| v.exp()).sum::<f64>() + 2.0).ln();
        for i in 0..b {
            total += p.sequence[(t + 1) * b + i] * (y[i] - lse);
        }
    }
    -total / (b * (p.c - 1)) as f64
}

#[test]
fn loss_matches_in_place_implementation() {
    for p in [
        problem(1, 3, 4, 1),
        problem(2, 4, 6, 2),
        problem(3, 2, 5, 3),
    ] {
        assert_relative_eq!(p.objective(), loss_by_predictions(&p), max_relative = 1e-14);
    }
}

#[test]
fn output_bias_gradient_is_hand_derived() {
    // The output bias enters each ŷₜ directly and nothing else: with
    // pₜ = exp(ŷₜ) / (Σⱼ exp(ŷₜ,ⱼ) + 2), ∂loss/∂biasᵢ = −(1/(b(c − 1))) Σₜ (sₜ₊₁,ᵢ − pₜ,ᵢ Σⱼ sₜ₊₁,ⱼ).
    let p = problem(2, 3, 7, 4);
    let b = p.b;
    let mut expected = vec![0.0; b];
    for (t, y) in predictions(&p).iter().enumerate() {
        let denominator = y.iter().map(|v| v.exp()).sum::<f64>() + 2.0;
        let gold = &p.sequence[(t + 1) * b..(t + 2) * b];
        let gold_sum: f64 = gold.iter().sum();
        for i in 0..b {
            expected[i] -= (gold[i] - y[i].exp() / denominator * gold_sum) / (b * (p.c - 1)) as f64;
        }
    }
    let (main, extra) = p.gradient();
    assert_eq!(main.len(), p.main_params.len());
    assert_eq!(extra.len(), 3 * b);
    for (g, e) in extra[2 * b..].iter().zip(&expected) {
        assert_relative_eq!(*g, *e, max_relative = 1e-13, epsilon = 1e-16);
    }
}

#[test]
fn gradient_matches_central_differences() {
    for p in [
        problem(1, 3, 4, 5),
        problem(2, 4, 6, 6),
        problem(3, 2, 9, 7),
    ] {
        let split = p.main_params.len();
        let at = [p.main_params.clone(), p.extra_params.clone()].concat();
        let objective = |v: &[f64]| {
            let mut moved = p.clone();
            moved.main_params = v[..split].to_vec();
            moved.extra_params = v[split..].to_vec();
            moved.objective()
        };
        let numeric = common::central_difference(objective, &at, 1e-5);
        let (main, extra) = p.gradient();
        let generated = [main, extra].concat();
        assert_eq!(generated.len(), numeric.len());
        for (g, e) in generated.iter().zip(&numeric) {
            assert_relative_eq!(*g, *e, max_relative = 1e-7, epsilon = 1e-10);
        }
    }
}

/// The eval's input for `p`, rows as nested arrays.
fn input_json(p: &lstm::Problem) -> Value {
    let rows =
        |v: &[f64], w: usize| -> Vec<Vec<f64>> { v.chunks(w).map(<[f64]>::to_vec).collect() };
    json!({
        "main_params": rows(&p.main_params, 4 * p.b),
        "extra_params": rows(&p.extra_params, p.b),
        "state": rows(&p.state, p.b),
        "sequence": rows(&p.sequence, p.b),
        "min_runs": 2, "min_seconds": 0,
    })
}

#[test]
fn dispatch_reads_sizes_and_flattens_the_jacobian() {
    let p = problem(2, 3, 5, 8);
    let (output, timings) = modules::evaluate("lstm", "objective", input_json(&p)).unwrap();
    assert_eq!(timings.len(), 2);
    assert_eq!(output.as_f64(), Some(p.objective()));
    let (output, _) = modules::evaluate("lstm", "jacobian", input_json(&p)).unwrap();
    let (main, extra) = p.gradient();
    assert_eq!(output, json!([main, extra].concat()));
}

#[test]
fn bad_inputs_are_errors() {
    let good = input_json(&problem(1, 2, 3, 9));
    let with = |key: &str, value: Value| {
        let mut input = good.clone();
        input[key] = value;
        input
    };
    for (input, needle) in [
        (with("main_params", json!([])), "positive even number"),
        (
            with("main_params", json!([vec![1.0; 8]])),
            "positive even number",
        ),
        (
            with("main_params", json!([vec![1.0; 6], vec![1.0; 6]])),
            "multiple of 4",
        ),
        (
            with("main_params", json!([vec![1.0; 8], vec![1.0; 4]])),
            "a row of main_params has 4",
        ),
        (
            with("sequence", json!([[0.0, 1.0]])),
            "at least 2 characters",
        ),
        (with("state", json!([[0.0, 1.0]])), "state has 1 rows"),
        (
            with("extra_params", json!([[0.0, 1.0], [0.0, 1.0], [0.0]])),
            "a row of extra_params",
        ),
        (with("sequence", json!(3)), "invalid lstm input"),
    ] {
        let err = modules::evaluate("lstm", "objective", input).unwrap_err();
        assert!(err.contains(needle), "{err}");
    }
    let err = modules::evaluate("lstm", "gradient", good).unwrap_err();
    assert!(err.contains("no function \"gradient\""), "{err}");
}
