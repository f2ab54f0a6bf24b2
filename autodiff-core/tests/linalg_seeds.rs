//! The nalgebra rules chained as a generated reverse sweep chains them, on the identities
//! they must reproduce; the element-access helpers; and the rules on dual-number entries
//! (forward over reverse).
#![cfg(feature = "nalgebra")]

mod linalg_support;

use autodiff_core::__method_rule as rule;
use autodiff_core::rules::ops;
use autodiff_core::testing::assert_gradient_close;
use autodiff_core::{accumulate, accumulate_element, gradient_or_zero, take_element};
use autodiff_core::{Dual, ZeroLike};
use linalg_support::{along, assert_forward, dual_matrix, numeric_vjp, Entries, Lcg};
use nalgebra::{DMatrix, DVector, Matrix1, Matrix3, RowDVector, Vector3};

#[track_caller]
fn assert_close<X: Entries>(actual: &X, expected: &X) {
    assert_gradient_close(&actual.entries(), &expected.entries(), 1e-12);
}

/// Reverse sweep of `f(x) = 2 (xᵀ x)[(0, 0)]` in the order generated code runs it.
fn grad_of_twice_xtx(x: &DVector<f64>) -> DVector<f64> {
    let xt = x.transpose();
    let p = &xt * x;
    let mut p_bar = None;
    accumulate_element(&mut p_bar, &p, (0, 0), ops::mul_rhs(&2.0, &p[(0, 0)], &1.0));
    let p_bar = gradient_or_zero(p_bar, &p);
    let mut x_bar = Some(ops::mul_rhs(&xt, x, &p_bar));
    let xt_bar = ops::mul_lhs(&xt, x, &p_bar);
    accumulate(&mut x_bar, rule!(transpose)(x, &xt_bar).0);
    gradient_or_zero(x_bar, x)
}

#[test]
fn gradient_of_twice_x_transpose_x_is_four_x() {
    let mut rng = Lcg::new(11);
    for _ in 0..20 {
        let n = rng.size();
        let x: DVector<f64> = rng.matrix(n, 1);
        assert_close(&grad_of_twice_xtx(&x), &(&x * 4.0));
    }
}

#[test]
fn vjp_of_a_x_with_all_ones_is_a_transpose_times_ones() {
    let mut rng = Lcg::new(12);
    for _ in 0..20 {
        let (m, n) = (rng.size(), rng.size());
        let (a, x): (DMatrix<f64>, DVector<f64>) = (rng.matrix(m, n), rng.matrix(n, 1));
        let ones = DVector::repeat(m, 1.0);
        assert_close(&ops::mul_rhs(&a, &x, &ones), &(a.transpose() * &ones));
        let (b, y): (Matrix3<f64>, Vector3<f64>) = (rng.smatrix(), rng.smatrix());
        let ones = Vector3::repeat(1.0);
        assert_close(&ops::mul_rhs(&b, &y, &ones), &(b.transpose() * ones));
    }
}

#[test]
fn vjps_of_x_transpose_a_along_each_output_give_the_columns_of_a() {
    let mut rng = Lcg::new(13);
    for _ in 0..20 {
        let (m, n) = (rng.size(), rng.size());
        let (a, x): (DMatrix<f64>, DVector<f64>) = (rng.matrix(m, n), rng.matrix(m, 1));
        let xt = x.transpose();
        let mut jacobian_t = DMatrix::zeros(m, n);
        for j in 0..n {
            let mut e_j = RowDVector::zeros(n);
            e_j[j] = 1.0;
            let (x_bar,) = rule!(transpose)(&x, &ops::mul_lhs(&xt, &a, &e_j));
            jacobian_t.set_column(j, &x_bar);
        }
        assert_eq!(jacobian_t, a);
    }
}

#[test]
fn gradient_of_the_quadratic_form_is_a_plus_a_transpose_times_x() {
    let mut rng = Lcg::new(14);
    for _ in 0..20 {
        let n = rng.size();
        let (a, x): (DMatrix<f64>, DVector<f64>) = (rng.matrix(n, n), rng.matrix(n, 1));
        // Forward: xt = x.transpose(); xt_a = xt * a; q = xt_a * x; f = q[(0, 0)].
        let xt = x.transpose();
        let xt_a = &xt * &a;
        let q = &xt_a * &x;
        let mut q_bar = None;
        accumulate_element(&mut q_bar, &q, (0, 0), 1.0);
        let q_bar = gradient_or_zero(q_bar, &q);
        let mut x_bar = Some(ops::mul_rhs(&xt_a, &x, &q_bar));
        let xt_a_bar = ops::mul_lhs(&xt_a, &x, &q_bar);
        let a_bar = ops::mul_rhs(&xt, &a, &xt_a_bar);
        let xt_bar = ops::mul_lhs(&xt, &a, &xt_a_bar);
        accumulate(&mut x_bar, rule!(transpose)(&x, &xt_bar).0);
        let x_bar = x_bar.unwrap();
        assert_close(&x_bar, &((&a + a.transpose()) * &x));
        assert_close(&a_bar, &(&x * x.transpose())); // ∂(xᵀAx)/∂A = x xᵀ
        let f = |x: &DVector<f64>| (x.transpose() * &a * x)[(0, 0)];
        assert_gradient_close(&x_bar.entries(), &numeric_vjp(f, &x, &1.0), 1e-6);
    }
}

#[test]
fn gradient_of_the_squared_norm_is_two_x() {
    let mut rng = Lcg::new(15);
    for _ in 0..20 {
        let n = rng.size();
        let x: DVector<f64> = rng.matrix(n, 1);
        assert_close(&rule!(norm_squared)(&x, &1.0).0, &(&x * 2.0));
        // The same through `x.dot(&x)`: both operands are `x`, so both cotangents add up.
        let (from_receiver, from_argument) = rule!(dot)(&x, &x, &1.0);
        assert_close(&(from_receiver + from_argument), &(&x * 2.0));
        let u: Vector3<f64> = rng.smatrix();
        assert_close(&rule!(norm_squared)(&u, &1.0).0, &(u * 2.0));
    }
}

#[test]
fn gradient_of_the_squared_frobenius_norm_is_two_x() {
    let mut rng = Lcg::new(16);
    for _ in 0..20 {
        let (m, n) = (rng.size(), rng.size());
        let x: DMatrix<f64> = rng.matrix(m, n);
        assert_close(&rule!(norm_squared)(&x, &1.0).0, &(&x * 2.0));
        let y: Matrix3<f64> = rng.smatrix();
        assert_close(&rule!(norm_squared)(&y, &1.0).0, &(y * 2.0));
    }
}

#[test]
fn element_reads_accumulate_into_a_zero_of_the_primal_shape() {
    let m = DMatrix::from_element(2, 3, 7.0);
    let mut m_bar = None;
    accumulate_element(&mut m_bar, &m, (1, 2), 1.5);
    accumulate_element(&mut m_bar, &m, (1, 2), 0.5);
    accumulate_element(&mut m_bar, &m, 0, 3.0); // linear index: down the columns
    let expected = DMatrix::from_row_slice(2, 3, &[3.0, 0.0, 0.0, 0.0, 0.0, 2.0]);
    assert_eq!(m_bar, Some(expected));

    let (v, mut v_bar) = (Vector3::new(1.0, 2.0, 3.0), None);
    accumulate_element(&mut v_bar, &v, 2, 4.0);
    assert_eq!(v_bar, Some(Vector3::new(0.0, 0.0, 4.0)));

    let (w, mut w_bar) = (DVector::from_vec(vec![1.0_f32; 4]), None);
    accumulate_element(&mut w_bar, &w, 1, 2.0);
    assert_eq!(w_bar, Some(DVector::from_vec(vec![0.0, 2.0, 0.0, 0.0])));
}

#[test]
fn element_writes_take_the_adjoint_entry_and_zero_it() {
    let mut m_bar = Some(DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 3.0, 4.0]));
    assert_eq!(take_element(&mut m_bar, (1, 0)), 3.0);
    assert_eq!(
        m_bar,
        Some(DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 0.0, 4.0]))
    );
    assert_eq!(take_element(&mut m_bar, (1, 0)), 0.0);
    let mut none: Option<DVector<f64>> = None;
    assert_eq!(take_element(&mut none, 5), 0.0);
    assert_eq!(none, None);
}

#[test]
fn zeros_have_the_primal_shape() {
    assert_eq!(
        DMatrix::<f64>::repeat(2, 3, 1.0).zero_like(),
        DMatrix::zeros(2, 3)
    );
    assert_eq!(
        RowDVector::<f32>::repeat(4, 1.0).zero_like(),
        RowDVector::zeros(4)
    );
    assert_eq!(Matrix3::<f64>::identity().zero_like(), Matrix3::zeros());
    assert_eq!(
        gradient_or_zero(None, &Matrix1::new(5.0)),
        Matrix1::new(0.0)
    );
    let duals = DVector::from_element(2, Dual::new(1.0, 2.0));
    assert!(duals
        .zero_like()
        .iter()
        .all(|d| d.re == 0.0 && d.eps == 0.0));
}

#[test]
fn product_rules_on_dual_entries() {
    let mut rng = Lcg::new(17);
    for _ in 0..20 {
        let (m, k, n) = (rng.size(), rng.size(), rng.size());
        let a: DMatrix<Dual<f64>> = dual_matrix(&mut rng, m, k);
        let b: DMatrix<Dual<f64>> = dual_matrix(&mut rng, k, n);
        let g: DMatrix<Dual<f64>> = dual_matrix(&mut rng, m, n);
        let at = |t| (along(&a, t), along(&b, t), along(&g, t));
        assert_forward(&ops::mul_lhs(&a, &b, &g), |t| {
            let (a, b, g) = at(t);
            ops::mul_lhs(&a, &b, &g)
        });
        assert_forward(&ops::mul_rhs(&a, &b, &g), |t| {
            let (a, b, g) = at(t);
            ops::mul_rhs(&a, &b, &g)
        });
        let x: DVector<Dual<f64>> = dual_matrix(&mut rng, k, 1);
        let h: DVector<Dual<f64>> = dual_matrix(&mut rng, m, 1);
        assert_forward(&ops::mul_rhs(&a, &x, &h), |t| {
            ops::mul_rhs(&along(&a, t), &along(&x, t), &along(&h, t))
        });
        assert_forward(&ops::mul_lhs(&a, &x, &h), |t| {
            ops::mul_lhs(&along(&a, t), &along(&x, t), &along(&h, t))
        });
        let s = Dual::new(rng.nonzero(), rng.value());
        let s_at = |t: f64| s.re + t * s.eps;
        let c: DMatrix<Dual<f64>> = dual_matrix(&mut rng, m, k);
        assert_forward(&ops::mul_rhs(&a, &s, &c), |t| {
            ops::mul_rhs(&along(&a, t), &s_at(t), &along(&c, t))
        });
        assert_forward(&ops::mul_lhs(&a, &s, &c), |t| {
            ops::mul_lhs(&along(&a, t), &s_at(t), &along(&c, t))
        });
        assert_forward(&ops::div_rhs(&a, &s, &c), |t| {
            ops::div_rhs(&along(&a, t), &s_at(t), &along(&c, t))
        });
    }
}

#[test]
fn method_rules_on_dual_entries() {
    let mut rng = Lcg::new(18);
    for _ in 0..20 {
        let (m, n) = (rng.size(), rng.size());
        let a: DMatrix<Dual<f64>> = dual_matrix(&mut rng, m, n);
        let b: DMatrix<Dual<f64>> = dual_matrix(&mut rng, m, n);
        let b = b.map(|d| d + d.re.signum() * 1.5); // away from zero
        let g: DMatrix<Dual<f64>> = dual_matrix(&mut rng, m, n);
        let gt = g.transpose();
        let s = Dual::new(rng.value(), rng.value());
        let s_at = |t: f64| s.re + t * s.eps;
        assert_forward(&rule!(transpose)(&a, &gt).0, |t| {
            rule!(transpose)(&along(&a, t), &along(&gt, t)).0
        });
        assert_forward(&rule!(dot)(&a, &b, &s).1, |t| {
            rule!(dot)(&along(&a, t), &along(&b, t), &s_at(t)).1
        });
        assert_forward(&rule!(norm_squared)(&a, &s).0, |t| {
            rule!(norm_squared)(&along(&a, t), &s_at(t)).0
        });
        assert_forward(&rule!(sum)(&a, &s).0, |t| {
            rule!(sum)(&along(&a, t), &s_at(t)).0
        });
        assert_forward(&rule!(trace)(&a, &s).0, |t| {
            rule!(trace)(&along(&a, t), &s_at(t)).0
        });
        let (pm, pd) = (
            rule!(component_mul)(&a, &b, &g),
            rule!(component_div)(&a, &b, &g),
        );
        let at = |t| (along(&a, t), along(&b, t), along(&g, t));
        assert_forward(&pm.0, |t| {
            let (a, b, g) = at(t);
            rule!(component_mul)(&a, &b, &g).0
        });
        assert_forward(&pd.1, |t| {
            let (a, b, g) = at(t);
            rule!(component_div)(&a, &b, &g).1
        });
        let (u, v, w): (Vector3<Dual<f64>>, Vector3<_>, Vector3<_>) = (
            dual_matrix(&mut rng, 3, 1),
            dual_matrix(&mut rng, 3, 1),
            dual_matrix(&mut rng, 3, 1),
        );
        assert_forward(&rule!(cross)(&u, &v, &w).0, |t| {
            rule!(cross)(&along(&u, t), &along(&v, t), &along(&w, t)).0
        });
    }
}
