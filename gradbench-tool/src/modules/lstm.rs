//! GradBench's `lstm` eval (from ADBench): the mean log-likelihood loss of a stacked LSTM
//! with diagonal weight matrices predicting each character of a sequence from the one
//! before, and its gradient with respect to the network's parameters.
//!
//! Sizes: `l` layers, characters of `b` bits, a sequence of `c` characters. `main_params`
//! has two rows of `4b` per layer (the weights, then the biases, each split into the forget,
//! input, output and change gates), `extra_params` three rows of `b` (input weight, output
//! weight, output bias), `state` two rows of `b` per layer (hidden, then cell).

#![allow(clippy::needless_range_loop)]

use autodiff::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The input of both `lstm` functions, as the eval sends it (rows as nested arrays).
#[derive(Debug, Deserialize)]
pub struct Input {
    /// `2l` rows of `4b`: per layer, the gates' weights and then their biases.
    pub main_params: Vec<Vec<f64>>,
    /// Three rows of `b`: input weight, output weight, output bias.
    pub extra_params: Vec<Vec<f64>>,
    /// `2l` rows of `b`: per layer, the hidden state and then the cell state.
    pub state: Vec<Vec<f64>>,
    /// `c` rows of `b`: the characters' bits.
    pub sequence: Vec<Vec<f64>>,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// A checked problem instance with every matrix flattened row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Number of layers.
    pub l: usize,
    /// Bits per character, the width of every layer.
    pub b: usize,
    /// Length of the sequence.
    pub c: usize,
    /// `2l × 4b`.
    pub main_params: Vec<f64>,
    /// `3 × b`.
    pub extra_params: Vec<f64>,
    /// `2l × b`.
    pub state: Vec<f64>,
    /// `c × b`.
    pub sequence: Vec<f64>,
}

/// Concatenates `rows`, which must be `count` rows of `width` entries each.
fn flatten(
    name: &str,
    rows: Vec<Vec<f64>>,
    count: usize,
    width: usize,
) -> Result<Vec<f64>, String> {
    if rows.len() != count {
        return Err(format!(
            "invalid lstm input: {name} has {} rows, expected {count}",
            rows.len()
        ));
    }
    if let Some(row) = rows.iter().find(|row| row.len() != width) {
        return Err(format!(
            "invalid lstm input: a row of {name} has {} entries, expected {width}",
            row.len()
        ));
    }
    Ok(rows.concat())
}

impl Problem {
    /// Reads the sizes off `main_params` and `sequence`, checks every shape against them and
    /// flattens the matrices.
    pub fn new(input: Input) -> Result<(Problem, Runs), String> {
        let Input {
            main_params,
            extra_params,
            state,
            sequence,
            runs,
        } = input;
        let rows = main_params.len();
        if rows == 0 || rows % 2 != 0 {
            return Err(format!(
                "invalid lstm input: main_params has {rows} rows, expected a positive even number"
            ));
        }
        let width = main_params[0].len();
        if width == 0 || width % 4 != 0 {
            return Err(format!(
                "invalid lstm input: main_params rows have {width} entries, expected a positive multiple of 4"
            ));
        }
        let (l, b, c) = (rows / 2, width / 4, sequence.len());
        // The loss averages over the c − 1 predictions.
        if c < 2 {
            return Err("invalid lstm input: sequence needs at least 2 characters".into());
        }
        let problem = Problem {
            main_params: flatten("main_params", main_params, 2 * l, 4 * b)?,
            extra_params: flatten("extra_params", extra_params, 3, b)?,
            state: flatten("state", state, 2 * l, b)?,
            sequence: flatten("sequence", sequence, c, b)?,
            l,
            b,
            c,
        };
        Ok((problem, runs))
    }

    /// The loss.
    pub fn objective(&self) -> f64 {
        loss(
            &self.main_params,
            &self.extra_params,
            &self.state,
            &self.sequence,
            self.l,
            self.b,
            self.c,
        )
    }

    /// The generated gradient with respect to `main_params` and `extra_params`, in that
    /// order, each flat row-major.
    pub fn gradient(&self) -> (Vec<f64>, Vec<f64>) {
        loss_grad(
            &self.main_params,
            &self.extra_params,
            &self.state,
            &self.sequence,
            self.l,
            self.b,
            self.c,
        )
    }
}

/// The logistic function `1 / (1 + e⁻ˣ)`.
#[differentiate]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// ADBench's `log(Σᵢ exp(vᵢ) + 2)`: a log-sum-exp with two extra terms of `exp(log 2)`, kept as
/// the eval defines it (no maximum is subtracted).
#[differentiate]
pub fn logsumexp_plus_two(v: &[f64]) -> f64 {
    let sum: f64 = v.iter().map(|x| x.exp()).sum();
    (sum + 2.0).ln()
}

/// One layer's step: updates `hidden` and `cell` from the layer's `input`, with the gates'
/// diagonal `weight`s and `bias`es (each four blocks of `hidden.len()`: forget, input,
/// output, change).
#[differentiate]
pub fn layer_step(
    weight: &[f64],
    bias: &[f64],
    input: &[f64],
    hidden: &mut [f64],
    cell: &mut [f64],
) {
    let b = hidden.len();
    for i in 0..b {
        let forget = sigmoid(input[i] * weight[i] + bias[i]);
        let ingate = sigmoid(hidden[i] * weight[b + i] + bias[b + i]);
        let outgate = sigmoid(input[i] * weight[2 * b + i] + bias[2 * b + i]);
        let change = (hidden[i] * weight[3 * b + i] + bias[3 * b + i]).tanh();
        cell[i] = cell[i] * forget + ingate * change;
        hidden[i] = outgate * cell[i].tanh();
    }
}

/// The loss `−(1 / (b (c − 1))) Σₜ Σᵢ sₜ₊₁,ᵢ (ŷₜ,ᵢ − log(Σⱼ exp(ŷₜ,ⱼ) + 2))`, where `ŷₜ` is the
/// network's prediction after reading character `t` (the state starts from `state` and is
/// carried through the sequence).
#[differentiate(wrt(main_params, extra_params))]
pub fn loss(
    main_params: &[f64],
    extra_params: &[f64],
    state: &[f64],
    sequence: &[f64],
    l: usize,
    b: usize,
    c: usize,
) -> f64 {
    // The state, split per layer into hidden and cell parts that the steps overwrite.
    let mut hidden = vec![0.0; l * b];
    let mut cell = vec![0.0; l * b];
    for layer in 0..l {
        for i in 0..b {
            hidden[layer * b + i] = state[2 * layer * b + i];
            cell[layer * b + i] = state[(2 * layer + 1) * b + i];
        }
    }
    let mut layer_input = vec![0.0; b];
    let mut prediction = vec![0.0; b];
    let mut total = 0.0;
    for t in 0..c - 1 {
        for i in 0..b {
            layer_input[i] = sequence[t * b + i] * extra_params[i];
        }
        for layer in 0..l {
            let params = 8 * b * layer;
            layer_step(
                &main_params[params..params + 4 * b],
                &main_params[params + 4 * b..params + 8 * b],
                &layer_input,
                &mut hidden[layer * b..(layer + 1) * b],
                &mut cell[layer * b..(layer + 1) * b],
            );
            // The next layer reads this layer's new hidden state.
            for i in 0..b {
                layer_input[i] = hidden[layer * b + i];
            }
        }
        for i in 0..b {
            prediction[i] = layer_input[i] * extra_params[b + i] + extra_params[2 * b + i];
        }
        let lse = logsumexp_plus_two(&prediction);
        for i in 0..b {
            total += sequence[(t + 1) * b + i] * (prediction[i] - lse);
        }
    }
    -total / (b * (c - 1)) as f64
}

/// Runs `objective` (the loss) or `jacobian` (its generated gradient: `main_params`' then
/// `extra_params`' entries, each row after row, in one array).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let (problem, runs) = Problem::new(parse_input("lstm", input)?)?;
    match function {
        "objective" => {
            let (output, timings) = run_timed(runs, || problem.objective());
            Ok((json!(output), timings))
        }
        "jacobian" => {
            let ((main, extra), timings) = run_timed(runs, || problem.gradient());
            Ok((json!([main, extra].concat()), timings))
        }
        _ => Err(unknown_function("lstm", function)),
    }
}
