//! The ADBench GMM objective of `examples/gmm.rs` (included as it is; its `main` is just an
//! unused function of the module here) at (d, k, n) = (2, 5, 1000), (10, 25, 1000) and
//! (64, 10, 1000): the primal, the generated `gmm_objective_grad` (three fresh `Vec`s) and
//! `gmm_objective_adjoint` (into reused shadows, zeroed before every call), the example's
//! hand-derived gradient, and at the smallest size num-dual's forward mode, one `Dual64`
//! pass per parameter.
//!
//! A second group per size, `gmm_pieces`, times one call of the helpers the objective calls
//! n·k (`q_times`) and n (`logsumexp`) times, primal against generated adjoint: it shows
//! where the adjoint's time goes.

#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

mod common;

#[path = "../examples/gmm.rs"]
#[allow(dead_code)]
mod gmm;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use gmm::{
    flatten, gmm_objective, gmm_objective_adjoint, gmm_objective_grad, logsumexp,
    logsumexp_adjoint, q_times, q_times_adjoint, subtract, Gmm,
};
use num_dual::{Dual64, DualNum};

const SIZES: [(usize, usize, usize); 3] = [(2, 5, 1000), (10, 25, 1000), (64, 10, 1000)];
/// Forward mode needs one pass per parameter: k (1 + d + d(d+1)/2) of them, 30 at the
/// smallest size, 1 625 and 21 450 at the others.
const DUAL_MAX_PARAMS: usize = 100;

/// `log Σ exp(vᵢ)` over dual numbers, the maximum (by real part) subtracted.
fn logsumexp_generic<T: DualNum<Primitive = f64> + Copy>(v: &[T]) -> T {
    let mx = v
        .iter()
        .fold(v[0], |m, &x| if x.re() > m.re() { x } else { m });
    let s: T = v.iter().map(|&x| (x - mx).exp()).sum();
    mx + s.ln()
}

/// The GMM objective written once more, generic over num-dual's number types, with the same
/// parameter layout as [`gmm_objective`].
fn gmm_generic<T: DualNum<Primitive = f64> + Copy>(
    alphas: &[T],
    means: &[T],
    icf: &[T],
    x: &[f64],
    d: usize,
    k: usize,
    gamma: f64,
    m: f64,
) -> T {
    let n = x.len() / d;
    let icf_sz = d * (d + 1) / 2;
    let sum_qs: Vec<T> = (0..k)
        .map(|c| icf[c * icf_sz..c * icf_sz + d].iter().copied().sum())
        .collect();
    let exp_q: Vec<T> = (0..k)
        .flat_map(|c| icf[c * icf_sz..c * icf_sz + d].iter().map(|q| q.exp()))
        .collect();
    let mut z = vec![T::zero(); d];
    let mut y = vec![T::zero(); d];
    let mut main_term = vec![T::zero(); k];
    let mut slse = T::zero();
    for i in 0..n {
        for c in 0..k {
            let icf_c = &icf[c * icf_sz..(c + 1) * icf_sz];
            for j in 0..d {
                z[j] = means[c * d + j] * -1.0 + x[i * d + j];
            }
            for j in 0..d {
                y[j] = exp_q[c * d + j] * z[j];
            }
            let mut t = d;
            for b in 0..d {
                for a in b + 1..d {
                    y[a] += icf_c[t] * z[b];
                    t += 1;
                }
            }
            let sq: T = y.iter().map(|&v| v * v).sum();
            main_term[c] = alphas[c] + sum_qs[c] - sq * 0.5;
        }
        slse += logsumexp_generic(&main_term);
    }
    let mut prior = T::zero();
    for c in 0..k {
        let icf_c = &icf[c * icf_sz..(c + 1) * icf_sz];
        let frobenius: T = icf_c[..d].iter().map(|&q| (q * 2.0).exp()).sum::<T>()
            + icf_c[d..].iter().map(|&l| l * l).sum::<T>();
        prior += frobenius * (0.5 * gamma * gamma) - sum_qs[c] * m;
    }
    let constant = -0.5 * (n * d) as f64 * (2.0 * std::f64::consts::PI).ln();
    slse - logsumexp_generic(alphas) * n as f64 + prior + constant
}

/// Forward mode: one pass per parameter, seeding it in a reused dual copy of all of them.
fn gmm_num_dual(p: &Gmm, work: &mut Vec<Dual64>, g: &mut [f64]) -> f64 {
    let (na, nm) = (p.alphas.len(), p.means.len());
    work.clear();
    work.extend(
        p.alphas
            .iter()
            .chain(&p.means)
            .chain(&p.icf)
            .map(|&v| Dual64::from_re(v)),
    );
    let mut value = 0.0;
    for j in 0..work.len() {
        work[j].eps = 1.0;
        let (alphas, rest) = work.split_at(na);
        let (means, icf) = rest.split_at(nm);
        let r = gmm_generic(alphas, means, icf, &p.x, p.d, p.k, p.gamma, p.m);
        work[j].eps = 0.0;
        g[j] = r.eps;
        value = r.re;
    }
    value
}

fn bench(c: &mut Criterion) {
    for &(d, k, n) in &SIZES {
        let p = Gmm::random(d, k, n, 2024);
        let (alphas, means, icf, x) = (&p.alphas, &p.means, &p.icf, &p.x);
        let (gamma, m) = (p.gamma, p.m);
        let params = alphas.len() + means.len() + icf.len();

        // Every variant must compute the same gradient before any is timed.
        let hand = flatten(p.hand_gradient());
        common::assert_agree("generated", &flatten(p.generated_gradient()), &hand, 1e-9);
        let (mut a_bar, mut mu_bar, mut icf_bar) =
            (vec![0.0; k], vec![0.0; k * d], vec![0.0; icf.len()]);
        let (value, ()) = gmm_objective_adjoint(
            alphas,
            &mut a_bar,
            means,
            &mut mu_bar,
            icf,
            &mut icf_bar,
            x,
            d,
            k,
            gamma,
            m,
            1.0,
        );
        assert_eq!(value, p.objective());
        let adjoint = flatten((a_bar.clone(), mu_bar.clone(), icf_bar.clone()));
        common::assert_agree("generated adjoint", &adjoint, &hand, 1e-9);
        let dual_ok = params <= DUAL_MAX_PARAMS;
        if dual_ok {
            let mut g = vec![0.0; params];
            let v = gmm_num_dual(&p, &mut Vec::new(), &mut g);
            assert!((v - value).abs() <= 1e-10 * value.abs(), "{v} vs {value}");
            common::assert_agree("num-dual", &g, &hand, 1e-9);
        }

        let mut group = c.benchmark_group(format!("gmm/d={d},k={k},n={n}"));
        if d * d * k > 1000 {
            common::slow(&mut group);
        }
        group.bench_function("primal", |b| {
            b.iter(|| gmm_objective(black_box(alphas), means, icf, x, d, k, gamma, m))
        });
        group.bench_function("generated_grad", |b| {
            b.iter(|| gmm_objective_grad(black_box(alphas), means, icf, x, d, k, gamma, m))
        });
        group.bench_function("generated_adjoint", |b| {
            b.iter(|| {
                a_bar.fill(0.0);
                mu_bar.fill(0.0);
                icf_bar.fill(0.0);
                gmm_objective_adjoint(
                    black_box(alphas),
                    &mut a_bar,
                    means,
                    &mut mu_bar,
                    icf,
                    &mut icf_bar,
                    x,
                    d,
                    k,
                    gamma,
                    m,
                    1.0,
                )
                .0
            })
        });
        group.bench_function("hand_gradient", |b| {
            b.iter(|| black_box(&p).hand_gradient())
        });
        if dual_ok {
            let mut work = Vec::with_capacity(params);
            let mut g = vec![0.0; params];
            group.bench_function("num_dual", |b| {
                b.iter(|| gmm_num_dual(black_box(&p), &mut work, &mut g))
            });
        }
        group.finish();
        pieces(c, &p);
    }
}

/// One call of `q_times` (component 0, point 0) and of `logsumexp` (over k values), and
/// their generated adjoints with cotangent 1 everywhere.
fn pieces(c: &mut Criterion, p: &Gmm) {
    let (d, k) = (p.d, p.k);
    let icf_sz = d * (d + 1) / 2;
    let (q, l) = p.icf[..icf_sz].split_at(d);
    let mut z = vec![0.0; d];
    subtract(&p.x[..d], &p.means[..d], &mut z);
    let mut out = vec![0.0; d];
    let (mut q_bar, mut l_bar, mut z_bar, mut out_bar) =
        (vec![0.0; d], vec![0.0; l.len()], vec![0.0; d], vec![0.0; d]);
    let beta: Vec<f64> = p.alphas.iter().map(|a| a - 2.0).collect();
    let mut beta_bar = vec![0.0; k];

    let mut group = c.benchmark_group(format!("gmm_pieces/d={d},k={k}"));
    group.bench_function("q_times", |b| {
        b.iter(|| q_times(black_box(q), l, &z, &mut out))
    });
    group.bench_function("q_times_adjoint", |b| {
        b.iter(|| {
            out_bar.fill(1.0);
            q_times_adjoint(
                black_box(q),
                &mut q_bar,
                l,
                &mut l_bar,
                &z,
                &mut z_bar,
                &mut out,
                &mut out_bar,
            )
        })
    });
    group.bench_function("logsumexp", |b| b.iter(|| logsumexp(black_box(&beta))));
    group.bench_function("logsumexp_adjoint", |b| {
        b.iter(|| logsumexp_adjoint(black_box(&beta), &mut beta_bar, 1.0))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
