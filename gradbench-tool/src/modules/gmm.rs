//! GradBench's `gmm` eval: the log posterior of a Gaussian mixture model with a Wishart prior
//! on its precision matrices, and its gradient with respect to the mixture's parameters.
//!
//! Component `c` has the log-weight parameter `alpha[c]`, the mean `mu[c]` and the precision
//! matrix `QᵀQ`, where `Q` is lower triangular with diagonal `exp(q[c])` and the strictly lower
//! entries `l[c]` filled column by column. With `βᵢ꜀ = α꜀ + Σⱼ q꜀ⱼ − ½ ‖Q꜀ (xᵢ − μ꜀)‖²`,
//!
//! ```text
//! log posterior = Σᵢ logsumexp꜀(βᵢ꜀) − N logsumexp(α) − N D/2 log 2π
//!               + Σ꜀ [m Σⱼ q꜀ⱼ − ½ γ² ‖Q꜀‖²_F] + K (n D log(γ/√2) − log Γ_D(n/2)),
//! ```
//!
//! with `n = D + m + 1` the Wishart prior's degrees of freedom.

#![allow(clippy::needless_range_loop)]

use autodiff::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The input of both `gmm` functions, as the eval sends it (rows as nested arrays).
#[derive(Debug, Deserialize)]
pub struct Input {
    /// Dimension of the space.
    pub d: usize,
    /// Number of mixture components.
    pub k: usize,
    /// Number of points.
    pub n: usize,
    /// The points, `n` rows of `d`.
    pub x: Vec<Vec<f64>>,
    /// Additional degrees of freedom of the Wishart prior.
    pub m: usize,
    /// Precision of the Wishart prior.
    pub gamma: f64,
    /// Weight parameters, one per component.
    pub alpha: Vec<f64>,
    /// Means, `k` rows of `d`.
    pub mu: Vec<Vec<f64>>,
    /// Logarithms of the diagonals of the `Q`s, `k` rows of `d`.
    pub q: Vec<Vec<f64>>,
    /// Strictly lower triangles of the `Q`s, column by column, `k` rows of `d(d − 1)/2`.
    pub l: Vec<Vec<f64>>,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// A checked problem instance with every matrix flattened row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dimension of the space.
    pub d: usize,
    /// Number of mixture components.
    pub k: usize,
    /// Number of points.
    pub n: usize,
    /// The points, `n × d`.
    pub x: Vec<f64>,
    /// Additional degrees of freedom of the Wishart prior.
    pub m: usize,
    /// Precision of the Wishart prior.
    pub gamma: f64,
    /// Weight parameters, `k`.
    pub alpha: Vec<f64>,
    /// Means, `k × d`.
    pub mu: Vec<f64>,
    /// Logarithms of the diagonals of the `Q`s, `k × d`.
    pub q: Vec<f64>,
    /// Strictly lower triangles of the `Q`s, `k × d(d − 1)/2`.
    pub l: Vec<f64>,
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
            "invalid gmm input: {name} has {} rows, expected {count}",
            rows.len()
        ));
    }
    if let Some(row) = rows.iter().find(|row| row.len() != width) {
        return Err(format!(
            "invalid gmm input: a row of {name} has {} entries, expected {width}",
            row.len()
        ));
    }
    Ok(rows.concat())
}

impl Problem {
    /// Checks the shapes of `input` against `d`, `k` and `n` and flattens its matrices.
    pub fn new(input: Input) -> Result<(Problem, Runs), String> {
        let Input {
            d,
            k,
            n,
            x,
            m,
            gamma,
            alpha,
            mu,
            q,
            l,
            runs,
        } = input;
        // logsumexp over no components and Q of no dimensions are undefined.
        if d == 0 || k == 0 {
            return Err("invalid gmm input: d and k must be at least 1".into());
        }
        if alpha.len() != k {
            return Err(format!(
                "invalid gmm input: alpha has {} entries, expected k = {k}",
                alpha.len()
            ));
        }
        let problem = Problem {
            x: flatten("x", x, n, d)?,
            mu: flatten("mu", mu, k, d)?,
            q: flatten("q", q, k, d)?,
            l: flatten("l", l, k, d * (d - 1) / 2)?,
            d,
            k,
            n,
            m,
            gamma,
            alpha,
        };
        Ok((problem, runs))
    }

    /// The log posterior.
    pub fn objective(&self) -> f64 {
        let Problem {
            d, k, n, m, gamma, ..
        } = *self;
        log_posterior(
            &self.alpha,
            &self.mu,
            &self.q,
            &self.l,
            &self.x,
            d,
            k,
            n,
            gamma,
            m,
        )
    }

    /// The generated gradient `(∂/∂alpha, ∂/∂mu, ∂/∂q, ∂/∂l)`, flat like the parameters.
    pub fn gradient(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let Problem {
            d, k, n, m, gamma, ..
        } = *self;
        log_posterior_grad(
            &self.alpha,
            &self.mu,
            &self.q,
            &self.l,
            &self.x,
            d,
            k,
            n,
            gamma,
            m,
        )
    }
}

/// `log Σᵢ exp(vᵢ)`, with the maximum subtracted so that no `exp` overflows.
#[differentiate]
pub fn logsumexp(v: &[f64]) -> f64 {
    let mx = v.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let s: f64 = v.iter().map(|x| (x - mx).exp()).sum();
    mx + s.ln()
}

/// `‖v‖²`.
#[differentiate]
pub fn sqnorm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum()
}

/// `out = Q (x − μ)` for the lower triangular `Q` with diagonal `diag` and strictly lower
/// entries `lower`, stored column by column. One function rather than a difference into a
/// buffer and a product of that buffer: each point and component then makes one recorded
/// call and one overwritten buffer instead of two.
#[differentiate]
pub fn q_times_difference(diag: &[f64], lower: &[f64], x: &[f64], mu: &[f64], out: &mut [f64]) {
    let d = diag.len();
    for i in 0..d {
        out[i] = diag[i] * (x[i] - mu[i]);
    }
    let mut idx = 0;
    for j in 0..d {
        let centered = x[j] - mu[j];
        for i in j + 1..d {
            out[i] += lower[idx] * centered;
            idx += 1;
        }
    }
}

/// The part of the log Wishart prior that depends on the parameters:
/// `Σ꜀ [m Σⱼ q꜀ⱼ − ½ γ² (‖exp(q꜀)‖² + ‖l꜀‖²)]`, given `diags = exp(q)` and `sum_qs`.
#[differentiate]
pub fn log_wishart_prior(diags: &[f64], l: &[f64], sum_qs: &[f64], gamma: f64, m: usize) -> f64 {
    let k = sum_qs.len();
    let d = diags.len() / k;
    let l_sz = l.len() / k;
    let mut out = 0.0;
    for c in 0..k {
        let frobenius = sqnorm(&diags[c * d..(c + 1) * d]) + sqnorm(&l[c * l_sz..(c + 1) * l_sz]);
        out += m as f64 * sum_qs[c] - 0.5 * gamma * gamma * frobenius;
    }
    out
}

/// `log Γ(t / 2)` for an integer `t ≥ 1`, exactly from Γ(1) = 1, Γ(½) = √π and
/// Γ(z + 1) = z Γ(z): the only arguments the Wishart normalization needs.
pub fn ln_gamma_half(t: usize) -> f64 {
    let mut out = if t % 2 == 0 {
        0.0
    } else {
        0.5 * std::f64::consts::PI.ln()
    };
    // Γ(t/2) = (t/2 − 1)(t/2 − 2)⋯ down to Γ(1) or Γ(½).
    let mut z = t as f64 / 2.0 - 1.0;
    while z > 0.25 {
        out += z.ln();
        z -= 1.0;
    }
    out
}

/// The log normalization of one Wishart density with `V = I/γ²` and `n = d + m + 1`:
/// `n d log(γ/√2) − log Γ_d(n/2)`, where the multivariate gamma function is
/// `Γ_d(a) = π^(d(d−1)/4) Πⱼ₌₁..d Γ(a + (1 − j)/2)`.
pub fn wishart_normalization(d: usize, m: usize, gamma: f64) -> f64 {
    let n = d + m + 1;
    let mut ln_multigamma = 0.25 * (d * (d - 1)) as f64 * std::f64::consts::PI.ln();
    for j in 1..=d {
        // a + (1 − j)/2 = (n + 1 − j)/2.
        ln_multigamma += ln_gamma_half(n + 1 - j);
    }
    (n * d) as f64 * (gamma.ln() - 0.5 * std::f64::consts::LN_2) - ln_multigamma
}

/// The log posterior; `x` holds `n` points of dimension `d` row by row, `mu` and `q` are
/// `k × d`, `l` is `k × d(d − 1)/2`.
#[differentiate(wrt(alpha, mu, q, l))]
#[allow(clippy::too_many_arguments)]
pub fn log_posterior(
    alpha: &[f64],
    mu: &[f64],
    q: &[f64],
    l: &[f64],
    x: &[f64],
    d: usize,
    k: usize,
    n: usize,
    gamma: f64,
    m: usize,
) -> f64 {
    let l_sz = d * (d - 1) / 2;
    let mut diags = vec![0.0; k * d];
    for i in 0..k * d {
        diags[i] = q[i].exp();
    }
    let mut sum_qs = vec![0.0; k];
    for c in 0..k {
        // The view gets a name first: `#[differentiate]` rejects `q[a..b].iter()` as such.
        let q_c = &q[c * d..(c + 1) * d];
        sum_qs[c] = q_c.iter().sum();
    }
    let mut q_centered = vec![0.0; d];
    let mut beta = vec![0.0; k];
    let mut data_term = 0.0;
    for i in 0..n {
        for c in 0..k {
            q_times_difference(
                &diags[c * d..(c + 1) * d],
                &l[c * l_sz..(c + 1) * l_sz],
                &x[i * d..(i + 1) * d],
                &mu[c * d..(c + 1) * d],
                &mut q_centered,
            );
            beta[c] = alpha[c] + sum_qs[c] - 0.5 * sqnorm(&q_centered);
        }
        data_term += logsumexp(&beta);
    }
    let gaussian_normalization = -0.5 * (n * d) as f64 * (2.0 * std::f64::consts::PI).ln();
    let prior_normalization = k as f64 * stop_gradient(wishart_normalization(d, m, gamma));
    data_term - n as f64 * logsumexp(alpha)
        + gaussian_normalization
        + log_wishart_prior(&diags, l, &sum_qs, gamma, m)
        + prior_normalization
}

/// Splits the flat `values` into rows of `width` for the JSON output.
fn rows(values: &[f64], count: usize, width: usize) -> Vec<&[f64]> {
    (0..count)
        .map(|r| &values[r * width..(r + 1) * width])
        .collect()
}

/// Runs `objective` (the log posterior) or `jacobian` (its generated gradient, as an object
/// with the fields `alpha`, `mu`, `q` and `l` shaped like the input's).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let (problem, runs) = Problem::new(parse_input("gmm", input)?)?;
    match function {
        "objective" => {
            let (output, timings) = run_timed(runs, || problem.objective());
            Ok((json!(output), timings))
        }
        "jacobian" => {
            let ((alpha, mu, q, l), timings) = run_timed(runs, || problem.gradient());
            let (d, k) = (problem.d, problem.k);
            let output = json!({
                "alpha": alpha,
                "mu": rows(&mu, k, d),
                "q": rows(&q, k, d),
                "l": rows(&l, k, d * (d - 1) / 2),
            });
            Ok((output, timings))
        }
        _ => Err(unknown_function("gmm", function)),
    }
}
