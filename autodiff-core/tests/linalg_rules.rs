//! Every nalgebra rule against central finite differences, for dynamic, static and mixed
//! operand types of random-ish sizes (1 to 5) and values, and the `f32` rules against the
//! `f64` ones. Operands a rule must not read are passed as NaN, so that reading them shows.
#![cfg(feature = "nalgebra")]

mod linalg_support;

use autodiff_core::__method_rule as rule;
use autodiff_core::rules::ops::{self, DivRule, MulRule};
use linalg_support::{assert_vjp, Entries, Lcg};
use nalgebra::{
    DMatrix, DVector, Matrix2x3, Matrix3, Matrix3x2, RowDVector, RowVector3, SMatrix, Vector3,
    Vector4,
};

const TRIALS: usize = 20;

/// A value of `like`'s type and shape with random entries.
fn random_like<Y: Entries>(like: &Y, rng: &mut Lcg) -> Y {
    (0..like.entries().len()).fold(like.clone(), |y, i| y.with_entry(i, rng.value()))
}

/// A value of `like`'s type and shape with NaN entries: a stand-in for a stale operand.
fn nan_like<Y: Entries>(like: &Y) -> Y {
    (0..like.entries().len()).fold(like.clone(), |y, i| y.with_entry(i, f64::NAN))
}

/// Checks both cotangents of `lhs * rhs` (computed by `product`) against finite differences,
/// with the operand each rule must not read replaced by NaNs.
#[track_caller]
fn check_mul<L, R>(lhs: &L, rhs: &R, product: impl Fn(&L, &R) -> L::Output, rng: &mut Lcg)
where
    L: MulRule<R> + Entries,
    R: Entries,
    L::Output: Entries,
{
    let g = random_like(&product(lhs, rhs), rng);
    let lhs_bar = ops::mul_lhs(&nan_like(lhs), rhs, &g);
    assert_vjp(&lhs_bar, |a| product(a, rhs), lhs, &g);
    let rhs_bar = ops::mul_rhs(lhs, &nan_like(rhs), &g);
    assert_vjp(&rhs_bar, |b| product(lhs, b), rhs, &g);
}

/// Checks both cotangents of `lhs / rhs`, with a NaN numerator for `div_lhs`.
#[track_caller]
fn check_div<L, R>(lhs: &L, rhs: &R, quotient: impl Fn(&L, &R) -> L::Output, rng: &mut Lcg)
where
    L: DivRule<R> + Entries,
    R: Entries,
    L::Output: Entries,
{
    let g = random_like(&quotient(lhs, rhs), rng);
    let lhs_bar = ops::div_lhs(&nan_like(lhs), rhs, &g);
    assert_vjp(&lhs_bar, |a| quotient(a, rhs), lhs, &g);
    let rhs_bar = ops::div_rhs(lhs, rhs, &g);
    assert_vjp(&rhs_bar, |b| quotient(lhs, b), rhs, &g);
}

/// Checks the cotangent of a one-operand method against finite differences.
#[track_caller]
fn check_unary<X: Entries, Y: Entries>(
    x: &X,
    method: impl Fn(&X) -> Y,
    rule: impl Fn(&X, &Y) -> (X,),
    rng: &mut Lcg,
) {
    let g = random_like(&method(x), rng);
    let (x_bar,) = rule(x, &g);
    assert_vjp(&x_bar, &method, x, &g);
}

/// Checks both cotangents of a two-operand method against finite differences.
#[track_caller]
fn check_binary<X: Entries, Y: Entries, Z: Entries>(
    x: &X,
    y: &Y,
    method: impl Fn(&X, &Y) -> Z,
    rule: impl Fn(&X, &Y, &Z) -> (X, Y),
    rng: &mut Lcg,
) {
    let g = random_like(&method(x, y), rng);
    let (x_bar, y_bar) = rule(x, y, &g);
    assert_vjp(&x_bar, |a| method(a, y), x, &g);
    assert_vjp(&y_bar, |b| method(x, b), y, &g);
}

fn mul<L: Clone + std::ops::Mul<R, Output = O>, R: Clone, O>(a: &L, b: &R) -> O {
    a.clone() * b.clone()
}

fn div<L: Clone + std::ops::Div<R, Output = O>, R: Clone, O>(a: &L, b: &R) -> O {
    a.clone() / b.clone()
}

#[test]
fn products_of_dynamic_matrices_and_vectors() {
    let mut rng = Lcg::new(1);
    for trial in 0..TRIALS {
        // The first trial is large enough for nalgebra to hand `gemm` to `matrixmultiply`.
        let (m, k, n) = match trial {
            0 => (7, 8, 9),
            _ => (rng.size(), rng.size(), rng.size()),
        };
        let a: DMatrix<f64> = rng.matrix(m, k);
        let b: DMatrix<f64> = rng.matrix(k, n);
        let x: DVector<f64> = rng.matrix(k, 1);
        let y: DVector<f64> = rng.matrix(m, 1);
        let xt: RowDVector<f64> = rng.matrix(1, m);
        let yt: RowDVector<f64> = rng.matrix(1, n);
        check_mul(&a, &b, mul, &mut rng); // A B
        check_mul(&a, &x, mul, &mut rng); // A x
        check_mul(&xt, &a, mul, &mut rng); // xᵀ A
        check_mul(&xt, &y, mul, &mut rng); // xᵀ y
        check_mul(&y, &yt, mul, &mut rng); // y xᵀ, an outer product
        let column: DMatrix<f64> = rng.matrix(m, 1);
        check_mul(&column, &yt, mul, &mut rng); // a one-column DMatrix times a row
        let row: DMatrix<f64> = rng.matrix(1, n);
        check_mul(&y, &row, mul, &mut rng); // a vector times a one-row DMatrix
    }
}

#[test]
fn products_of_static_matrices_and_vectors() {
    let mut rng = Lcg::new(2);
    for _ in 0..TRIALS {
        let a: Matrix2x3<f64> = rng.smatrix();
        let b: Matrix3x2<f64> = rng.smatrix();
        let c: Matrix3<f64> = rng.smatrix();
        let (x, y): (Vector3<f64>, Vector4<f64>) = (rng.smatrix(), rng.smatrix());
        let xt: RowVector3<f64> = rng.smatrix();
        check_mul(&a, &b, mul, &mut rng);
        check_mul(&b, &a, mul, &mut rng);
        check_mul(&c, &c, mul, &mut rng);
        check_mul(&a, &x, mul, &mut rng);
        check_mul(&xt, &c, mul, &mut rng);
        check_mul(&xt, &x, mul, &mut rng);
        check_mul(&y, &xt, mul, &mut rng);
        let one_by_one: SMatrix<f64, 1, 1> = rng.smatrix();
        check_mul(&one_by_one, &one_by_one, mul, &mut rng);
    }
}

#[test]
fn products_of_static_and_dynamic_operands() {
    let mut rng = Lcg::new(3);
    for _ in 0..TRIALS {
        let a: Matrix2x3<f64> = rng.smatrix();
        let x: DVector<f64> = rng.matrix(3, 1);
        check_mul(&a, &x, mul, &mut rng);
        let rows = rng.size();
        let b: DMatrix<f64> = rng.matrix(rows, 3);
        let y: Vector3<f64> = rng.smatrix();
        check_mul(&b, &y, mul, &mut rng);
    }
}

#[test]
fn scaling_by_a_scalar_and_dividing_by_one() {
    let mut rng = Lcg::new(4);
    for _ in 0..TRIALS {
        let (m, n) = (rng.size(), rng.size());
        let (s, d) = (rng.value(), rng.nonzero());
        let a: DMatrix<f64> = rng.matrix(m, n);
        let x: DVector<f64> = rng.matrix(m, 1);
        let xt: RowDVector<f64> = rng.matrix(1, n);
        let (b, y): (Matrix2x3<f64>, Vector4<f64>) = (rng.smatrix(), rng.smatrix());
        check_mul(&a, &s, mul, &mut rng);
        check_mul(&s, &a, mul, &mut rng);
        check_mul(&x, &s, mul, &mut rng);
        check_mul(&s, &xt, mul, &mut rng);
        check_mul(&b, &s, mul, &mut rng);
        check_mul(&s, &y, mul, &mut rng);
        check_div(&a, &d, div, &mut rng);
        check_div(&xt, &d, div, &mut rng);
        check_div(&b, &d, div, &mut rng);
    }
}

#[test]
fn f32_rules_agree_with_f64_rules() {
    let mut rng = Lcg::new(5);
    let close = |a: DMatrix<f32>, b: DMatrix<f64>| (a.cast::<f64>() - b).norm() < 1e-4;
    for _ in 0..TRIALS {
        let (m, k, n) = (rng.size(), rng.size(), rng.size());
        let a: DMatrix<f64> = rng.matrix(m, k);
        let b: DMatrix<f64> = rng.matrix(k, n);
        let g: DMatrix<f64> = rng.matrix(m, n);
        let cast = |m: &DMatrix<f64>| m.clone().cast::<f32>();
        let (a32, b32, g32) = (cast(&a), cast(&b), cast(&g));
        assert!(close(
            ops::mul_lhs(&a32, &b32, &g32),
            ops::mul_lhs(&a, &b, &g)
        ));
        assert!(close(
            ops::mul_rhs(&a32, &b32, &g32),
            ops::mul_rhs(&a, &b, &g)
        ));
        let s = rng.nonzero();
        let h: DMatrix<f64> = rng.matrix(m, k);
        let h32 = cast(&h);
        let s_bar = ops::mul_lhs(&(s as f32), &a32, &h32);
        assert!((f64::from(s_bar) - ops::mul_lhs(&s, &a, &h)).abs() < 1e-4);
        assert!(close(
            ops::div_lhs(&a32, &(s as f32), &h32),
            ops::div_lhs(&a, &s, &h)
        ));
        let square = a.clone().resize(k, k, 0.0) + DMatrix::identity(k, k) * 4.0; // invertible
        let (d32,) = rule!(determinant)(&cast(&square), &1.0_f32);
        let (d64,) = rule!(determinant)(&square, &1.0);
        assert!((d32.cast::<f64>() - &d64).norm() < 1e-3 * d64.norm().max(1.0));
    }
}

#[test]
fn the_operand_a_product_rule_must_not_read_may_have_any_shape() {
    let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let x = DVector::from_vec(vec![1.0, -1.0, 2.0]);
    let g = DVector::from_vec(vec![0.5, 2.0]);
    let stale_a = DMatrix::<f64>::zeros(0, 0);
    let stale_x = DVector::<f64>::zeros(7);
    assert_eq!(ops::mul_lhs(&stale_a, &x, &g), ops::mul_lhs(&a, &x, &g));
    assert_eq!(ops::mul_rhs(&a, &stale_x, &g), ops::mul_rhs(&a, &x, &g));
    let gm = DMatrix::from_element(2, 2, 1.5);
    let b = DMatrix::from_row_slice(3, 2, &[1.0, 0.0, 2.0, 1.0, 0.0, 3.0]);
    assert_eq!(ops::mul_lhs(&stale_a, &b, &gm), ops::mul_lhs(&a, &b, &gm));
    assert_eq!(ops::mul_rhs(&a, &stale_a, &gm), ops::mul_rhs(&a, &b, &gm));
    assert_eq!(
        ops::div_lhs(&stale_a, &2.0, &gm),
        ops::div_lhs(&a, &2.0, &gm)
    );
}

#[test]
fn transpose_rule() {
    let mut rng = Lcg::new(6);
    for _ in 0..TRIALS {
        let (m, n) = (rng.size(), rng.size());
        let a: DMatrix<f64> = rng.matrix(m, n);
        check_unary(&a, |a| a.transpose(), rule!(transpose), &mut rng);
        let x: DVector<f64> = rng.matrix(n, 1);
        check_unary(&x, |x| x.transpose(), rule!(transpose), &mut rng);
        let xt: RowDVector<f64> = rng.matrix(1, m);
        check_unary(&xt, |x| x.transpose(), rule!(transpose), &mut rng);
        let b: Matrix2x3<f64> = rng.smatrix();
        check_unary(&b, |b| b.transpose(), rule!(transpose), &mut rng);
    }
}

#[test]
fn dot_norm_and_normalize_rules() {
    let mut rng = Lcg::new(7);
    for _ in 0..TRIALS {
        let n = rng.size();
        let (x, y): (DVector<f64>, DVector<f64>) = (rng.matrix(n, 1), rng.matrix(n, 1));
        let (a, b): (DMatrix<f64>, DMatrix<f64>) = (rng.matrix(n, 3), rng.matrix(n, 3));
        let (u, v): (Vector3<f64>, Vector3<f64>) = (rng.smatrix(), rng.smatrix());
        check_binary(&x, &y, |x, y| x.dot(y), rule!(dot), &mut rng);
        check_binary(&a, &b, |a, b| a.dot(b), rule!(dot), &mut rng);
        check_binary(&u, &v, |u, v| u.dot(v), rule!(dot), &mut rng);
        check_unary(&x, |x| x.norm(), rule!(norm), &mut rng);
        check_unary(&a, |a| a.norm(), rule!(norm), &mut rng);
        check_unary(&u, |u| u.norm(), rule!(norm), &mut rng);
        check_unary(&x, |x| x.norm_squared(), rule!(norm_squared), &mut rng);
        check_unary(&a, |a| a.norm_squared(), rule!(norm_squared), &mut rng);
        check_unary(&u, |u| u.norm_squared(), rule!(norm_squared), &mut rng);
        check_unary(&x, |x| x.normalize(), rule!(normalize), &mut rng);
        check_unary(&a, |a| a.normalize(), rule!(normalize), &mut rng);
        check_unary(&u, |u| u.normalize(), rule!(normalize), &mut rng);
    }
}

#[test]
fn norm_at_zero_has_the_zero_subgradient_and_normalize_is_nan() {
    let zero = DVector::<f64>::zeros(3);
    assert_eq!(rule!(norm)(&zero, &2.0).0, zero);
    assert!(rule!(norm)(&zero, &f64::NAN).0.iter().all(|e| e.is_nan()));
    let (x_bar,) = rule!(normalize)(&zero, &DVector::repeat(3, 1.0));
    assert!(x_bar.iter().all(|e| e.is_nan()));
}

#[test]
fn sum_trace_and_determinant_rules() {
    let mut rng = Lcg::new(8);
    for _ in 0..TRIALS {
        let (m, n) = (rng.size(), rng.size());
        let a: DMatrix<f64> = rng.matrix(m, n);
        let x: DVector<f64> = rng.matrix(m, 1);
        let c: Matrix3<f64> = rng.smatrix();
        check_unary(&a, |a| a.sum(), rule!(sum), &mut rng);
        check_unary(&x, |x| x.sum(), rule!(sum), &mut rng);
        check_unary(&c, |c| c.sum(), rule!(sum), &mut rng);
        let square: DMatrix<f64> = rng.matrix(n, n);
        check_unary(&square, |a| a.trace(), rule!(trace), &mut rng);
        check_unary(&c, |c| c.trace(), rule!(trace), &mut rng);
        let det = |a: &DMatrix<f64>| a.determinant();
        check_unary(&square, det, rule!(determinant), &mut rng);
        check_unary(&c, |c| c.determinant(), rule!(determinant), &mut rng);
        let big: SMatrix<f64, 5, 5> = rng.smatrix(); // past nalgebra's closed forms
        check_unary(&big, |b| b.determinant(), rule!(determinant), &mut rng);
    }
}

#[test]
fn determinant_of_a_singular_matrix_gives_nan_without_panicking() {
    let singular =
        DMatrix::<f64>::from_row_slice(3, 3, &[1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 0.0, 1.0, 1.0]);
    let (a_bar,) = rule!(determinant)(&singular, &1.0);
    assert!(a_bar.iter().all(|e| e.is_nan()));
    let (empty_bar,) = rule!(determinant)(&DMatrix::<f64>::zeros(0, 0), &1.0);
    assert_eq!(empty_bar.shape(), (0, 0));
}

#[test]
fn cross_and_componentwise_rules() {
    let mut rng = Lcg::new(9);
    for _ in 0..TRIALS {
        let (u, v): (Vector3<f64>, Vector3<f64>) = (rng.smatrix(), rng.smatrix());
        let (p, q): (RowVector3<f64>, RowVector3<f64>) = (rng.smatrix(), rng.smatrix());
        let (x, y): (DVector<f64>, DVector<f64>) = (rng.matrix(3, 1), rng.matrix(3, 1));
        check_binary(&u, &v, |u, v| u.cross(v), rule!(cross), &mut rng);
        check_binary(&p, &q, |p, q| p.cross(q), rule!(cross), &mut rng);
        check_binary(&x, &y, |x, y| x.cross(y), rule!(cross), &mut rng);
        let (m, n) = (rng.size(), rng.size());
        let (a, b): (DMatrix<f64>, DMatrix<f64>) = (rng.matrix(m, n), rng.matrix(m, n));
        let b = b.map(|e| e.signum() * (1.0 + e.abs())); // away from zero
        let cm = |a: &DMatrix<f64>, b: &DMatrix<f64>| a.component_mul(b);
        let cd = |a: &DMatrix<f64>, b: &DMatrix<f64>| a.component_div(b);
        check_binary(&a, &b, cm, rule!(component_mul), &mut rng);
        check_binary(&a, &b, cd, rule!(component_div), &mut rng);
        let (w, z): (Vector4<f64>, Vector4<f64>) = (rng.smatrix(), rng.smatrix());
        let z = z.map(|e| e.signum() * (1.0 + e.abs()));
        let cm = |a: &Vector4<f64>, b: &Vector4<f64>| a.component_mul(b);
        let cd = |a: &Vector4<f64>, b: &Vector4<f64>| a.component_div(b);
        check_binary(&w, &z, cm, rule!(component_mul), &mut rng);
        check_binary(&w, &z, cd, rule!(component_div), &mut rng);
    }
}
