//! The Gaussian-mixture-model objective of the ADBench suite, differentiated with
//! `#[differentiate]` and checked against a gradient derived by hand.
//!
//! A mixture of `k` Gaussians in `d` dimensions is fitted to `n` points. Its parameters are
//! the log-weights `alphas` (k), the `means` (k × d, row-major) and, for each component, the
//! factor `Q` of its inverse covariance `Σ⁻¹ = QᵀQ`, stored in `icf` (k × d(d+1)/2): first
//! the log of the `d` diagonal entries `q`, then the `d(d-1)/2` strictly-lower entries `l`,
//! column by column. With `Q = diag(exp(q)) + L`,
//!
//! ```text
//! objective = Σᵢ logsumexpₖ(αₖ + Σⱼ qₖⱼ − ½ ‖Qₖ (xᵢ − μₖ)‖²) − n logsumexp(α)
//!           + Σₖ [½ γ² (‖exp(qₖ)‖² + ‖lₖ‖²) − m Σⱼ qₖⱼ] − n d/2 log(2π).
//! ```
//!
//! The first two terms are the log-likelihood of the data under the mixture, the third is the
//! log of a Wishart prior on the inverse covariances (as in ADBench, without its
//! normalization constant, which depends on `γ`, `m` and `d` only), the last the Gaussian
//! normalization. Neither constant changes the gradient.
//!
//! ```text
//! cargo run --release --example gmm
//! ```
//!
//! `tests/gmm.rs` includes this file and checks the same functions against finite
//! differences and a second, dense implementation.

#![allow(clippy::needless_range_loop)]

use autodiff::prelude::*;

// ---- The objective, written as plain numeric Rust --------------------------------------------

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

/// `out = a − b`.
#[differentiate]
pub fn subtract(a: &[f64], b: &[f64], out: &mut [f64]) {
    for i in 0..a.len() {
        out[i] = a[i] - b[i];
    }
}

/// `out = Q v` with `Q = diag(exp(q)) + L`, `L` strictly lower triangular with the entries
/// `l` stored column by column.
#[differentiate]
pub fn q_times(q: &[f64], l: &[f64], v: &[f64], out: &mut [f64]) {
    let d = q.len();
    for i in 0..d {
        out[i] = q[i].exp() * v[i];
    }
    let mut idx = 0;
    for j in 0..d {
        for i in j + 1..d {
            out[i] += l[idx] * v[j];
            idx += 1;
        }
    }
}

/// `Σₖ [½ γ² (‖exp(qₖ)‖² + ‖lₖ‖²) − m Σⱼ qₖⱼ]`, given the sums `Σⱼ qₖⱼ`.
#[differentiate]
pub fn log_wishart_prior(icf: &[f64], sum_qs: &[f64], d: usize, gamma: f64, m: f64) -> f64 {
    let icf_sz = d * (d + 1) / 2;
    let mut out = 0.0;
    for (c, icf_c) in icf.chunks(icf_sz).enumerate() {
        let q = &icf_c[..d];
        let diag: f64 = q.iter().map(|qj| (2.0 * qj).exp()).sum();
        let frobenius = diag + sqnorm(&icf_c[d..]);
        out += 0.5 * gamma * gamma * frobenius - m * sum_qs[c];
    }
    out
}

/// The GMM objective: `x` holds `n` points of dimension `d` row by row; `k` components.
#[differentiate(wrt(alphas, means, icf))]
#[allow(clippy::too_many_arguments)]
pub fn gmm_objective(
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    d: usize,
    k: usize,
    gamma: f64,
    m: f64,
) -> f64 {
    let n = x.len() / d;
    let icf_sz = d * (d + 1) / 2;
    let mut sum_qs = vec![0.0; k];
    for c in 0..k {
        // The view gets a name first: `#[differentiate]` rejects `icf[a..b].iter()` as such.
        let q = &icf[c * icf_sz..c * icf_sz + d];
        sum_qs[c] = q.iter().sum();
    }
    let mut xcentered = vec![0.0; d];
    let mut qxcentered = vec![0.0; d];
    let mut main_term = vec![0.0; k];
    let mut slse = 0.0;
    for i in 0..n {
        for c in 0..k {
            let icf_c = &icf[c * icf_sz..(c + 1) * icf_sz];
            subtract(
                &x[i * d..(i + 1) * d],
                &means[c * d..(c + 1) * d],
                &mut xcentered,
            );
            q_times(&icf_c[..d], &icf_c[d..], &xcentered, &mut qxcentered);
            main_term[c] = alphas[c] + sum_qs[c] - 0.5 * sqnorm(&qxcentered);
        }
        slse += logsumexp(&main_term);
    }
    let constant = -0.5 * (n * d) as f64 * (2.0 * std::f64::consts::PI).ln();
    constant + slse - n as f64 * logsumexp(alphas) + log_wishart_prior(icf, &sum_qs, d, gamma, m)
}

// ---- A problem instance ---------------------------------------------------------------------

/// A tiny linear congruential generator (Knuth's MMIX constants): reproducible inputs without
/// a dependency.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    /// The next number, uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let unit = (self.0 >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }

    pub fn vec(&mut self, len: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..len).map(|_| self.uniform(lo, hi)).collect()
    }
}

/// The inputs of [`gmm_objective`].
pub struct Gmm {
    pub d: usize,
    pub k: usize,
    pub alphas: Vec<f64>,
    pub means: Vec<f64>,
    pub icf: Vec<f64>,
    pub x: Vec<f64>,
    pub gamma: f64,
    pub m: f64,
}

impl Gmm {
    /// `k` components in `d` dimensions and `n` points, all drawn from `Lcg::new(seed)`.
    pub fn random(d: usize, k: usize, n: usize, seed: u64) -> Self {
        let mut rng = Lcg::new(seed);
        Gmm {
            d,
            k,
            alphas: rng.vec(k, -1.0, 1.0),
            means: rng.vec(k * d, -1.0, 1.0),
            icf: rng.vec(k * d * (d + 1) / 2, -0.5, 0.5),
            x: rng.vec(n * d, -1.5, 1.5),
            gamma: 1.0,
            m: 0.5,
        }
    }

    pub fn objective(&self) -> f64 {
        let (a, mu, icf, x) = (&self.alphas, &self.means, &self.icf, &self.x);
        gmm_objective(a, mu, icf, x, self.d, self.k, self.gamma, self.m)
    }

    /// The generated gradient: `(∂/∂alphas, ∂/∂means, ∂/∂icf)`.
    pub fn generated_gradient(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (a, mu, icf, x) = (&self.alphas, &self.means, &self.icf, &self.x);
        gmm_objective_grad(a, mu, icf, x, self.d, self.k, self.gamma, self.m)
    }

    /// The same gradient, derived by hand.
    ///
    /// For point `i` and component `c` write `zᵢ꜀ = xᵢ − μ꜀`, `yᵢ꜀ = Q꜀ zᵢ꜀` and
    /// `βᵢ꜀ = α꜀ + Σⱼ q꜀ⱼ − ½ ‖yᵢ꜀‖²`, so that the data term is `Σᵢ logsumexp꜀(βᵢ꜀)`.
    ///
    /// - `∂ logsumexp(βᵢ)/∂βᵢ꜀ = rᵢ꜀ = exp(βᵢ꜀ − logsumexp(βᵢ))`, the responsibility of
    ///   component `c` for point `i`; likewise `∂ logsumexp(α)/∂α꜀ = softmax(α)꜀`.
    /// - alphas: `∂βᵢ꜀/∂α꜀ = 1`, so `∂/∂α꜀ = Σᵢ rᵢ꜀ − n softmax(α)꜀`.
    /// - means: `∂(−½ ‖Qz‖²)/∂z = −Qᵀ y` and `∂z/∂μ = −I`, so `∂/∂μ꜀ = Σᵢ rᵢ꜀ Q꜀ᵀ yᵢ꜀`,
    ///   where `(Qᵀ y)_b = exp(q_b) y_b + Σ_{a>b} L_ab y_a`.
    /// - q: `y_j = exp(q_j) z_j + Σ_{b<j} L_jb z_b` depends on `q_j` through its first term,
    ///   and `q_j` also enters `β` through `Σⱼ qⱼ`, so `∂βᵢ꜀/∂q꜀ⱼ = 1 − y_j exp(q_j) z_j`.
    ///   The prior adds `∂/∂q_j [½ γ² exp(2 q_j) − m q_j] = γ² exp(2 q_j) − m`.
    /// - l: the entry of `l` holding `L_ab` (`a > b`) enters only `y_a`, with
    ///   `∂y_a/∂L_ab = z_b`, so `∂βᵢ꜀/∂L_ab = −y_a z_b`; the prior adds `γ² L_ab`.
    pub fn hand_gradient(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (d, k, n) = (self.d, self.k, self.x.len() / self.d);
        let icf_sz = d * (d + 1) / 2;
        let mut g_alphas = vec![0.0; k];
        let mut g_means = vec![0.0; k * d];
        let mut g_icf = vec![0.0; k * icf_sz];

        // The prior and the −n logsumexp(α) term.
        let lse_alpha = plain_logsumexp(&self.alphas);
        for c in 0..k {
            g_alphas[c] -= n as f64 * (self.alphas[c] - lse_alpha).exp();
            let icf_c = &self.icf[c * icf_sz..(c + 1) * icf_sz];
            for j in 0..d {
                g_icf[c * icf_sz + j] += self.gamma * self.gamma * (2.0 * icf_c[j]).exp() - self.m;
            }
            for t in d..icf_sz {
                g_icf[c * icf_sz + t] += self.gamma * self.gamma * icf_c[t];
            }
        }

        // The data term, point by point.
        let mut z = vec![vec![0.0; d]; k];
        let mut y = vec![vec![0.0; d]; k];
        let mut beta = vec![0.0; k];
        for i in 0..n {
            let xi = &self.x[i * d..(i + 1) * d];
            for c in 0..k {
                let icf_c = &self.icf[c * icf_sz..(c + 1) * icf_sz];
                for j in 0..d {
                    z[c][j] = xi[j] - self.means[c * d + j];
                }
                // y = Q z, with l walked column by column.
                for a in 0..d {
                    y[c][a] = icf_c[a].exp() * z[c][a];
                }
                let mut t = d;
                for b in 0..d {
                    for a in b + 1..d {
                        y[c][a] += icf_c[t] * z[c][b];
                        t += 1;
                    }
                }
                let sum_q: f64 = icf_c[..d].iter().sum();
                beta[c] = self.alphas[c] + sum_q - 0.5 * y[c].iter().map(|v| v * v).sum::<f64>();
            }
            let lse = plain_logsumexp(&beta);
            for c in 0..k {
                let r = (beta[c] - lse).exp();
                let icf_c = &self.icf[c * icf_sz..(c + 1) * icf_sz];
                let g_icf_c = &mut g_icf[c * icf_sz..(c + 1) * icf_sz];
                g_alphas[c] += r;
                for j in 0..d {
                    // Qᵀ y: the diagonal part here, the strictly-lower part below.
                    g_means[c * d + j] += r * icf_c[j].exp() * y[c][j];
                    g_icf_c[j] += r * (1.0 - y[c][j] * icf_c[j].exp() * z[c][j]);
                }
                let mut t = d;
                for b in 0..d {
                    for a in b + 1..d {
                        g_means[c * d + b] += r * icf_c[t] * y[c][a];
                        g_icf_c[t] -= r * y[c][a] * z[c][b];
                        t += 1;
                    }
                }
            }
        }
        (g_alphas, g_means, g_icf)
    }
}

/// `log Σ exp(vᵢ)` for the hand-derived gradient, outside of any macro.
pub fn plain_logsumexp(v: &[f64]) -> f64 {
    let mx = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    mx + v.iter().map(|x| (x - mx).exp()).sum::<f64>().ln()
}

/// The three gradient parts as one vector: alphas, then means, then icf.
pub fn flatten((a, mu, icf): (Vec<f64>, Vec<f64>, Vec<f64>)) -> Vec<f64> {
    [a, mu, icf].concat()
}

// ---- Run it ---------------------------------------------------------------------------------

fn main() {
    let (d, k, n) = (2, 3, 200);
    let problem = Gmm::random(d, k, n, 2024);
    println!(
        "GMM objective, d = {d}, k = {k}, n = {n}: {:.12}",
        problem.objective()
    );

    let generated = flatten(problem.generated_gradient());
    let hand = flatten(problem.hand_gradient());
    println!("\n{:<11} {:>22} {:>22}", "entry", "generated", "by hand");
    let icf_sz = d * (d + 1) / 2;
    let names = (0..k)
        .map(|c| format!("alphas[{c}]"))
        .chain((0..k * d).map(|t| format!("means[{}][{}]", t / d, t % d)))
        .chain((0..k * icf_sz).map(|t| format!("icf[{}][{}]", t / icf_sz, t % icf_sz)));
    for (name, (g, h)) in names.zip(generated.iter().zip(&hand)) {
        println!("{name:<11} {g:>22.15} {h:>22.15}");
    }

    let max_diff = generated
        .iter()
        .zip(&hand)
        .map(|(g, h)| (g - h).abs())
        .fold(0.0, f64::max);
    let scale = hand.iter().fold(1.0, |s: f64, h| s.max(h.abs()));
    println!(
        "\nmax |generated − by hand| over {} entries: {max_diff:.3e}",
        hand.len()
    );
    if max_diff > 1e-9 * scale {
        println!("the gradients disagree");
        std::process::exit(1);
    }
    println!("the gradients agree");
}
