//! Not a timing: counts the heap allocations (and bytes requested) of one call of each
//! generated gradient benchmarked in this directory, with a counting global allocator, and
//! prints them as a table. The adjoints of loops record on growable tapes, and the cost of
//! those allocations is much of what separates the generated gradients from the hand-written
//! ones (see BENCHMARKS.md). Run with `cargo bench -p autodiff --bench allocations`.

#![allow(clippy::too_many_arguments)]

#[path = "../examples/gmm.rs"]
#[allow(dead_code)]
mod gmm;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use autodiff::prelude::*;
use gmm::{gmm_objective_adjoint, logsumexp_adjoint, q_times_adjoint, Gmm};

struct Counting;

static CALLS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations (and reallocations) and bytes requested while `run` runs.
fn count(run: impl FnOnce()) -> (usize, usize) {
    let (calls, bytes) = (CALLS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed));
    run();
    (
        CALLS.load(Ordering::Relaxed) - calls,
        BYTES.load(Ordering::Relaxed) - bytes,
    )
}

fn row(what: &str, (calls, bytes): (usize, usize)) {
    println!("| {what} | {calls} | {bytes} |");
}

// The same functions as in rosenbrock.rs, control_flow.rs and recurrence.rs.

#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

#[differentiate]
#[allow(clippy::assign_op_pattern, clippy::let_and_return)]
fn f(a: f64) -> f64 {
    let mut b = a * 2.0;
    while b.abs() < 1000.0 {
        b = b * 2.0;
    }
    let c = if b > 0.0 { b } else { 100.0 * b };
    c
}

#[differentiate(wrt(alpha, beta, gamma, delta))]
fn lotka_volterra(
    alpha: f64,
    beta: f64,
    gamma: f64,
    delta: f64,
    x0: f64,
    y0: f64,
    h: f64,
    steps: usize,
) -> f64 {
    let mut x = x0;
    let mut y = y0;
    for _ in 0..steps {
        let dx = alpha * x - beta * x * y;
        let dy = delta * x * y - gamma * y;
        x += h * dx;
        y += h * dy;
    }
    x + y
}

fn main() {
    println!("| one call of | allocations | bytes |");
    println!("|---|---:|---:|");
    let x: Vec<f64> = (0..10_000).map(|i| (0.37 * i as f64).sin()).collect();
    let mut x_bar = vec![0.0; x.len()];
    row(
        "rosenbrock_adjoint, n = 10 000",
        count(|| {
            black_box(rosenbrock_adjoint(&x, &mut x_bar, 1.0));
        }),
    );
    row(
        "f_grad(1e-300), 1006 trips",
        count(|| {
            black_box(f_grad(black_box(1e-300)));
        }),
    );
    row(
        "lotka_volterra_grad, 1000 steps",
        count(|| {
            black_box(lotka_volterra_grad(
                1.1, 0.4, 0.4, 0.1, 10.0, 5.0, 0.01, 1000,
            ));
        }),
    );
    for (d, k, n) in [(2, 5, 1000), (10, 25, 1000), (64, 10, 1000)] {
        let p = Gmm::random(d, k, n, 2024);
        let (mut a_bar, mut mu_bar, mut icf_bar) =
            (vec![0.0; k], vec![0.0; k * d], vec![0.0; p.icf.len()]);
        // The first call fills the per-thread lists of tape buffers that later calls reuse.
        for call in ["first", "second"] {
            row(
                &format!("gmm_objective_adjoint, (d, k, n) = ({d}, {k}, {n}), {call} call"),
                count(|| {
                    black_box(gmm_objective_adjoint(
                        &p.alphas,
                        &mut a_bar,
                        &p.means,
                        &mut mu_bar,
                        &p.icf,
                        &mut icf_bar,
                        &p.x,
                        d,
                        k,
                        p.gamma,
                        p.m,
                        1.0,
                    ));
                }),
            );
        }
        row(
            &format!("gmm_objective (primal), ({d}, {k}, {n})"),
            count(|| {
                black_box(p.objective());
            }),
        );
        row(
            &format!("hand_gradient, ({d}, {k}, {n})"),
            count(|| {
                black_box(p.hand_gradient());
            }),
        );
        let icf_sz = d * (d + 1) / 2;
        let (q, l) = p.icf[..icf_sz].split_at(d);
        let z = vec![0.5; d];
        let (mut out, mut out_bar) = (vec![0.0; d], vec![1.0; d]);
        let (mut q_bar, mut l_bar, mut z_bar) = (vec![0.0; d], vec![0.0; l.len()], vec![0.0; d]);
        row(
            &format!("q_times_adjoint, d = {d} (called n·k times)"),
            count(|| {
                q_times_adjoint(
                    q,
                    &mut q_bar,
                    l,
                    &mut l_bar,
                    &z,
                    &mut z_bar,
                    &mut out,
                    &mut out_bar,
                )
            }),
        );
        let mut beta_bar = vec![0.0; k];
        row(
            &format!("logsumexp_adjoint, k = {k} (called n + 1 times)"),
            count(|| {
                black_box(logsumexp_adjoint(&p.alphas, &mut beta_bar, 1.0));
            }),
        );
    }
}
