//! A function that calls other `#[differentiate]` functions gets `f_hvp` and `f_hessian`
//! without options too: its dual copy calls theirs. Each Hessian is checked against the
//! hand-derived one and against central differences of the generated gradient, and each
//! Hessian-vector product against the Hessian times the direction.

mod common;

use autodiff::prelude::*;
use common::assert_close;

/// inner(a, b) = a²b + sin a.
#[differentiate]
fn inner(a: f64, b: f64) -> f64 {
    a * a * b + a.sin()
}

/// outer(x, y) = x·inner(x, y) + inner(y, x) = x³y + x sin x + y²x + sin y.
#[differentiate]
fn outer(x: f64, y: f64) -> f64 {
    x * inner(x, y) + inner(y, x)
}

/// Σ vᵢ².
#[differentiate]
fn squared_norm(v: &[f64]) -> f64 {
    let mut total = 0.0;
    for &entry in v {
        total += entry * entry;
    }
    total
}

/// s·‖v‖².
#[differentiate]
fn scaled_norm(v: &[f64], s: f64) -> f64 {
    s * squared_norm(v)
}

/// (s·‖v‖²)²: three levels of calls.
#[differentiate]
fn squared_scaled_norm(v: &[f64], s: f64) -> f64 {
    let once = scaled_norm(v, s);
    once * once
}

/// xⁿ by recursion: the dual copy calls itself.
#[differentiate]
fn power(x: f64, n: u32) -> f64 {
    if n == 0 {
        return 1.0;
    }
    x * power(x, n - 1)
}

mod shapes {
    use autodiff::prelude::*;

    /// x³.
    #[differentiate]
    pub fn cube(x: f64) -> f64 {
        x * x * x
    }
}

/// cube(x)·y + cube(y), the callee called by its path: H = [[6xy, 3x²], [3x², 6y]].
#[differentiate]
fn through_a_module(x: f64, y: f64) -> f64 {
    shapes::cube(x) * y + shapes::cube(y)
}

/// The Hessian's rows.
fn rows(h: &autodiff::nalgebra::DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..h.nrows())
        .map(|r| (0..h.ncols()).map(|c| h[(r, c)]).collect())
        .collect()
}

/// Central differences of a gradient `grad` at `at`: row k is ∂(grad)/∂x_k.
fn hessian_by_differences(grad: impl Fn(&[f64]) -> Vec<f64>, at: &[f64]) -> Vec<Vec<f64>> {
    (0..at.len())
        .map(|k| {
            let h = 1e-5 * at[k].abs().max(1.0);
            let (mut up, mut down) = (at.to_vec(), at.to_vec());
            up[k] += h;
            down[k] -= h;
            let (gu, gd) = (grad(&up), grad(&down));
            gu.iter()
                .zip(&gd)
                .map(|(u, d)| (u - d) / (2.0 * h))
                .collect()
        })
        .collect()
}

#[track_caller]
fn check_hessian(name: &str, generated: &[Vec<f64>], hand: &[Vec<f64>], numeric: &[Vec<f64>]) {
    for (r, ((g, h), n)) in generated.iter().zip(hand).zip(numeric).enumerate() {
        for (c, ((g, h), n)) in g.iter().zip(h).zip(n).enumerate() {
            assert_close(&format!("{name} H[{r}][{c}] by hand"), *g, *h, 1e-11);
            assert_close(&format!("{name} H[{r}][{c}] by differences"), *g, *n, 1e-6);
        }
    }
}

#[test]
fn a_caller_of_two_calls_gets_its_hessian() {
    for &(x, y) in &[(0.7_f64, -1.3_f64), (2.1, 0.4), (-1.5, 1.9)] {
        let hand = vec![
            vec![
                6.0 * x * y + 2.0 * x.cos() - x * x.sin(),
                3.0 * x * x + 2.0 * y,
            ],
            vec![3.0 * x * x + 2.0 * y, 2.0 * x - y.sin()],
        ];
        let numeric = hessian_by_differences(
            |p| {
                let (gx, gy) = outer_grad(p[0], p[1]);
                vec![gx, gy]
            },
            &[x, y],
        );
        check_hessian("outer", &rows(&outer_hessian(x, y)), &hand, &numeric);
        let (vx, vy) = (0.3, -1.1);
        let (hx, hy) = outer_hvp(x, vx, y, vy);
        assert_close("outer hvp x", hx, hand[0][0] * vx + hand[0][1] * vy, 1e-11);
        assert_close("outer hvp y", hy, hand[1][0] * vx + hand[1][1] * vy, 1e-11);
    }
}

#[test]
fn three_levels_of_calls_over_a_slice() {
    let v = [0.5, -1.2, 2.0];
    let s = 0.8;
    let norm: f64 = v.iter().map(|e| e * e).sum();
    // f = s²N² with N = Σ vᵢ²: H_vv = 4s²(2 v vᵀ + N I), H_vs = 8 s N v, H_ss = 2N².
    let mut hand = vec![vec![0.0; 4]; 4];
    for i in 0..3 {
        for j in 0..3 {
            let identity = if i == j { norm } else { 0.0 };
            hand[i][j] = 4.0 * s * s * (2.0 * v[i] * v[j] + identity);
        }
        hand[i][3] = 8.0 * s * norm * v[i];
        hand[3][i] = hand[i][3];
    }
    hand[3][3] = 2.0 * norm * norm;
    let numeric = hessian_by_differences(
        |p| {
            let (gv, gs) = squared_scaled_norm_grad(&p[..3], p[3]);
            let mut g = gv;
            g.push(gs);
            g
        },
        &[v[0], v[1], v[2], s],
    );
    let generated = rows(&squared_scaled_norm_hessian(&v, s));
    check_hessian("squared_scaled_norm", &generated, &hand, &numeric);
    // The middle level has its own.
    let (hv, hs) = scaled_norm_hvp(&v, &[1.0, 0.0, 0.0], s, 0.0);
    assert_close("scaled_norm H_v0v0", hv[0], 2.0 * s, 1e-12);
    assert_close("scaled_norm H_s v0", hs, 2.0 * v[0], 1e-12);
}

#[test]
fn a_recursive_function_gets_its_hessian() {
    for &(x, n) in &[(1.3_f64, 4u32), (-0.7, 5), (2.0, 1), (0.9, 0)] {
        let nf = f64::from(n);
        let hand = if n >= 2 {
            nf * (nf - 1.0) * x.powi(n as i32 - 2)
        } else {
            0.0
        };
        let numeric = hessian_by_differences(|p| vec![power_grad(p[0], n)], &[x]);
        check_hessian(
            "power",
            &rows(&power_hessian(x, n)),
            &[vec![hand]],
            &numeric,
        );
        assert_close("power hvp", power_hvp(x, 2.0, n), 2.0 * hand, 1e-11);
    }
}

#[test]
fn a_callee_called_by_its_path() {
    let (x, y) = (1.4, -0.6);
    let hand = vec![vec![6.0 * x * y, 3.0 * x * x], vec![3.0 * x * x, 6.0 * y]];
    let numeric = hessian_by_differences(
        |p| {
            let (gx, gy) = through_a_module_grad(p[0], p[1]);
            vec![gx, gy]
        },
        &[x, y],
    );
    check_hessian(
        "through_a_module",
        &rows(&through_a_module_hessian(x, y)),
        &hand,
        &numeric,
    );
}

/// `xⁿ` through two functions that call each other. Their second order would need itself
/// (`tests/ui/mutual_recursion_hvp.rs`), but both compile and have their first order.
#[differentiate]
fn even_power(x: f64, n: u32) -> f64 {
    if n == 0 {
        1.0
    } else {
        x * odd_power(x, n - 1)
    }
}

#[differentiate]
fn odd_power(x: f64, n: u32) -> f64 {
    if n == 0 {
        1.0
    } else {
        x * even_power(x, n - 1)
    }
}

#[test]
fn mutually_recursive_functions_have_their_first_order() {
    for &(x, n) in &[(1.3_f64, 4u32), (-0.7, 5), (2.0, 1), (0.9, 0)] {
        let hand = if n == 0 {
            0.0
        } else {
            f64::from(n) * x.powi(n as i32 - 1)
        };
        common::check("even_power", &[x], &[even_power_grad(x, n)], &[hand], |p| {
            even_power(p[0], n)
        });
        let (value, slope) = odd_power_tangent(x, 1.0, n);
        assert_close("odd_power", value, x.powi(n as i32), 1e-12);
        assert_close("odd_power slope", slope, hand, 1e-12);
    }
}
