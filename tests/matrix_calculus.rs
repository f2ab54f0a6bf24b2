//! The seeds' matrix calculus with nalgebra: each identity's generated gradient against the
//! hand-derived one and against central finite differences, at random sizes and values.

mod common;

use autodiff::nalgebra::{DMatrix, DVector, Matrix3, RowDVector, Vector3};
use autodiff::prelude::*;
use autodiff::testing::{assert_gradient_close, gradient};
use common::{FD_TOL, HAND_TOL};

/// A small deterministic generator, so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn value(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
    }

    fn size(&mut self) -> usize {
        1 + (self.0 % 5) as usize + usize::from(self.value() > 0.0)
    }

    fn vector(&mut self, n: usize) -> DVector<f64> {
        DVector::from_fn(n, |_, _| self.value())
    }

    fn matrix(&mut self, rows: usize, cols: usize) -> DMatrix<f64> {
        DMatrix::from_fn(rows, cols, |_, _| self.value())
    }
}

/// Runs `case` for a handful of seeds.
fn for_random_inputs(mut case: impl FnMut(&mut Rng)) {
    for seed in 1..=8_u64 {
        case(&mut Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
    }
}

/// Checks `generated` against `hand` and against central differences of `f` at `at`.
#[track_caller]
fn check(name: &str, at: &[f64], generated: &[f64], hand: &[f64], f: impl Fn(&[f64]) -> f64) {
    println!("{name} at {at:?}");
    assert_gradient_close(generated, hand, HAND_TOL);
    assert_gradient_close(generated, &gradient(f, at), FD_TOL);
}

// ---- y = 2xᵀx: ∇ = 4x --------------------------------------------------------------------------

#[differentiate]
fn two_xtx(x: DVector<f64>) -> f64 {
    2.0 * x.dot(&x)
}

#[test]
fn two_x_transpose_x_has_gradient_four_x() {
    for_random_inputs(|rng| {
        let n = rng.size();
        let x = rng.vector(n);
        let g = two_xtx_grad(x.clone());
        check(
            "2xᵀx",
            x.as_slice(),
            g.as_slice(),
            (4.0 * &x).as_slice(),
            |v| two_xtx(DVector::from_column_slice(v)),
        );
    });
}

// ---- y = Ax: the VJP with ones is Aᵀ1, the Jacobian is A --------------------------------------

#[differentiate]
fn a_times_x(a: &DMatrix<f64>, x: &DVector<f64>) -> DVector<f64> {
    a * x
}

#[test]
fn a_times_x_has_jacobian_a() {
    for_random_inputs(|rng| {
        let (m, n) = (rng.size(), rng.size());
        let (a, x) = (rng.matrix(m, n), rng.vector(n));
        let ones = DVector::from_element(m, 1.0);
        // The adjoint adds into shadows, as into PyTorch's `.grad`: start them at one to see
        // that it adds.
        let (mut a_bar, mut x_bar) = (
            DMatrix::from_element(m, n, 1.0),
            DVector::from_element(n, 1.0),
        );
        let (value, ()) = a_times_x_adjoint(&a, &mut a_bar, &x, &mut x_bar, ones.clone());
        assert_eq!(value, &a * &x);
        a_bar.add_scalar_mut(-1.0);
        x_bar.add_scalar_mut(-1.0);
        assert_gradient_close(
            x_bar.as_slice(),
            (a.transpose() * &ones).as_slice(),
            HAND_TOL,
        );
        assert_gradient_close(
            a_bar.as_slice(),
            (&ones * x.transpose()).as_slice(),
            HAND_TOL,
        );
        // Columns: A's m·n entries (column-major), then x's n.
        let jacobian = a_times_x_jacobian(&a, &x);
        assert_eq!(jacobian.shape(), (m, m * n + n));
        let by_x = jacobian.columns(m * n, n).into_owned();
        assert_gradient_close(by_x.as_slice(), a.as_slice(), HAND_TOL);
        for i in 0..m {
            let numeric = gradient(|v| (&a * DVector::from_column_slice(v))[i], x.as_slice());
            let row: Vec<f64> = by_x.row(i).iter().copied().collect();
            assert_gradient_close(&row, &numeric, FD_TOL);
        }
    });
}

// ---- y = xᵀA: ∇ₓ = A (its Jacobian is Aᵀ) -----------------------------------------------------

#[differentiate(wrt(x))]
fn x_transpose_a(x: &DVector<f64>, a: &DMatrix<f64>) -> RowDVector<f64> {
    x.transpose() * a
}

#[test]
fn x_transpose_a_has_gradient_a() {
    for_random_inputs(|rng| {
        let (m, n) = (rng.size(), rng.size());
        let (x, a) = (rng.vector(m), rng.matrix(m, n));
        let jacobian = x_transpose_a_jacobian(&x, &a);
        assert_gradient_close(jacobian.transpose().as_slice(), a.as_slice(), HAND_TOL);
    });
}

// ---- y = xᵀAx: ∇ₓ = (A + Aᵀ)x, ∇_A = x xᵀ --------------------------------------------------------

#[differentiate]
fn quadratic_form(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    (x.transpose() * a * x)[(0, 0)]
}

#[differentiate]
fn quadratic_form_by_dot(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    let ax = a * x;
    x.dot(&ax)
}

#[test]
fn quadratic_form_has_gradient_a_plus_a_transpose_x() {
    for_random_inputs(|rng| {
        let n = rng.size();
        let (x, a) = (rng.vector(n), rng.matrix(n, n));
        let hand_x = (&a + a.transpose()) * &x;
        let hand_a = &x * x.transpose();
        for (name, (gx, ga)) in [
            ("xᵀAx", quadratic_form_grad(&x, &a)),
            ("x·(Ax)", quadratic_form_by_dot_grad(&x, &a)),
        ] {
            check(name, x.as_slice(), gx.as_slice(), hand_x.as_slice(), |v| {
                quadratic_form(&DVector::from_column_slice(v), &a)
            });
            check(name, a.as_slice(), ga.as_slice(), hand_a.as_slice(), |v| {
                quadratic_form(&x, &DMatrix::from_column_slice(n, n, v))
            });
        }
    });
}

// ---- ‖x‖² and ‖X‖²_F: ∇ = 2x, 2X ---------------------------------------------------------------

#[differentiate]
fn norm_squared(x: &DVector<f64>) -> f64 {
    x.norm_squared()
}

#[differentiate]
fn norm_then_square(x: &DVector<f64>) -> f64 {
    x.norm().powi(2)
}

#[differentiate]
fn frobenius_squared(m: &DMatrix<f64>) -> f64 {
    (m.transpose() * m).trace()
}

#[test]
fn squared_norms_have_gradient_twice_the_input() {
    for_random_inputs(|rng| {
        let n = rng.size();
        let x = rng.vector(n);
        let hand = 2.0 * &x;
        for (name, g) in [
            ("‖x‖² by norm_squared", norm_squared_grad(&x)),
            ("‖x‖² by norm().powi(2)", norm_then_square_grad(&x)),
        ] {
            check(name, x.as_slice(), g.as_slice(), hand.as_slice(), |v| {
                norm_squared(&DVector::from_column_slice(v))
            });
        }
        let (r, c) = (rng.size(), rng.size());
        let m = rng.matrix(r, c);
        let g = frobenius_squared_grad(&m);
        check(
            "‖X‖²_F",
            m.as_slice(),
            g.as_slice(),
            (2.0 * &m).as_slice(),
            |v| DMatrix::from_column_slice(r, c, v).norm_squared(),
        );
    });
}

// ---- ⟨f(x), g(x)⟩ by the product rule -------------------------------------------------------------

#[differentiate(wrt(x))]
fn inner_of_two_maps(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    let f = a * x;
    let g = x.map(|v| v.sin());
    f.dot(&g)
}

#[test]
fn inner_product_of_two_functions_follows_the_product_rule() {
    for_random_inputs(|rng| {
        let n = rng.size();
        let (x, a) = (rng.vector(n), rng.matrix(n, n));
        // ∇⟨Ax, sin x⟩ = Aᵀ sin x + cos x ∘ Ax.
        let hand = a.transpose() * x.map(f64::sin) + x.map(f64::cos).component_mul(&(&a * &x));
        let g = inner_of_two_maps_grad(&x, &a);
        check(
            "⟨Ax, sin x⟩",
            x.as_slice(),
            g.as_slice(),
            hand.as_slice(),
            |v| inner_of_two_maps(&DVector::from_column_slice(v), &a),
        );
    });
}

// ---- The control-flow example with a vector ------------------------------------------------------

/// `b = 2a`, doubled while `‖b‖ < 1000`, `c = b` or `100 b` by the sign of `Σb`: `c = k a`
/// for a `k` that depends on `a` only through the control flow, so `∇ Σc = k·1`.
#[differentiate]
fn control_flow(a: DVector<f64>) -> f64 {
    let mut b = &a * 2.0;
    while b.norm() < 1000.0 {
        b = &b * 2.0;
    }
    let c = if b.sum() > 0.0 { b } else { 100.0 * b };
    c.sum()
}

#[test]
fn control_flow_with_a_vector_scales_by_the_path_taken() {
    for_random_inputs(|rng| {
        let n = rng.size();
        let a = rng.vector(n);
        let (value, g) = control_flow_value_and_grad(a.clone());
        let k = value / a.sum();
        let hand = DVector::from_element(a.len(), k);
        check(
            "control flow",
            a.as_slice(),
            g.as_slice(),
            hand.as_slice(),
            |v| control_flow(DVector::from_column_slice(v)),
        );
    });
}

// ---- Least squares: ∇ₓ‖Ax − b‖² = 2Aᵀ(Ax − b) -------------------------------------------------------

#[differentiate(wrt(a, x))]
fn least_squares(a: &DMatrix<f64>, x: &DVector<f64>, b: &DVector<f64>) -> f64 {
    let residual = a * x - b;
    residual.norm_squared()
}

#[test]
fn least_squares_gradient_is_twice_a_transpose_residual() {
    for_random_inputs(|rng| {
        let (m, n) = (rng.size(), rng.size());
        let (a, x, b) = (rng.matrix(m, n), rng.vector(n), rng.vector(m));
        let residual = &a * &x - &b;
        let (ga, gx) = least_squares_grad(&a, &x, &b);
        let hand_x = 2.0 * a.transpose() * &residual;
        let hand_a = 2.0 * &residual * x.transpose();
        check(
            "‖Ax − b‖² by x",
            x.as_slice(),
            gx.as_slice(),
            hand_x.as_slice(),
            |v| least_squares(&a, &DVector::from_column_slice(v), &b),
        );
        check(
            "‖Ax − b‖² by A",
            a.as_slice(),
            ga.as_slice(),
            hand_a.as_slice(),
            |v| least_squares(&DMatrix::from_column_slice(m, n, v), &x, &b),
        );
    });
}

// ---- A two-layer perceptron with softmax cross-entropy ---------------------------------------------

/// `−log softmax(W₂ tanh(W₁x + b₁) + b₂)[label]`.
#[differentiate(wrt(w1, b1, w2, b2))]
fn perceptron_loss(
    w1: &DMatrix<f64>,
    b1: &DVector<f64>,
    w2: &DMatrix<f64>,
    b2: &DVector<f64>,
    x: &DVector<f64>,
    label: usize,
) -> f64 {
    let hidden = (w1 * x + b1).map(|z| z.tanh());
    let logits = w2 * &hidden + b2;
    // Shifting by the largest logit keeps `exp` finite and changes no derivative.
    let shift = stop_gradient(logits.max());
    let total = logits.map(|z| (z - shift).exp()).sum();
    total.ln() + shift - logits[label]
}

/// Backpropagation by hand: (∂W₁, ∂b₁, ∂W₂, ∂b₂).
fn perceptron_backprop(
    w1: &DMatrix<f64>,
    b1: &DVector<f64>,
    w2: &DMatrix<f64>,
    b2: &DVector<f64>,
    x: &DVector<f64>,
    label: usize,
) -> (DMatrix<f64>, DVector<f64>, DMatrix<f64>, DVector<f64>) {
    let hidden = (w1 * x + b1).map(f64::tanh);
    let logits = w2 * &hidden + b2;
    let exps = logits.map(|z| (z - logits.max()).exp());
    let mut d_logits = &exps / exps.sum();
    d_logits[label] -= 1.0;
    let d_hidden = w2.transpose() * &d_logits;
    let d_pre = d_hidden.component_mul(&hidden.map(|h| 1.0 - h * h));
    (
        &d_pre * x.transpose(),
        d_pre,
        &d_logits * hidden.transpose(),
        d_logits,
    )
}

#[test]
fn perceptron_gradient_matches_backpropagation() {
    for_random_inputs(|rng| {
        let (inputs, hidden, classes) = (rng.size(), rng.size(), 1 + rng.size());
        let w1 = rng.matrix(hidden, inputs);
        let b1 = rng.vector(hidden);
        let w2 = rng.matrix(classes, hidden);
        let b2 = rng.vector(classes);
        let x = rng.vector(inputs);
        let label = (rng.value().abs() * classes as f64) as usize % classes;
        let (g_w1, g_b1, g_w2, g_b2) = perceptron_loss_grad(&w1, &b1, &w2, &b2, &x, label);
        let (h_w1, h_b1, h_w2, h_b2) = perceptron_backprop(&w1, &b1, &w2, &b2, &x, label);
        let loss = |w1: &DMatrix<f64>, b1: &DVector<f64>, w2: &DMatrix<f64>, b2: &DVector<f64>| {
            perceptron_loss(w1, b1, w2, b2, &x, label)
        };
        check(
            "∂W₁",
            w1.as_slice(),
            g_w1.as_slice(),
            h_w1.as_slice(),
            |v| {
                loss(
                    &DMatrix::from_column_slice(hidden, inputs, v),
                    &b1,
                    &w2,
                    &b2,
                )
            },
        );
        check(
            "∂b₁",
            b1.as_slice(),
            g_b1.as_slice(),
            h_b1.as_slice(),
            |v| loss(&w1, &DVector::from_column_slice(v), &w2, &b2),
        );
        check(
            "∂W₂",
            w2.as_slice(),
            g_w2.as_slice(),
            h_w2.as_slice(),
            |v| {
                loss(
                    &w1,
                    &b1,
                    &DMatrix::from_column_slice(classes, hidden, v),
                    &b2,
                )
            },
        );
        check(
            "∂b₂",
            b2.as_slice(),
            g_b2.as_slice(),
            h_b2.as_slice(),
            |v| loss(&w1, &b1, &w2, &DVector::from_column_slice(v)),
        );
    });
}

// ---- Static sizes and the remaining operations -------------------------------------------------------

/// Cross product, normalisation, entrywise product, trace, determinant, a named entry and
/// a column, on static 3-vectors and 3×3 matrices.
#[differentiate]
fn static_mix(m: Matrix3<f64>, v: Vector3<f64>) -> f64 {
    let w = v.cross(&(m * v));
    let u = w.normalize();
    let c = m.column(1);
    u.component_mul(&v).sum() + m.trace() * m.determinant() + v.x * c.dot(&v) - (-v).y
}

#[test]
fn static_sizes_and_remaining_operations_match_finite_differences() {
    for_random_inputs(|rng| {
        let m = Matrix3::from_fn(|_, _| rng.value());
        let v = Vector3::from_fn(|_, _| rng.value());
        let (gm, gv) = static_mix_grad(m, v);
        let numeric_m = gradient(
            |p| static_mix(Matrix3::from_column_slice(p), v),
            m.as_slice(),
        );
        let numeric_v = gradient(
            |p| static_mix(m, Vector3::from_column_slice(p)),
            v.as_slice(),
        );
        assert_gradient_close(gm.as_slice(), &numeric_m, FD_TOL);
        assert_gradient_close(gv.as_slice(), &numeric_v, FD_TOL);
        // ∂/∂v of the terms with a hand-derived gradient: v.x (Mv)·v's and −(−v).y's.
        let hand_trace_det = m.determinant() * Matrix3::identity()
            + m.trace() * m.determinant() * m.try_inverse().unwrap().transpose();
        let rest = gm - hand_trace_det;
        // What is left of ∂/∂M comes from the cross-product term and `v.x · m.column(1)·v`.
        let column_term = {
            let mut g = Matrix3::zeros();
            g.set_column(1, &(v.x * v));
            g
        };
        let numeric_cross = gradient(
            |p| {
                let m = Matrix3::from_column_slice(p);
                let w = v.cross(&(m * v)).normalize();
                w.component_mul(&v).sum()
            },
            m.as_slice(),
        );
        assert_gradient_close((rest - column_term).as_slice(), &numeric_cross, FD_TOL);
    });
}

// ---- Constructors ---------------------------------------------------------------------------------

/// Vectors and matrices built from active scalars and slices.
#[differentiate]
fn built(x: &[f64], s: f64, t: f64) -> f64 {
    let n = x.len();
    let v = DVector::from_column_slice(x);
    let m = DMatrix::from_row_slice(2, n / 2, x);
    let filled = DVector::from_element(n, s);
    let small = Vector3::new(s, t, s * t);
    let corners = autodiff::nalgebra::Matrix2::new(s, t, 2.0 * t, s);
    v.dot(&filled) + m.row(0).sum() * small.z + corners.determinant()
}

#[test]
fn constructors_pass_derivatives_to_what_they_were_built_from() {
    for_random_inputs(|rng| {
        let n = 2 * rng.size();
        let x: Vec<f64> = (0..n).map(|_| rng.value()).collect();
        let (s, t) = (rng.value(), rng.value());
        let (gx, gs, gt) = built_grad(&x, s, t);
        // f = s Σx + (Σ x_{0..n/2}) s t + s² − 2t².
        let first_half: f64 = x[..n / 2].iter().sum();
        let hand_x: Vec<f64> = (0..n)
            .map(|i| s + if i < n / 2 { s * t } else { 0.0 })
            .collect();
        let hand_s = x.iter().sum::<f64>() + first_half * t + 2.0 * s;
        let hand_t = first_half * s - 4.0 * t;
        check("constructors by x", &x, &gx, &hand_x, |v| built(v, s, t));
        check(
            "constructors by (s, t)",
            &[s, t],
            &[gs, gt],
            &[hand_s, hand_t],
            |p| built(&x, p[0], p[1]),
        );
    });
}

// ---- f32 entries ------------------------------------------------------------------------------------

#[differentiate]
fn single_precision(x: &DVector<f32>, m: &DMatrix<f32>) -> f32 {
    let y = m * x;
    y.map(|v| v.tanh()).sum() + x.norm_squared()
}

#[test]
fn single_precision_matrices_differentiate_too() {
    let x = DVector::from_vec(vec![0.5_f32, -1.0, 0.25]);
    let m = DMatrix::from_row_slice(2, 3, &[1.0_f32, 0.5, -0.5, 0.0, 2.0, 1.0]);
    let (gx, gm) = single_precision_grad(&x, &m);
    // ∇ₓ = Mᵀ(1 − tanh²(Mx)) + 2x; ∇_M = (1 − tanh²(Mx)) xᵀ.
    let slope = (&m * &x).map(|v| 1.0 - v.tanh().powi(2));
    let hand_x = m.transpose() * &slope + 2.0 * &x;
    let hand_m = &slope * x.transpose();
    for (generated, hand) in [
        (gx.as_slice(), hand_x.as_slice()),
        (gm.as_slice(), hand_m.as_slice()),
    ] {
        for (g, h) in generated.iter().zip(hand) {
            assert!((g - h).abs() <= 1e-5, "{g} against {h}");
        }
    }
}

// ---- Writes into entries ---------------------------------------------------------------------------

/// A matrix filled entry by entry, read by a product, then overwritten: the reverse sweep
/// needs the entries as they were when the product read them.
#[differentiate]
fn written_entries(x: &DVector<f64>, s: f64) -> f64 {
    let mut m = DMatrix::zeros(2, 2);
    m[(0, 0)] = s * x[0];
    m[(1, 1)] = x[1];
    m[(0, 1)] = s;
    let y = &m * x;
    m[(1, 0)] = y[0];
    m[(0, 0)] += x[1];
    y.dot(x) + m.determinant()
}

#[test]
fn entries_written_one_by_one_carry_their_derivatives() {
    for_random_inputs(|rng| {
        let x = rng.vector(2);
        let s = rng.value();
        let (gx, gs) = written_entries_grad(&x, s);
        let at = [x[0], x[1], s];
        let f = |p: &[f64]| written_entries(&DVector::from_column_slice(&p[..2]), p[2]);
        // By hand: y = (s x₀² + s x₁, x₁²), m₀₀ = s x₀ + x₁, m₁₀ = y₀, so with
        // f = y·x + m₀₀ x₁ − s y₀:
        let (x0, x1) = (x[0], x[1]);
        let y0 = s * x0 * x0 + s * x1;
        let dy0 = [2.0 * s * x0, s, x0 * x0 + x1];
        let hand = [
            dy0[0] * x0 + y0 + s * x1 - s * dy0[0],
            dy0[1] * x0 + 3.0 * x1 * x1 + (s * x0 + x1) + x1 - s * dy0[1],
            dy0[2] * x0 + x0 * x1 - y0 - s * dy0[2],
        ];
        check("written entries", &at, &[gx[0], gx[1], gs], &hand, f);
    });
}

// ---- from_fn ------------------------------------------------------------------------------------------

/// A matrix built entry by entry from a closure that reads the inputs: `Mᵢⱼ = xᵢ yⱼ + s`.
#[differentiate]
fn outer_plus(x: &[f64], y: &DVector<f64>, s: f64) -> f64 {
    let m = DMatrix::from_fn(x.len(), y.len(), |i, j| x[i] * y[j] + s);
    let v = Vector3::from_fn(|i, _| (i as f64 + 1.0) * s);
    m.norm_squared() + v.sum()
}

#[test]
fn from_fn_passes_derivatives_through_its_closure() {
    for_random_inputs(|rng| {
        let (n, k) = (rng.size(), rng.size());
        let x: Vec<f64> = (0..n).map(|_| rng.value()).collect();
        let y = rng.vector(k);
        let s = rng.value();
        let (gx, gy, gs) = outer_plus_grad(&x, &y, s);
        // f = Σᵢⱼ (xᵢ yⱼ + s)² + 6s.
        let entry = |i: usize, j: usize| x[i] * y[j] + s;
        let hand_x: Vec<f64> = (0..n)
            .map(|i| (0..k).map(|j| 2.0 * entry(i, j) * y[j]).sum())
            .collect();
        let hand_y: Vec<f64> = (0..k)
            .map(|j| (0..n).map(|i| 2.0 * entry(i, j) * x[i]).sum())
            .collect();
        let hand_s: f64 = (0..n)
            .flat_map(|i| (0..k).map(move |j| (i, j)))
            .map(|(i, j)| 2.0 * entry(i, j))
            .sum::<f64>()
            + 6.0;
        check("from_fn by x", &x, &gx, &hand_x, |v| outer_plus(v, &y, s));
        check("from_fn by y", y.as_slice(), gy.as_slice(), &hand_y, |v| {
            outer_plus(&x, &DVector::from_column_slice(v), s)
        });
        check("from_fn by s", &[s], &[gs], &[hand_s], |v| {
            outer_plus(&x, &y, v[0])
        });
    });
}

/// A `map` whose closure reads another input: differentiated as the loops it stands for.
#[differentiate]
fn scaled_tanh(x: &DVector<f64>, s: f64) -> f64 {
    x.map(|v| (v * s).tanh()).sum()
}

#[test]
fn map_over_a_closure_that_reads_an_input() {
    for_random_inputs(|rng| {
        let n = rng.size();
        let x = rng.vector(n);
        let s = rng.value();
        let (gx, gs) = scaled_tanh_grad(&x, s);
        let slope = |v: f64| 1.0 - (v * s).tanh().powi(2);
        let hand_x: Vec<f64> = x.iter().map(|&v| s * slope(v)).collect();
        let hand_s: f64 = x.iter().map(|&v| v * slope(v)).sum();
        check(
            "map reading s, by x",
            x.as_slice(),
            gx.as_slice(),
            &hand_x,
            |v| scaled_tanh(&DVector::from_column_slice(v), s),
        );
        check("map reading s, by s", &[s], &[gs], &[hand_s], |v| {
            scaled_tanh(&x, v[0])
        });
    });
}

// ---- Forward mode agrees with reverse mode -----------------------------------------------------------

/// `f_tangent` along a direction gives `⟨∇f, direction⟩`, the gradient from reverse mode.
#[test]
fn forward_mode_through_matrices_agrees_with_the_gradient() {
    for_random_inputs(|rng| {
        let n = rng.size();
        let (x, dx) = (rng.vector(n), rng.vector(n));
        let (a, da) = (rng.matrix(n, n), rng.matrix(n, n));
        let agree = |name: &str, forward: f64, reverse: f64| {
            common::assert_close(name, forward, reverse, 1e-10);
        };

        let (value, slope) = two_xtx_tangent(x.clone(), dx.clone());
        assert_eq!(value, two_xtx(x.clone()));
        agree("2xᵀx", slope, two_xtx_grad(x.clone()).dot(&dx));

        let (gx, ga) = quadratic_form_grad(&x, &a);
        let (_, slope) = quadratic_form_tangent(&x, &dx, &a, &da);
        agree("xᵀAx", slope, gx.dot(&dx) + ga.dot(&da));
        let (_, slope) = quadratic_form_by_dot_tangent(&x, &dx, &a, &da);
        agree("x·(Ax)", slope, gx.dot(&dx) + ga.dot(&da));

        let (_, slope) = inner_of_two_maps_tangent(&x, &dx, &a);
        agree(
            "⟨Ax, sin x⟩",
            slope,
            inner_of_two_maps_grad(&x, &a).dot(&dx),
        );

        let s = rng.value();
        let (gx, gs) = scaled_tanh_grad(&x, s);
        let (_, slope) = scaled_tanh_tangent(&x, &dx, s, 0.5);
        agree("map reading s", slope, gx.dot(&dx) + 0.5 * gs);

        let (_, slope) = control_flow_tangent(x.clone(), dx.clone());
        agree("control flow", slope, control_flow_grad(x.clone()).dot(&dx));

        // A vector result: A dx + dA x.
        let (value, tangent) = a_times_x_tangent(&a, &da, &x, &dx);
        assert_eq!(value, &a * &x);
        let expected = &a * &dx + &da * &x;
        assert!((tangent - &expected).norm() <= 1e-12 * (1.0 + expected.norm()));

        let m = Matrix3::from_fn(|_, _| rng.value());
        let dm = Matrix3::from_fn(|_, _| rng.value());
        let v = Vector3::from_fn(|_, _| rng.value());
        let dv = Vector3::from_fn(|_, _| rng.value());
        let (gm, gv) = static_mix_grad(m, v);
        let (_, slope) = static_mix_tangent(m, dm, v, dv);
        agree("static sizes", slope, gm.dot(&dm) + gv.dot(&dv));

        let k = rng.size();
        let xs: Vec<f64> = (0..2 * k).map(|_| rng.value()).collect();
        let dxs: Vec<f64> = (0..2 * k).map(|_| rng.value()).collect();
        let t = rng.value();
        let (gxs, gs, gt) = built_grad(&xs, s, t);
        let (_, slope) = built_tangent(&xs, &dxs, s, 1.0, t, -1.0);
        let by_x: f64 = gxs.iter().zip(&dxs).map(|(g, d)| g * d).sum();
        agree("constructors", slope, by_x + gs - gt);

        let x2 = rng.vector(2);
        let dx2 = rng.vector(2);
        let (gx2, gs) = written_entries_grad(&x2, s);
        let (_, slope) = written_entries_tangent(&x2, &dx2, s, 0.25);
        agree("entry writes", slope, gx2.dot(&dx2) + 0.25 * gs);

        let y = rng.vector(k);
        let dy = rng.vector(k);
        let (gxs, gy, gs) = outer_plus_grad(&xs, &y, s);
        let (_, slope) = outer_plus_tangent(&xs, &dxs, &y, &dy, s, 2.0);
        let by_x: f64 = gxs.iter().zip(&dxs).map(|(g, d)| g * d).sum();
        agree("from_fn", slope, by_x + gy.dot(&dy) + 2.0 * gs);
    });
}

/// The functions the test above leaves out, the same way: `f_tangent` along a random direction
/// against the reverse mode's gradient, and for the row-vector result ⟨ȳ, J v⟩ = ⟨Jᵀ ȳ, v⟩ with
/// `f_adjoint`.
#[test]
fn forward_mode_agrees_with_reverse_mode_on_the_rest() {
    for_random_inputs(|rng| {
        let n = rng.size();
        let (x, dx) = (rng.vector(n), rng.vector(n));
        let (a, da) = (rng.matrix(n, n), rng.matrix(n, n));
        let agree = |name: &str, forward: f64, reverse: f64| {
            common::assert_close(name, forward, reverse, 1e-10);
        };

        // Only x is in `wrt`.
        let y_bar = RowDVector::from_fn(n, |_, _| rng.value());
        let (_, tangent) = x_transpose_a_tangent(&x, &dx, &a);
        let mut x_bar = DVector::zeros(n);
        x_transpose_a_adjoint(&x, &mut x_bar, &a, y_bar.clone());
        agree("xᵀA", y_bar.dot(&tangent), x_bar.dot(&dx));

        let (_, slope) = norm_squared_tangent(&x, &dx);
        agree("‖x‖²", slope, norm_squared_grad(&x).dot(&dx));
        let (_, slope) = norm_then_square_tangent(&x, &dx);
        agree("‖x‖ squared", slope, norm_then_square_grad(&x).dot(&dx));
        let (_, slope) = frobenius_squared_tangent(&a, &da);
        agree("‖A‖_F²", slope, frobenius_squared_grad(&a).dot(&da));

        // Only a and x are in `wrt`: b is held fixed.
        let b = rng.vector(n);
        let (ga, gx) = least_squares_grad(&a, &x, &b);
        let (_, slope) = least_squares_tangent(&a, &da, &x, &dx, &b);
        agree("‖Ax − b‖²", slope, ga.dot(&da) + gx.dot(&dx));

        let (inputs, hidden, classes) = (rng.size(), rng.size(), 1 + rng.size());
        let (w1, dw1) = (rng.matrix(hidden, inputs), rng.matrix(hidden, inputs));
        let (b1, db1) = (rng.vector(hidden), rng.vector(hidden));
        let (w2, dw2) = (rng.matrix(classes, hidden), rng.matrix(classes, hidden));
        let (b2, db2) = (rng.vector(classes), rng.vector(classes));
        let input = rng.vector(inputs);
        let label = (rng.value().abs() * classes as f64) as usize % classes;
        let (g_w1, g_b1, g_w2, g_b2) = perceptron_loss_grad(&w1, &b1, &w2, &b2, &input, label);
        let (_, slope) =
            perceptron_loss_tangent(&w1, &dw1, &b1, &db1, &w2, &dw2, &b2, &db2, &input, label);
        let reverse = g_w1.dot(&dw1) + g_b1.dot(&db1) + g_w2.dot(&dw2) + g_b2.dot(&db2);
        agree("perceptron", slope, reverse);

        // In f32 both modes round to f32 at every step, so they agree to f32 precision only.
        let (x32, dx32) = (x.map(|v| v as f32), dx.map(|v| v as f32));
        let (m32, dm32) = (a.map(|v| v as f32), da.map(|v| v as f32));
        let (gx, gm) = single_precision_grad(&x32, &m32);
        let (_, slope) = single_precision_tangent(&x32, &dx32, &m32, &dm32);
        let reverse = gx.dot(&dx32) + gm.dot(&dm32);
        common::assert_close("f32", f64::from(slope), f64::from(reverse), 1e-5);
    });
}
