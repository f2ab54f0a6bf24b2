//! A loop-carried recurrence: 1000 explicit Euler steps of the Lotka–Volterra system
//! `x' = αx − βxy`, `y' = δxy − γy`, differentiated with respect to (α, β, γ, δ), the output
//! being `x + y` at the end. Every step overwrites `x` and `y`, so a reverse sweep needs the
//! whole trajectory: the generated code keeps it on its tapes, the hand-written adjoint in a
//! `Vec` it allocates per call. num-dual's forward mode (four passes of `Dual64`, one per
//! parameter) is timed too: with four inputs it is a natural competitor, and so is the
//! generated forward mode, four calls of `lotka_volterra_tangent` (`generated_tangent`) or one
//! of `lotka_volterra_tangents` in four directions at once (`generated_tangents`). `hand_eight_tapes` is
//! a diagnostic: the hand-written adjoint storing what the generated code stores (x, y and the
//! six products of every step, each on its own `Vec` grown by `push`), to tell the cost of
//! that storage from the cost of the generated arithmetic.

#![allow(clippy::too_many_arguments)]

mod common;

use std::hint::black_box;

use autodiff::prelude::*;
use autodiff::Tangents;
use criterion::{criterion_group, criterion_main, Criterion};
use num_dual::{Dual64, DualNum};

const STEPS: usize = 1000;
const H: f64 = 0.01;
const X0: f64 = 10.0;
const Y0: f64 = 5.0;
const PARAMS: [f64; 4] = [1.1, 0.4, 0.4, 0.1]; // α, β, γ, δ

#[differentiate(wrt(alpha, beta, gamma, delta), tangents)]
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

/// Reverse mode by hand: a forward sweep storing the states, then the transposed Jacobian of
/// each step applied backwards. Returns the value and (∂/∂α, ∂/∂β, ∂/∂γ, ∂/∂δ).
fn lotka_volterra_hand(p: [f64; 4], x0: f64, y0: f64, h: f64, steps: usize) -> (f64, [f64; 4]) {
    let [alpha, beta, gamma, delta] = p;
    let mut states = Vec::with_capacity(steps);
    let (mut x, mut y) = (x0, y0);
    for _ in 0..steps {
        states.push((x, y));
        let xy = x * y;
        let nx = x + h * (alpha * x - beta * xy);
        let ny = y + h * (delta * xy - gamma * y);
        x = nx;
        y = ny;
    }
    let value = x + y;
    let (mut xb, mut yb) = (1.0, 1.0);
    let mut g = [0.0; 4];
    for &(x, y) in states.iter().rev() {
        let xy = x * y;
        let (hxb, hyb) = (h * xb, h * yb);
        g[0] += hxb * x;
        g[1] -= hxb * xy;
        g[2] -= hyb * y;
        g[3] += hyb * xy;
        let nxb = xb + hxb * (alpha - beta * y) + hyb * delta * y;
        let nyb = yb - hxb * beta * x + hyb * (delta * x - gamma);
        xb = nxb;
        yb = nyb;
    }
    (value, g)
}

/// The hand-written adjoint with the generated code's storage: eight growing tapes, one per
/// value the generated forward sweep records each step (x and y before the update, and the
/// products αx, βx, βx·y, δx, δx·y, γy), popped in the reverse loop.
fn lotka_volterra_eight_tapes(
    p: [f64; 4],
    x0: f64,
    y0: f64,
    h: f64,
    steps: usize,
) -> (f64, [f64; 4]) {
    let [alpha, beta, gamma, delta] = p;
    let mut tapes: [Vec<f64>; 8] = Default::default();
    let (mut x, mut y) = (x0, y0);
    for _ in 0..steps {
        let (ax, bx, dx_) = (alpha * x, beta * x, delta * x);
        let (bxy, dxy, gy) = (bx * y, dx_ * y, gamma * y);
        for (tape, v) in tapes.iter_mut().zip([x, y, ax, bx, bxy, dx_, dxy, gy]) {
            tape.push(v);
        }
        x += h * (ax - bxy);
        y += h * (dxy - gy);
    }
    let value = x + y;
    let (mut xb, mut yb) = (1.0, 1.0);
    let mut g = [0.0; 4];
    for _ in 0..steps {
        let mut pop = |t: usize| tapes[t].pop().expect("balanced tapes");
        // The products are popped as the generated code pops them; the step's Jacobian
        // needs two of them (βx and δx) besides x and y.
        let (_gy, _dxy, dx_, _bxy, bx, _ax, y, x) = (
            pop(7),
            pop(6),
            pop(5),
            pop(4),
            pop(3),
            pop(2),
            pop(1),
            pop(0),
        );
        let xy = x * y;
        let (hxb, hyb) = (h * xb, h * yb);
        g[0] += hxb * x;
        g[1] -= hxb * xy;
        g[2] -= hyb * y;
        g[3] += hyb * xy;
        let nxb = xb + hxb * (alpha - beta * y) + hyb * delta * y;
        let nyb = yb - hxb * bx + hyb * (dx_ - gamma);
        xb = nxb;
        yb = nyb;
    }
    (value, g)
}

/// The gradient from the generated forward mode: one `lotka_volterra_tangent` call per
/// parameter, seeding its tangent with 1.
fn lotka_volterra_by_tangents(p: [f64; 4], x0: f64, y0: f64, h: f64, steps: usize) -> [f64; 4] {
    let [a, b, g, d] = p;
    [
        lotka_volterra_tangent(a, 1.0, b, 0.0, g, 0.0, d, 0.0, x0, y0, h, steps).1,
        lotka_volterra_tangent(a, 0.0, b, 1.0, g, 0.0, d, 0.0, x0, y0, h, steps).1,
        lotka_volterra_tangent(a, 0.0, b, 0.0, g, 1.0, d, 0.0, x0, y0, h, steps).1,
        lotka_volterra_tangent(a, 0.0, b, 0.0, g, 0.0, d, 1.0, x0, y0, h, steps).1,
    ]
}

/// The gradient from the generated forward mode in four directions at once: one
/// `lotka_volterra_tangents` call, direction `j` moving parameter `j`.
fn lotka_volterra_by_directions(p: [f64; 4], x0: f64, y0: f64, h: f64, steps: usize) -> [f64; 4] {
    let [a, b, g, d] = p;
    let unit = Tangents::<f64, 4>::unit;
    let (a_dot, b_dot, g_dot, d_dot) = (unit(0), unit(1), unit(2), unit(3));
    let (_, dots) =
        lotka_volterra_tangents(a, a_dot, b, b_dot, g, g_dot, d, d_dot, x0, y0, h, steps);
    dots.0
}

/// The same recurrence, generic over num-dual's number types.
fn lotka_volterra_generic<T: DualNum<Primitive = f64> + Copy>(
    p: [T; 4],
    x0: f64,
    y0: f64,
    h: f64,
    steps: usize,
) -> T {
    let [alpha, beta, gamma, delta] = p;
    let mut x = T::from(x0);
    let mut y = T::from(y0);
    for _ in 0..steps {
        let dx = alpha * x - beta * x * y;
        let dy = delta * x * y - gamma * y;
        x += dx * h;
        y += dy * h;
    }
    x + y
}

/// Forward mode: one `Dual64` pass per parameter.
fn lotka_volterra_num_dual(p: [f64; 4], x0: f64, y0: f64, h: f64, steps: usize) -> (f64, [f64; 4]) {
    let mut g = [0.0; 4];
    let mut value = 0.0;
    for j in 0..4 {
        let mut d = p.map(Dual64::from_re);
        d[j].eps = 1.0;
        let r = lotka_volterra_generic(d, x0, y0, h, steps);
        value = r.re;
        g[j] = r.eps;
    }
    (value, g)
}

fn bench(c: &mut Criterion) {
    let [a, b, g, d] = PARAMS;
    let (value, hand) = lotka_volterra_hand(PARAMS, X0, Y0, H, STEPS);
    assert!((value - lotka_volterra(a, b, g, d, X0, Y0, H, STEPS)).abs() <= 1e-12 * value);
    let (ga, gb, gg, gd) = lotka_volterra_grad(a, b, g, d, X0, Y0, H, STEPS);
    common::assert_agree("generated", &[ga, gb, gg, gd], &hand, 1e-12);
    let (_, dual) = lotka_volterra_num_dual(PARAMS, X0, Y0, H, STEPS);
    common::assert_agree("num-dual", &dual, &hand, 1e-12);
    let tangents = lotka_volterra_by_tangents(PARAMS, X0, Y0, H, STEPS);
    common::assert_agree("generated forward mode", &tangents, &hand, 1e-12);
    let directions = lotka_volterra_by_directions(PARAMS, X0, Y0, H, STEPS);
    common::assert_agree(
        "generated forward mode in four directions",
        &directions,
        &hand,
        1e-12,
    );
    let (_, eight) = lotka_volterra_eight_tapes(PARAMS, X0, Y0, H, STEPS);
    common::assert_agree("eight tapes", &eight, &hand, 1e-12);
    let fd: Vec<f64> = (0..4)
        .map(|j| {
            let eps = 1e-6;
            let (mut up, mut down) = (PARAMS, PARAMS);
            up[j] += eps;
            down[j] -= eps;
            let f = |q: [f64; 4]| lotka_volterra(q[0], q[1], q[2], q[3], X0, Y0, H, STEPS);
            (f(up) - f(down)) / (2.0 * eps)
        })
        .collect();
    common::assert_agree("finite differences", &fd, &hand, 1e-5);

    let mut group = c.benchmark_group(format!("lotka_volterra/steps={STEPS}"));
    let p = black_box(PARAMS);
    group.bench_function("primal", |bench| {
        bench.iter(|| {
            let [a, b, g, d] = black_box(p);
            lotka_volterra(a, b, g, d, X0, Y0, H, STEPS)
        })
    });
    group.bench_function("generated_grad", |bench| {
        bench.iter(|| {
            let [a, b, g, d] = black_box(p);
            lotka_volterra_grad(a, b, g, d, X0, Y0, H, STEPS)
        })
    });
    group.bench_function("generated_tangent", |bench| {
        bench.iter(|| lotka_volterra_by_tangents(black_box(p), X0, Y0, H, STEPS))
    });
    group.bench_function("generated_tangents", |bench| {
        bench.iter(|| lotka_volterra_by_directions(black_box(p), X0, Y0, H, STEPS))
    });
    group.bench_function("hand_adjoint", |bench| {
        bench.iter(|| lotka_volterra_hand(black_box(p), X0, Y0, H, STEPS))
    });
    group.bench_function("hand_eight_tapes", |bench| {
        bench.iter(|| lotka_volterra_eight_tapes(black_box(p), X0, Y0, H, STEPS))
    });
    group.bench_function("num_dual", |bench| {
        bench.iter(|| lotka_volterra_num_dual(black_box(p), X0, Y0, H, STEPS))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
