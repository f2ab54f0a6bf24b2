//! `gmm`: the log posterior against a direct evaluation of its definition (densities,
//! determinants, traces), and its generated gradient against a hand-derived one where that is
//! short and against central differences.

#![allow(clippy::needless_range_loop)]

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, gmm};
use serde_json::{json, Value};

/// Reproducible inputs in [lo, hi) without a dependency (Knuth's MMIX LCG).
struct Lcg(u64);

impl Lcg {
    fn vec(&mut self, len: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..len)
            .map(|_| {
                self.0 = self
                    .0
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                lo + (hi - lo) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
            })
            .collect()
    }
}

fn problem(d: usize, k: usize, n: usize, m: usize, gamma: f64, seed: u64) -> gmm::Problem {
    let mut rng = Lcg(seed);
    gmm::Problem {
        d,
        k,
        n,
        m,
        gamma,
        x: rng.vec(n * d, -1.5, 1.5),
        alpha: rng.vec(k, -1.0, 1.0),
        mu: rng.vec(k * d, 0.0, 1.0),
        q: rng.vec(k * d, -0.5, 0.5),
        l: rng.vec(k * d * (d - 1) / 2, -0.5, 0.5),
    }
}

/// The dense matrix Q of component `c`, row-major.
fn q_matrix(p: &gmm::Problem, c: usize) -> Vec<f64> {
    let d = p.d;
    let l_sz = d * (d - 1) / 2;
    let mut q = vec![0.0; d * d];
    let mut t = 0;
    for col in 0..d {
        q[col * d + col] = p.q[c * d + col].exp();
        for row in col + 1..d {
            q[row * d + col] = p.l[c * l_sz + t];
            t += 1;
        }
    }
    q
}

/// Determinant of a 2 × 2 or 3 × 3 row-major matrix.
fn det(a: &[f64], d: usize) -> f64 {
    match d {
        2 => a[0] * a[3] - a[1] * a[2],
        3 => {
            a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6])
                + a[2] * (a[3] * a[7] - a[4] * a[6])
        }
        _ => unreachable!(),
    }
}

/// The log posterior straight from the definition: Σ⁻¹ = QᵀQ, the Gaussian densities with
/// det Σ⁻¹ and the Wishart densities with det, trace and a multivariate gamma value given.
fn log_posterior_by_definition(p: &gmm::Problem, ln_multigamma: f64) -> f64 {
    let d = p.d;
    let sum_exp_alpha: f64 = p.alpha.iter().map(|a| a.exp()).sum();
    let precisions: Vec<Vec<f64>> = (0..p.k)
        .map(|c| {
            let q = q_matrix(p, c);
            let mut s = vec![0.0; d * d];
            for i in 0..d {
                for j in 0..d {
                    s[i * d + j] = (0..d).map(|r| q[r * d + i] * q[r * d + j]).sum();
                }
            }
            s
        })
        .collect();
    let mut log_likelihood = 0.0;
    for i in 0..p.n {
        let mut density = 0.0;
        for c in 0..p.k {
            let z: Vec<f64> = (0..d).map(|j| p.x[i * d + j] - p.mu[c * d + j]).collect();
            let s = &precisions[c];
            let quadratic: f64 = (0..d)
                .flat_map(|a| (0..d).map(move |b| (a, b)))
                .map(|(a, b)| z[a] * s[a * d + b] * z[b])
                .sum();
            let normalization = ((2.0 * std::f64::consts::PI).powi(d as i32) / det(s, d)).sqrt();
            let phi = p.alpha[c].exp() / sum_exp_alpha;
            density += phi * (-0.5 * quadratic).exp() / normalization;
        }
        log_likelihood += density.ln();
    }
    // Wishart with V = I / γ², so V⁻¹ = γ² I and det V = γ^(−2d).
    let dof = (d + p.m + 1) as f64;
    let mut log_prior = 0.0;
    for s in &precisions {
        let trace: f64 = (0..d).map(|j| p.gamma * p.gamma * s[j * d + j]).sum();
        let ln_det_v = -2.0 * d as f64 * p.gamma.ln();
        log_prior += 0.5 * (dof - d as f64 - 1.0) * det(s, d).ln()
            - 0.5 * trace
            - 0.5 * dof * d as f64 * 2f64.ln()
            - 0.5 * dof * ln_det_v
            - ln_multigamma;
    }
    log_likelihood + log_prior
}

#[test]
fn ln_gamma_of_halves() {
    let sqrt_pi = std::f64::consts::PI.sqrt();
    for (t, gamma) in [
        (1, sqrt_pi),
        (2, 1.0),
        (3, sqrt_pi / 2.0),
        (5, 0.75 * sqrt_pi),
        (8, 6.0),
        (9, 105.0 / 16.0 * sqrt_pi),
    ] {
        assert_relative_eq!(gmm::ln_gamma_half(t), f64::ln(gamma), epsilon = 1e-15);
    }
}

#[test]
fn objective_matches_definition() {
    // Γ₂(3/2) = √π Γ(3/2) Γ(1) = π/2 (d = 2, m = 0); Γ₂(2) = √π Γ(2) Γ(3/2) = π/2
    // (d = 2, m = 1); Γ₃(2) = π^(3/2) Γ(2) Γ(3/2) Γ(1) = π²/2 (d = 3, m = 0).
    let pi = std::f64::consts::PI;
    for (p, multigamma) in [
        (problem(2, 3, 4, 0, 1.0, 1), pi / 2.0),
        (problem(2, 2, 5, 1, 0.7, 2), pi / 2.0),
        (problem(3, 2, 3, 0, 1.3, 3), pi * pi / 2.0),
    ] {
        assert_relative_eq!(
            p.objective(),
            log_posterior_by_definition(&p, multigamma.ln()),
            max_relative = 1e-12
        );
    }
}

#[test]
fn gradient_of_prior_alone_is_hand_derived() {
    // With no points only the prior depends on the parameters:
    // ∂/∂qⱼ = m − γ² exp(2 qⱼ), ∂/∂l = −γ² l, and nothing for alpha and mu.
    let p = problem(3, 2, 0, 2, 0.8, 4);
    let (alpha, mu, q, l) = p.gradient();
    assert_eq!(alpha, vec![0.0; 2]);
    assert_eq!(mu, vec![0.0; 6]);
    for (g, qj) in q.iter().zip(&p.q) {
        assert_relative_eq!(*g, 2.0 - 0.64 * (2.0 * qj).exp(), max_relative = 1e-14);
    }
    for (g, lj) in l.iter().zip(&p.l) {
        assert_relative_eq!(*g, -0.64 * lj, max_relative = 1e-14);
    }
}

#[test]
fn single_component_alpha_has_zero_gradient() {
    // With one component the weight is always 1: ∂/∂α = n − n = 0.
    let p = problem(2, 1, 6, 0, 1.0, 5);
    let (alpha, _, _, _) = p.gradient();
    assert_eq!(alpha.len(), 1);
    assert!(alpha[0].abs() < 1e-14, "{alpha:?}");
}

#[test]
fn gradient_matches_central_differences() {
    for p in [
        problem(2, 3, 5, 0, 1.0, 6),
        problem(3, 2, 4, 2, 0.6, 7),
        problem(1, 2, 3, 0, 1.0, 8),
    ] {
        let (na, nm, nq) = (p.alpha.len(), p.mu.len(), p.q.len());
        let at = [p.alpha.clone(), p.mu.clone(), p.q.clone(), p.l.clone()].concat();
        let objective = |v: &[f64]| {
            let mut moved = p.clone();
            moved.alpha = v[..na].to_vec();
            moved.mu = v[na..na + nm].to_vec();
            moved.q = v[na + nm..na + nm + nq].to_vec();
            moved.l = v[na + nm + nq..].to_vec();
            moved.objective()
        };
        let numeric = common::central_difference(objective, &at, 1e-5);
        let (alpha, mu, q, l) = p.gradient();
        let generated = [alpha, mu, q, l].concat();
        assert_eq!(generated.len(), numeric.len());
        for (g, e) in generated.iter().zip(&numeric) {
            assert_relative_eq!(*g, *e, max_relative = 1e-7, epsilon = 1e-8);
        }
    }
}

/// The eval's input for `p`, rows as nested arrays.
fn input_json(p: &gmm::Problem) -> Value {
    let rows = |v: &[f64], count: usize, w: usize| -> Vec<Vec<f64>> {
        (0..count).map(|r| v[r * w..(r + 1) * w].to_vec()).collect()
    };
    let (d, k) = (p.d, p.k);
    json!({
        "d": d, "k": k, "n": p.n, "m": p.m, "gamma": p.gamma,
        "x": rows(&p.x, p.n, d), "alpha": p.alpha, "mu": rows(&p.mu, k, d),
        "q": rows(&p.q, k, d), "l": rows(&p.l, k, d * (d - 1) / 2),
        "min_runs": 2, "min_seconds": 0,
    })
}

#[test]
fn dispatch_shapes_the_output_like_the_input() {
    let p = problem(3, 2, 4, 1, 1.0, 9);
    let (output, timings) = modules::evaluate("gmm", "objective", input_json(&p)).unwrap();
    assert_eq!(timings.len(), 2);
    assert_eq!(output.as_f64(), Some(p.objective()));

    let (output, _) = modules::evaluate("gmm", "jacobian", input_json(&p)).unwrap();
    let (alpha, mu, q, l) = p.gradient();
    let object = output.as_object().expect("an object");
    assert_eq!(object.len(), 4);
    assert_eq!(output["alpha"], json!(alpha));
    assert_eq!(output["mu"], json!([&mu[..3], &mu[3..]]));
    assert_eq!(output["q"], json!([&q[..3], &q[3..]]));
    assert_eq!(output["l"], json!([&l[..3], &l[3..]]));

    // d = 1: the rows of l are empty.
    let p = problem(1, 2, 3, 0, 1.0, 10);
    let (output, _) = modules::evaluate("gmm", "jacobian", input_json(&p)).unwrap();
    assert_eq!(output["l"], json!([[], []]));
}

#[test]
fn bad_inputs_are_errors() {
    let good = input_json(&problem(2, 2, 3, 0, 1.0, 11));
    let with = |key: &str, value: Value| {
        let mut input = good.clone();
        input[key] = value;
        input
    };
    for (input, needle) in [
        (with("alpha", json!([1.0])), "alpha has 1 entries"),
        (with("mu", json!([[0.0, 0.0]])), "mu has 1 rows"),
        (
            with("x", json!([[0.0, 0.0], [0.0], [1.0, 1.0]])),
            "a row of x has 1",
        ),
        (with("l", json!([[0.0, 1.0], [0.0]])), "a row of l has 2"),
        (with("q", json!("no")), "invalid gmm input"),
        (with("d", json!(0)), "d and k must be at least 1"),
        (with("k", json!(-1)), "invalid gmm input"),
    ] {
        let err = modules::evaluate("gmm", "objective", input).unwrap_err();
        assert!(err.contains(needle), "{err}");
    }
    let err = modules::evaluate("gmm", "gradient", good).unwrap_err();
    assert!(err.contains("no function \"gradient\""), "{err}");
}
