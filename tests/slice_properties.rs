//! Property tests over slices of random sizes and values: generated gradients, Jacobians and
//! adjoints against central finite differences (`autodiff::testing`) and, where one is easy,
//! a hand-derived formula; the adjoint's scaling by its cotangent and its accumulation into
//! the shadow; and `f32` versions against `f64` finite differences.

// Index loops are among the forms under test.
#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::prelude::*;
use autodiff::testing::{assert_gradient_close, gradient};
use common::HAND_TOL;
use proptest::prelude::*;

// ---- The functions --------------------------------------------------------------------------

/// The extended Rosenbrock function over a slice of any length ≥ 2.
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

fn rosenbrock_hand(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * a * x[i] - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * a;
    }
    g
}

/// A work buffer filled by a recurrence (c₀ = x₀, cᵢ = k cᵢ₋₁ + xᵢ), squared in place by
/// element writes, then summed: Σᵢ cᵢ².
#[differentiate]
fn filtered_energy(x: &[f64], k: f64) -> f64 {
    let n = x.len();
    let mut c = vec![0.0; n];
    c[0] = x[0];
    for i in 1..n {
        c[i] = k * c[i - 1] + x[i];
    }
    for i in 0..n {
        c[i] = c[i] * c[i];
    }
    let mut s = 0.0;
    for i in 0..n {
        s += c[i];
    }
    s
}

/// ∂/∂xⱼ = Σ_{i ≥ j} 2 cᵢ k^(i-j), accumulated backwards; ∂/∂k = Σᵢ 2 cᵢ ∂cᵢ/∂k with
/// ∂cᵢ/∂k = cᵢ₋₁ + k ∂cᵢ₋₁/∂k, accumulated forwards.
fn filtered_energy_hand(x: &[f64], k: f64) -> (Vec<f64>, f64) {
    let n = x.len();
    let mut c = vec![x[0]; n];
    for i in 1..n {
        c[i] = k * c[i - 1] + x[i];
    }
    let mut gx = vec![0.0; n];
    let mut carried = 0.0;
    for j in (0..n).rev() {
        carried = 2.0 * c[j] + k * carried;
        gx[j] = carried;
    }
    let (mut dc, mut gk) = (0.0, 0.0);
    for i in 1..n {
        dc = c[i - 1] + k * dc;
        gk += 2.0 * c[i] * dc;
    }
    (gx, gk)
}

/// `y += alpha x`, in place.
#[differentiate]
fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for i in 0..x.len() {
        y[i] += alpha * x[i];
    }
}

#[differentiate]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        s += a[i] * b[i];
    }
    s
}

/// Calls into differentiated helpers with views of the input and a `&mut` view of a work
/// buffer. With h = n / 2, head = x[..h] and tail = x[h..]:
/// work = tail, then work[..h] += k head; the result is ⟨work, tail⟩ + k ⟨head, head⟩.
#[differentiate]
fn halves(x: &[f64], k: f64) -> f64 {
    let h = x.len() / 2;
    let head = &x[..h];
    let tail = &x[h..];
    let mut work = vec![0.0; tail.len()];
    work.copy_from_slice(tail);
    axpy(k, head, &mut work[..h]);
    dot(&work, tail) + k * dot(head, head)
}

fn halves_hand(x: &[f64], k: f64) -> (Vec<f64>, f64) {
    let h = x.len() / 2;
    let (head, tail) = x.split_at(h);
    let mut gx = vec![0.0; x.len()];
    let mut gk = 0.0;
    for j in 0..h {
        // head[j] reaches work[j] (times k, against tail[j]) and k ⟨head, head⟩.
        gx[j] = k * tail[j] + 2.0 * k * head[j];
        gk += head[j] * tail[j] + head[j] * head[j];
    }
    for j in 0..tail.len() {
        // tail[j] is work[j] before the update and the other factor of ⟨work, tail⟩.
        let work_j = tail[j] + if j < h { k * head[j] } else { 0.0 };
        gx[h + j] = work_j + tail[j];
    }
    (gx, gk)
}

/// A vector result of length n - 1 from neighbouring pairs: yᵢ = a sin xᵢ + xᵢ xᵢ₊₁.
#[differentiate]
fn pairs(x: &[f64], a: f64) -> Vec<f64> {
    let mut y = vec![0.0; x.len() - 1];
    for i in 0..x.len() - 1 {
        y[i] = a * x[i].sin() + x[i] * x[i + 1];
    }
    y
}

/// Row i: ∂yᵢ/∂xᵢ = a cos xᵢ + xᵢ₊₁, ∂yᵢ/∂xᵢ₊₁ = xᵢ, then ∂yᵢ/∂a = sin xᵢ.
fn pairs_jacobian_hand(x: &[f64], a: f64) -> Vec<Vec<f64>> {
    let n = x.len();
    (0..n - 1)
        .map(|i| {
            let mut row = vec![0.0; n + 1];
            row[i] = a * x[i].cos() + x[i + 1];
            row[i + 1] = x[i];
            row[n] = x[i].sin();
            row
        })
        .collect()
}

/// `iter_mut` over a copy, `windows(2)` and `chunks_exact(2)` over it, `chunks(3)` over the
/// input: with vᵢ = sin(k xᵢ), Σᵢ vᵢ vᵢ₊₁ + Σ_c x[3c] x[last of chunk c] + Σ (v₂ⱼ − v₂ⱼ₊₁).
#[differentiate]
fn windowed(x: &[f64], k: f64) -> f64 {
    let mut v = x.to_vec();
    for e in v.iter_mut() {
        *e = (*e * k).sin();
    }
    let mut s = 0.0;
    for w in v.windows(2) {
        s += w[0] * w[1];
    }
    for c in x.chunks(3) {
        s += c[0] * c[c.len() - 1];
    }
    for c in v.chunks_exact(2) {
        s += c[0] - c[1];
    }
    s
}

fn windowed_hand(x: &[f64], k: f64) -> (Vec<f64>, f64) {
    let n = x.len();
    let v: Vec<f64> = x.iter().map(|xi| (xi * k).sin()).collect();
    // ∂s/∂vᵢ from the windows and the exact chunks.
    let mut dv = vec![0.0; n];
    for i in 0..n {
        if i > 0 {
            dv[i] += v[i - 1];
        }
        if i + 1 < n {
            dv[i] += v[i + 1];
        }
        if i < 2 * (n / 2) {
            dv[i] += if i % 2 == 0 { 1.0 } else { -1.0 };
        }
    }
    let mut gx = vec![0.0; n];
    let mut gk = 0.0;
    for i in 0..n {
        let cos = (x[i] * k).cos();
        gx[i] += dv[i] * k * cos;
        gk += dv[i] * x[i] * cos;
    }
    // The chunks of x: first times last (the same element in a chunk of one).
    for start in (0..n).step_by(3) {
        let last = (start + 2).min(n - 1);
        gx[start] += x[last];
        gx[last] += x[start];
    }
    (gx, gk)
}

/// `rosenbrock` in `f32`.
#[differentiate]
fn rosenbrock_f32(x: &[f32]) -> f32 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// `filtered_energy` in `f32`.
#[differentiate]
fn filtered_energy_f32(x: &[f32], k: f32) -> f32 {
    let n = x.len();
    let mut c = vec![0.0; n];
    c[0] = x[0];
    for i in 1..n {
        c[i] = k * c[i - 1] + x[i];
    }
    for i in 0..n {
        c[i] = c[i] * c[i];
    }
    let mut s = 0.0;
    for i in 0..n {
        s += c[i];
    }
    s
}

// ---- Checking helpers -----------------------------------------------------------------------

/// `x` followed by the scalar `k`: the point, or the gradient, of a function of both.
fn with(x: &[f64], k: f64) -> Vec<f64> {
    let mut v = x.to_vec();
    v.push(k);
    v
}

/// Asserts that `generated` matches central differences of `f` at `at`. Besides the
/// relative-or-absolute 1e-6, the tolerance allows for the rounding of `f` itself, which the
/// difference quotient divides by its step: about 1e-10 · |f| for the step of `gradient`,
/// allowed a hundred times over (Rosenbrock's values reach 1e4).
#[track_caller]
fn assert_matches_differences(generated: &[f64], f: impl Fn(&[f64]) -> f64, at: &[f64]) {
    let numeric = gradient(&f, at);
    let rounding = 1e-8 * f(at).abs().max(1.0);
    assert_eq!(generated.len(), numeric.len());
    for (i, (&g, &d)) in generated.iter().zip(&numeric).enumerate() {
        let tol = 1e-6 * g.abs().max(d.abs()).max(1.0) + rounding;
        assert!(
            (g - d).abs() <= tol,
            "entry {i}: generated {g}, finite differences {d}, tolerance {tol}\n\
             at {at:?}\ngenerated {generated:?}\ndifferences {numeric:?}"
        );
    }
}

/// Asserts that an `f32` gradient matches an accurate `f64` one to `f32` accuracy: entry `i`
/// within `tol · max(1, |eᵢ|, scale)`, where `scale` is the size of the terms that were added
/// in `f32` to make the entry (rounding is relative to them, not to a small result).
#[track_caller]
fn assert_f32_close(generated: &[f32], exact: &[f64], scale: f64, tol: f64) {
    assert_eq!(generated.len(), exact.len());
    for (i, (&g, &e)) in generated.iter().zip(exact).enumerate() {
        let g = g as f64;
        let bound = tol * e.abs().max(scale).max(1.0);
        assert!(
            (g - e).abs() <= bound,
            "entry {i}: f32 gradient {g}, f64 finite differences {e}, bound {bound}\n\
             generated {generated:?}\nexact {exact:?}"
        );
    }
}

/// Finite-difference Jacobian of a vector function: row i = output i.
fn numeric_jacobian(f: impl Fn(&[f64]) -> Vec<f64>, at: &[f64]) -> Vec<Vec<f64>> {
    let m = f(at).len();
    (0..m).map(|i| gradient(|p| f(p)[i], at)).collect()
}

/// Vectors of `sizes` elements drawn from `range`.
fn values(
    range: std::ops::Range<f64>,
    sizes: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(range, sizes)
}

// ---- Properties -----------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rosenbrock_matches_hand_and_differences(x in values(-1.5..1.5, 2..=20)) {
        let (value, g) = rosenbrock_value_and_grad(&x);
        prop_assert_eq!(value, rosenbrock(&x));
        prop_assert_eq!(g.len(), x.len());
        assert_gradient_close(&g, &rosenbrock_hand(&x), HAND_TOL);
        assert_matches_differences(&g, rosenbrock, &x);
    }

    #[test]
    fn work_buffer_recurrence_matches_hand_and_differences(
        x in values(-2.0..2.0, 1..=20),
        k in -0.95..0.95_f64,
    ) {
        let (value, (gx, gk)) = filtered_energy_value_and_grad(&x, k);
        prop_assert_eq!(value, filtered_energy(&x, k));
        let (hand_x, hand_k) = filtered_energy_hand(&x, k);
        let generated = with(&gx, gk);
        assert_gradient_close(&generated, &with(&hand_x, hand_k), HAND_TOL);
        let n = x.len();
        assert_matches_differences(&generated, |p| filtered_energy(&p[..n], p[n]), &with(&x, k));
    }

    #[test]
    fn helpers_with_views_and_mut_buffers_match_hand_and_differences(
        x in values(-2.0..2.0, 2..=20),
        k in -2.0..2.0_f64,
    ) {
        let (value, (gx, gk)) = halves_value_and_grad(&x, k);
        prop_assert_eq!(value, halves(&x, k));
        let (hand_x, hand_k) = halves_hand(&x, k);
        let generated = with(&gx, gk);
        assert_gradient_close(&generated, &with(&hand_x, hand_k), HAND_TOL);
        let n = x.len();
        assert_matches_differences(&generated, |p| halves(&p[..n], p[n]), &with(&x, k));
    }

    #[test]
    fn vector_result_jacobian_matches_hand_and_differences(
        x in values(-2.0..2.0, 2..=20),
        a in -2.0..2.0_f64,
    ) {
        let n = x.len();
        let jacobian = pairs_jacobian(&x, a);
        prop_assert_eq!(jacobian.len(), n - 1);
        let hand = pairs_jacobian_hand(&x, a);
        let numeric = numeric_jacobian(|p| pairs(&p[..n], p[n]), &with(&x, a));
        for i in 0..n - 1 {
            prop_assert_eq!(jacobian[i].len(), n + 1);
            assert_gradient_close(&jacobian[i], &hand[i], HAND_TOL);
            assert_gradient_close(&jacobian[i], &numeric[i], 1e-6);
        }
    }

    #[test]
    fn vector_result_adjoint_is_v_transpose_jacobian(
        (x, v) in (2usize..=20).prop_flat_map(|n| (
            prop::collection::vec(-2.0..2.0_f64, n),
            prop::collection::vec(-3.0..3.0_f64, n - 1),
        )),
        a in -2.0..2.0_f64,
    ) {
        let n = x.len();
        let mut x_bar = vec![0.0; n];
        let (value, a_bar) = pairs_adjoint(&x, &mut x_bar, a, &v);
        prop_assert_eq!(value, pairs(&x, a));
        // vᵀJ from the hand-derived Jacobian.
        let hand = pairs_jacobian_hand(&x, a);
        let mut vjp = vec![0.0; n + 1];
        for (vi, row) in v.iter().zip(&hand) {
            for (p, jij) in vjp.iter_mut().zip(row) {
                *p += vi * jij;
            }
        }
        assert_gradient_close(&with(&x_bar, a_bar), &vjp, HAND_TOL);
        // And the gradient of the scalar v·y by finite differences.
        assert_matches_differences(
            &with(&x_bar, a_bar),
            |p| pairs(&p[..n], p[n]).iter().zip(&v).map(|(y, w)| y * w).sum(),
            &with(&x, a),
        );
    }

    #[test]
    fn iter_mut_windows_and_chunks_match_hand_and_differences(
        x in values(-2.0..2.0, 1..=20),
        k in -2.0..2.0_f64,
    ) {
        let (value, (gx, gk)) = windowed_value_and_grad(&x, k);
        prop_assert_eq!(value, windowed(&x, k));
        let (hand_x, hand_k) = windowed_hand(&x, k);
        let generated = with(&gx, gk);
        assert_gradient_close(&generated, &with(&hand_x, hand_k), HAND_TOL);
        let n = x.len();
        assert_matches_differences(&generated, |p| windowed(&p[..n], p[n]), &with(&x, k));
    }

    #[test]
    fn adjoint_is_the_cotangent_times_the_gradient(
        x in values(-2.0..2.0, 1..=20),
        k in -0.95..0.95_f64,
        c in -4.0..4.0_f64,
    ) {
        let (gx, gk) = filtered_energy_grad(&x, k);
        let mut x_bar = vec![0.0; x.len()];
        let (value, k_bar) = filtered_energy_adjoint(&x, &mut x_bar, k, c);
        prop_assert_eq!(value, filtered_energy(&x, k));
        let scaled: Vec<f64> = with(&gx, gk).iter().map(|g| c * g).collect();
        assert_gradient_close(&with(&x_bar, k_bar), &scaled, HAND_TOL);
    }

    #[test]
    fn adjoint_accumulates_into_the_shadow(
        x in values(-1.5..1.5, 2..=20),
        start in values(-5.0..5.0, 20..=20),
    ) {
        let n = x.len();
        let g = rosenbrock_grad(&x);
        // Two backward passes into a zeroed shadow: twice the gradient.
        let mut x_bar = vec![0.0; n];
        rosenbrock_adjoint(&x, &mut x_bar, 1.0);
        rosenbrock_adjoint(&x, &mut x_bar, 1.0);
        let twice: Vec<f64> = g.iter().map(|gi| 2.0 * gi).collect();
        assert_gradient_close(&x_bar, &twice, HAND_TOL);
        // Into a shadow that already holds something: added to it, nothing overwritten.
        let mut x_bar = start[..n].to_vec();
        rosenbrock_adjoint(&x, &mut x_bar, 1.0);
        rosenbrock_adjoint(&x, &mut x_bar, 0.5);
        let expected: Vec<f64> = (0..n).map(|i| start[i] + 1.5 * g[i]).collect();
        assert_gradient_close(&x_bar, &expected, HAND_TOL);
        // The same for a function with a scalar parameter too: the scalar's adjoint is
        // returned, the buffer's added.
        let (gx, gk) = filtered_energy_grad(&x, 0.5);
        let mut x_bar = vec![0.0; n];
        let (_, k1) = filtered_energy_adjoint(&x, &mut x_bar, 0.5, 1.0);
        let (_, k2) = filtered_energy_adjoint(&x, &mut x_bar, 0.5, 1.0);
        prop_assert_eq!(k1, gk);
        prop_assert_eq!(k2, gk);
        let twice: Vec<f64> = gx.iter().map(|gi| 2.0 * gi).collect();
        assert_gradient_close(&x_bar, &twice, HAND_TOL);
    }

    #[test]
    fn rosenbrock_f32_matches_f64_differences(x in prop::collection::vec(-1.5..1.5_f32, 2..=20)) {
        let (value, g) = rosenbrock_f32_value_and_grad(&x);
        prop_assert_eq!(value, rosenbrock_f32(&x));
        let at: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let exact = gradient(rosenbrock, &at);
        // The largest terms of an entry: 400 |a xᵢ| + 200 |a|, with |a| ≤ 3.75.
        let scale = at.iter().map(|xi| 1500.0 * xi.abs() + 750.0).fold(0.0, f64::max);
        assert_f32_close(&g, &exact, scale, 1e-5);
    }

    #[test]
    fn work_buffer_f32_matches_f64_differences(
        x in prop::collection::vec(-2.0..2.0_f32, 1..=20),
        k in -0.9..0.9_f32,
    ) {
        let (value, (gx, gk)) = filtered_energy_f32_value_and_grad(&x, k);
        prop_assert_eq!(value, filtered_energy_f32(&x, k));
        let n = x.len();
        let at: Vec<f64> = x.iter().map(|&v| v as f64).chain([k as f64]).collect();
        let exact = gradient(|p| filtered_energy(&p[..n], p[n]), &at);
        let mut generated = gx;
        generated.push(gk);
        // Entries are sums of up to n terms 2 cᵢ k^(i-j), |cᵢ| ≤ 2 / (1 - |k|) = 20.
        assert_f32_close(&generated, &exact, 40.0 * n as f64, 1e-5);
    }
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`,
/// `f_adjoint`), at random points: ⟨ȳ, J v⟩ = ⟨Jᵀ ȳ, v⟩ for random directions v and
/// cotangents ȳ (for a float result, the derivative along v is the gradient dotted with v).
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    let t = |x: &[f64], v: &[f64]| rosenbrock_tangent(x, v).1;
    common::forward_matches_grad("rosenbrock", &[GEN; 6], t, rosenbrock_grad);
    common::forward_matches_grad(
        "filtered_energy",
        &[GEN; 7],
        |x, v| filtered_energy_tangent(&x[..6], &v[..6], x[6], v[6]).1,
        |x| common::flat(filtered_energy_grad(&x[..6], x[6])),
    );
    // y is an output buffer: its initial values are inputs too.
    common::forward_matches_adjoint(
        "axpy",
        &[GEN; 9],
        4,
        |x, v| {
            let (mut y, mut y_dot) = (x[5..].to_vec(), v[5..].to_vec());
            axpy_tangent(x[0], v[0], &x[1..5], &v[1..5], &mut y, &mut y_dot);
            y_dot
        },
        |x, y_bar| {
            let (mut x_bar, mut y, mut y_bar) = (vec![0.0; 4], x[5..].to_vec(), y_bar.to_vec());
            let alpha_bar = axpy_adjoint(x[0], &x[1..5], &mut x_bar, &mut y, &mut y_bar);
            common::flat((alpha_bar, x_bar, y_bar))
        },
    );
    common::forward_matches_grad(
        "dot",
        &[GEN; 8],
        |x, v| dot_tangent(&x[..4], &v[..4], &x[4..], &v[4..]).1,
        |x| common::flat(dot_grad(&x[..4], &x[4..])),
    );
    for n in [4, 5] {
        common::forward_matches_grad(
            &format!("halves n = {n}"),
            &vec![GEN; n + 1],
            |x, v| halves_tangent(&x[..n], &v[..n], x[n], v[n]).1,
            |x| common::flat(halves_grad(&x[..n], x[n])),
        );
    }
    // A returned Vec: J v against the vector-Jacobian product.
    common::forward_matches_adjoint(
        "pairs",
        &[GEN; 6],
        4,
        |x, v| pairs_tangent(&x[..5], &v[..5], x[5], v[5]).1,
        |x, y_bar| {
            let mut x_bar = vec![0.0; 5];
            let (_, a_bar) = pairs_adjoint(&x[..5], &mut x_bar, x[5], y_bar);
            common::flat((x_bar, a_bar))
        },
    );
    common::forward_matches_grad(
        "windowed",
        &[GEN; 8],
        |x, v| windowed_tangent(&x[..7], &v[..7], x[7], v[7]).1,
        |x| common::flat(windowed_grad(&x[..7], x[7])),
    );
    // In f32 both modes round to f32 at every step, so they agree to f32 precision only.
    let f32s = |x: &[f64]| x.iter().map(|&v| v as f32).collect::<Vec<f32>>();
    common::forward_matches_grad_tol(
        "rosenbrock_f32",
        &[GEN; 6],
        |x, v| f64::from(rosenbrock_f32_tangent(&f32s(x), &f32s(v)).1),
        |x| common::flat(rosenbrock_f32_grad(&f32s(x))),
        1e-5,
    );
    common::forward_matches_grad_tol(
        "filtered_energy_f32",
        &[GEN; 7],
        |x, v| {
            let (x, v) = (f32s(x), f32s(v));
            f64::from(filtered_energy_f32_tangent(&x[..6], &v[..6], x[6], v[6]).1)
        },
        |x| {
            let x = f32s(x);
            common::flat(filtered_energy_f32_grad(&x[..6], x[6]))
        },
        1e-5,
    );
}
