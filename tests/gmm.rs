//! The ADBench Gaussian-mixture-model objective of `examples/gmm.rs`, end to end: the
//! generated gradient against central finite differences and against the gradient derived
//! by hand in the example, and the objective's value against a second, dense implementation.

#![allow(clippy::needless_range_loop)]

#[path = "../examples/gmm.rs"]
#[allow(dead_code)]
mod example;

use autodiff::testing::{assert_gradient_close, gradient};
use example::{flatten, gmm_objective, gmm_objective_adjoint, gmm_objective_hvp, Gmm};

/// The problems checked: the two sizes asked for, then the first again with equal weights
/// (a tie in `logsumexp(alphas)`) and with points far from the means (large negative
/// `main_term`s, where `logsumexp` must subtract its maximum).
fn problems() -> Vec<(&'static str, Gmm)> {
    let mut tied = Gmm::random(2, 3, 5, 7);
    tied.alphas = vec![0.0; 3];
    let mut spread = Gmm::random(2, 3, 5, 11);
    spread.x.iter_mut().for_each(|v| *v *= 6.0);
    vec![
        ("d=2 k=3 n=5", Gmm::random(2, 3, 5, 1)),
        ("d=3 k=2 n=4", Gmm::random(3, 2, 4, 2)),
        ("d=2 k=3 n=5, equal alphas", tied),
        ("d=2 k=3 n=5, distant points", spread),
    ]
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// The objective as a function of all the differentiated inputs at once: alphas, means, icf.
fn objective_of_flat(p: &Gmm) -> impl Fn(&[f64]) -> f64 + '_ {
    let (na, nm) = (p.alphas.len(), p.means.len());
    move |v| {
        let (alphas, rest) = v.split_at(na);
        let (means, icf) = rest.split_at(nm);
        gmm_objective(alphas, means, icf, &p.x, p.d, p.k, p.gamma, p.m)
    }
}

#[test]
fn gradient_matches_finite_differences() {
    for (name, p) in problems() {
        let generated = flatten(p.generated_gradient());
        let at = [p.alphas.clone(), p.means.clone(), p.icf.clone()].concat();
        let numeric = gradient(objective_of_flat(&p), &at);
        println!(
            "{name}: max |generated − finite differences| = {:.3e}",
            max_abs_diff(&generated, &numeric)
        );
        assert_gradient_close(&generated, &numeric, 1e-6);
    }
}

#[test]
fn gradient_matches_the_hand_derived_one() {
    for (name, p) in problems() {
        let generated = flatten(p.generated_gradient());
        let hand = flatten(p.hand_gradient());
        println!(
            "{name}: max |generated − by hand| = {:.3e}",
            max_abs_diff(&generated, &hand)
        );
        assert_gradient_close(&generated, &hand, 1e-9);
    }
}

/// The mixture log-likelihood and prior computed another way: `Q` as a dense matrix, the
/// precision `P = QᵀQ`, the Gaussian log-densities `−d/2 log 2π + ½ log det P − ½ zᵀ P z`
/// with `log det P = 2 Σ q`, the weights `softmax(α)`, the likelihood summed without
/// `logsumexp`, and the prior from the Frobenius norm of `Q` and `log det Q = Σ q`.
fn dense_objective(p: &Gmm) -> f64 {
    let (d, k, n) = (p.d, p.k, p.x.len() / p.d);
    let icf_sz = d * (d + 1) / 2;
    let total_weight: f64 = p.alphas.iter().map(|a| a.exp()).sum();
    let mut precisions = Vec::new();
    let mut prior = 0.0;
    for c in 0..k {
        let icf_c = &p.icf[c * icf_sz..(c + 1) * icf_sz];
        let mut q = vec![vec![0.0; d]; d];
        let mut t = d;
        for col in 0..d {
            q[col][col] = icf_c[col].exp();
            for row in col + 1..d {
                q[row][col] = icf_c[t];
                t += 1;
            }
        }
        let mut precision = vec![vec![0.0; d]; d];
        for a in 0..d {
            for b in 0..d {
                precision[a][b] = (0..d).map(|r| q[r][a] * q[r][b]).sum();
            }
        }
        let log_det_q: f64 = (0..d).map(|j| q[j][j].ln()).sum();
        let frobenius: f64 = q.iter().flatten().map(|v| v * v).sum();
        prior += 0.5 * p.gamma * p.gamma * frobenius - p.m * log_det_q;
        precisions.push((precision, 2.0 * log_det_q));
    }
    let mut log_likelihood = 0.0;
    for i in 0..n {
        let mut likelihood = 0.0;
        for c in 0..k {
            let (precision, log_det_p) = &precisions[c];
            let z: Vec<f64> = (0..d)
                .map(|j| p.x[i * d + j] - p.means[c * d + j])
                .collect();
            let mut quad = 0.0;
            for a in 0..d {
                for b in 0..d {
                    quad += z[a] * precision[a][b] * z[b];
                }
            }
            let log_density =
                -0.5 * d as f64 * (2.0 * std::f64::consts::PI).ln() + 0.5 * log_det_p - 0.5 * quad;
            likelihood += p.alphas[c].exp() / total_weight * log_density.exp();
        }
        log_likelihood += likelihood.ln();
    }
    log_likelihood + prior
}

#[test]
fn value_matches_a_dense_implementation() {
    for (name, p) in problems() {
        let (value, dense) = (p.objective(), dense_objective(&p));
        println!(
            "{name}: objective {value:.15}, dense {dense:.15}, difference {:.3e}",
            value - dense
        );
        assert!(
            (value - dense).abs() <= 1e-12 * value.abs().max(1.0),
            "{name}: {value} vs {dense}"
        );
    }
}

/// The adjoint accumulates `d_out` × the gradient into the shadows it is given.
#[test]
fn adjoint_accumulates_into_the_shadows() {
    let p = Gmm::random(2, 3, 5, 1);
    let (ga, gm, gi) = p.generated_gradient();
    let mut alphas_bar = vec![1.0; p.alphas.len()];
    let mut means_bar = vec![1.0; p.means.len()];
    let mut icf_bar = vec![1.0; p.icf.len()];
    let (value, ()) = gmm_objective_adjoint(
        &p.alphas,
        &mut alphas_bar,
        &p.means,
        &mut means_bar,
        &p.icf,
        &mut icf_bar,
        &p.x,
        p.d,
        p.k,
        p.gamma,
        p.m,
        0.5,
    );
    assert_eq!(value, p.objective());
    let expected = |g: &[f64]| g.iter().map(|v| 1.0 + 0.5 * v).collect::<Vec<_>>();
    assert_gradient_close(&alphas_bar, &expected(&ga), 1e-12);
    assert_gradient_close(&means_bar, &expected(&gm), 1e-12);
    assert_gradient_close(&icf_bar, &expected(&gi), 1e-12);
}

/// The objective calls six other differentiated functions, and without options gets a
/// Hessian-vector product through their dual forms: checked against central differences
/// of the generated gradient along the same direction.
#[test]
fn hessian_vector_product_through_the_helpers() {
    for (name, p) in problems() {
        let at = [p.alphas.clone(), p.means.clone(), p.icf.clone()].concat();
        let direction: Vec<f64> = (0..at.len())
            .map(|i| ((i * 7 + 3) % 11) as f64 / 11.0 - 0.4)
            .collect();
        let (na, nm) = (p.alphas.len(), p.means.len());
        let (va, rest) = direction.split_at(na);
        let (vm, vi) = rest.split_at(nm);
        let (ha, hm, hi) = gmm_objective_hvp(
            &p.alphas, va, &p.means, vm, &p.icf, vi, &p.x, p.d, p.k, p.gamma, p.m,
        );
        let generated = [ha, hm, hi].concat();
        let gradient_at = |t: f64| {
            let moved: Vec<f64> = at.iter().zip(&direction).map(|(a, v)| a + t * v).collect();
            let (alphas, rest) = moved.split_at(na);
            let (means, icf) = rest.split_at(nm);
            let moved = Gmm {
                alphas: alphas.to_vec(),
                means: means.to_vec(),
                icf: icf.to_vec(),
                x: p.x.clone(),
                ..p
            };
            flatten(moved.generated_gradient())
        };
        let h = 1e-5;
        let numeric: Vec<f64> = gradient_at(h)
            .iter()
            .zip(gradient_at(-h))
            .map(|(u, d)| (u - d) / (2.0 * h))
            .collect();
        println!(
            "{name}: max |H·v − differences of the gradient| = {:.3e}",
            max_abs_diff(&generated, &numeric)
        );
        assert_gradient_close(&generated, &numeric, 1e-6);
    }
}
