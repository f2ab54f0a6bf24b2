//! `#[differentiate]` without options generates `f_hvp` and `f_hessian` too. Values that
//! depend on no parameter stay plain floats in the dual copy, so what compiles on `f64`
//! (methods of the user's own traits, `parse`, `into`, helpers taking a local `Vec<f64>`)
//! still compiles; each Hessian is checked against the hand-derived one and against central
//! differences of the generated gradient.

#![allow(clippy::needless_range_loop)]

mod common;

use approx::assert_relative_eq;
use autodiff::prelude::*;

trait Halve {
    fn halve(self) -> Self;
}

impl Halve for f64 {
    fn halve(self) -> f64 {
        self / 2.0
    }
}

fn total(v: &[f64]) -> f64 {
    v.iter().sum()
}

/// d²/dx² of f at x by central differences of the generated derivative.
fn second_by_differences(grad: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-5 * x.abs().max(1.0);
    (grad(x + h) - grad(x - h)) / (2.0 * h)
}

#[track_caller]
fn check(name: &str, hessian: f64, by_hand: f64, by_differences: f64) {
    assert_relative_eq!(hessian, by_hand, epsilon = 1e-12, max_relative = 1e-12);
    assert!(
        (hessian - by_differences).abs() <= 1e-6 * (1.0 + by_hand.abs()),
        "{name}: generated {hessian}, differences {by_differences}"
    );
}

/// f = (k/2)·x², with k/2 computed by a method of the user's trait on `f64`: H = k.
#[differentiate]
fn own_trait_method(x: f64, k: usize) -> f64 {
    let c = (k as f64).halve();
    c * x * x
}

/// f = n·x³, with n the sum of a local `Vec<f64>` passed to a plain helper: H = 6 n x.
#[differentiate]
fn helper_on_a_local_vec(x: f64, n: usize) -> f64 {
    let ones = vec![1.0; n];
    let scale = total(&ones);
    scale * x * x * x
}

/// f = c·sin x with c parsed, converted with `into` and `f64::from`: H = −c sin x.
#[differentiate]
fn parsed_and_converted(x: f64, k: i32) -> f64 {
    let parsed: f64 = "2.5".parse().unwrap_or(0.0);
    let converted: f64 = k.into();
    let c = parsed * converted * f64::from(k);
    c * x.sin()
}

/// f = top·exp(x) + (x + ε)², with top the largest entry of a table built from indices.
/// H = top·exp(x) + 2.
#[differentiate]
fn table_maximum(x: f64, n: usize) -> f64 {
    let table: Vec<f64> = (0..n).map(|i| (i as f64).sqrt()).collect();
    let top = table.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let shifted = x + f64::EPSILON;
    top * x.exp() + shifted * shifted
}

/// A plain value stored into a buffer of dual numbers, and a branch between a plain and a
/// differentiated value: f = Σ buffer + (x³ if x > 1 else level), H = 2 + 6x or 2.
#[differentiate]
fn plain_values_meet_dual_ones(x: f64, k: usize) -> f64 {
    let level = (k as f64).halve();
    let mut buffer = vec![0.0; 3];
    buffer[0] = level;
    buffer[1] = x * x;
    buffer[2] = level * x;
    let tail = if x > 1.0 { x * x * x } else { level };
    buffer.iter().sum::<f64>() + tail
}

#[test]
fn the_default_generates_the_second_order() {
    for &x in &[0.3_f64, 1.7, -2.2] {
        let k = 3;
        check(
            "own_trait_method",
            own_trait_method_hessian(x, k)[(0, 0)],
            k as f64,
            second_by_differences(|x| own_trait_method_grad(x, k), x),
        );
        assert_relative_eq!(
            own_trait_method_hvp(x, 2.0, k),
            2.0 * k as f64,
            epsilon = 1e-12
        );

        let n = 4;
        check(
            "helper_on_a_local_vec",
            helper_on_a_local_vec_hessian(x, n)[(0, 0)],
            6.0 * n as f64 * x,
            second_by_differences(|x| helper_on_a_local_vec_grad(x, n), x),
        );

        let c = 2.5 * 9.0;
        check(
            "parsed_and_converted",
            parsed_and_converted_hessian(x, k as i32)[(0, 0)],
            -c * x.sin(),
            second_by_differences(|x| parsed_and_converted_grad(x, 3), x),
        );

        let top = 4.0_f64.sqrt();
        check(
            "table_maximum",
            table_maximum_hessian(x, 5)[(0, 0)],
            top * x.exp() + 2.0,
            second_by_differences(|x| table_maximum_grad(x, 5), x),
        );

        let by_hand = 2.0 + if x > 1.0 { 6.0 * x } else { 0.0 };
        check(
            "plain_values_meet_dual_ones",
            plain_values_meet_dual_ones_hessian(x, 5)[(0, 0)],
            by_hand,
            second_by_differences(|x| plain_values_meet_dual_ones_grad(x, 5), x),
        );
    }
}

/// The first-order results are those of the function as written: the plain values are not
/// disturbed by the dual copy that sits beside it.
#[test]
fn first_order_is_unchanged() {
    let x = 0.7_f64;
    assert_relative_eq!(own_trait_method(x, 3), 1.5 * x * x, epsilon = 1e-15);
    assert_relative_eq!(own_trait_method_grad(x, 3), 3.0 * x, epsilon = 1e-15);
    assert_relative_eq!(
        plain_values_meet_dual_ones_grad(x, 5),
        2.0 * x + 2.5,
        epsilon = 1e-15
    );
}

/// A method a dual number does not have (`to_bits`), called on a value that depends on a
/// parameter: without options the function is left without second order, and its first
/// order is unaffected.
#[differentiate]
fn bits_of_a_parameter(x: f64, y: f64) -> f64 {
    if y.to_bits() == 0 {
        x
    } else {
        x * y
    }
}

#[test]
fn a_method_duals_lack_leaves_the_second_order_out_by_default() {
    assert_eq!(bits_of_a_parameter_grad(2.0, 3.0), (3.0, 2.0));
    assert_eq!(bits_of_a_parameter_grad(2.0, 0.0), (1.0, 0.0)); // f = x there
}

/// The index of the largest entry (the first of equal ones).
fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for i in 1..v.len() {
        if v[i] > v[best] {
            best = i;
        }
    }
    best
}

/// x_k³ + Σ xᵢ² with k the index of the largest xᵢ: a plain helper given a buffer parameter.
/// Under `stop_gradient` the first order calls it as a helper (without, it would look for
/// `argmax_pullback`), but the dual copy would pass it `&[Dual<f64>]`: without options the
/// function is left without second order. ∂/∂xᵢ = 2xᵢ + 3x_k² [i = k].
#[differentiate]
fn cube_of_the_largest(x: &[f64]) -> f64 {
    let k = stop_gradient(argmax(x));
    let mut total = x[k] * x[k] * x[k];
    for i in 0..x.len() {
        total += x[i] * x[i];
    }
    total
}

/// s·y_k with yᵢ = xᵢ² − xᵢ and k the index of the largest yᵢ: the helper given `&y`, a
/// local buffer computed from a parameter (a `Vec<Dual<f64>>` in the dual copy).
/// ∂/∂xᵢ = s(2xᵢ − 1)[i = k], ∂/∂s = y_k.
#[differentiate]
fn scaled_largest_of_a_local(x: &[f64], s: f64) -> f64 {
    let mut y = vec![0.0; x.len()];
    for i in 0..x.len() {
        y[i] = x[i] * x[i] - x[i];
    }
    let k = stop_gradient(argmax(&y));
    s * y[k]
}

// These exist because the rule that leaves the second order out for a plain helper given a
// possibly-dual buffer (`method_unknown_on_duals`) was only exercised by larger programs:
// were it to miss either call, this file would stop compiling (`mismatched types` in the
// dual copy, checked by disabling the rule); were it to disturb the first order, the
// gradients would be wrong. `tests/ui/default_plain_helper_given_a_buffer.rs` shows that
// `f_hvp` is then absent.
#[test]
fn a_plain_helper_given_a_dual_buffer_leaves_the_second_order_out_by_default() {
    // Away from ties, where the largest entry is the same for the finite differences.
    for x in [[0.5_f64, -1.5, 2.0], [1.2, -0.3, 0.7], [-2.0, -0.5, -1.0]] {
        let k = argmax(&x);
        let hand: Vec<f64> = (0..3)
            .map(|i| 2.0 * x[i] + if i == k { 3.0 * x[k] * x[k] } else { 0.0 })
            .collect();
        let (value, grad) = cube_of_the_largest_value_and_grad(&x);
        assert_relative_eq!(value, cube_of_the_largest(&x), max_relative = 1e-15);
        common::check("cube_of_the_largest", &x, &grad, &hand, cube_of_the_largest);

        let s = 1.3;
        let y: Vec<f64> = x.iter().map(|v| v * v - v).collect();
        let k = argmax(&y);
        let mut hand: Vec<f64> = (0..3)
            .map(|i| if i == k { s * (2.0 * x[i] - 1.0) } else { 0.0 })
            .collect();
        hand.push(y[k]);
        let (grad_x, grad_s) = scaled_largest_of_a_local_grad(&x, s);
        let mut generated = grad_x;
        generated.push(grad_s);
        common::check(
            "scaled_largest_of_a_local",
            &[x[0], x[1], x[2], s],
            &generated,
            &hand,
            |p| scaled_largest_of_a_local(&p[..3], p[3]),
        );
    }
}

/// A callee with the default second order, called from a function that asks for one.
#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

/// f = x²·sin x through the callee: H = 2 sin x + 4x cos x − x² sin x.
#[differentiate(hessian)]
fn square_times_sine(x: f64) -> f64 {
    square(x) * x.sin()
}

#[test]
fn a_hessian_caller_uses_a_default_callee() {
    for &x in &[0.4_f64, -1.1, 2.5] {
        let by_hand = 2.0 * x.sin() + 4.0 * x * x.cos() - x * x * x.sin();
        check(
            "square_times_sine",
            square_times_sine_hessian(x)[(0, 0)],
            by_hand,
            second_by_differences(square_times_sine_grad, x),
        );
        check(
            "square",
            square_hessian(x)[(0, 0)],
            2.0,
            second_by_differences(square_grad, x),
        );
    }
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// The functions above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`),
/// at random points: the derivative along a random direction is the gradient dotted with it.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.5, 2.5);
    // k ≥ 1: `table_maximum` of an empty table is -∞.
    for k in [1, 2, 5] {
        let name = |f: &str| format!("{f}, k = {k}");
        let t = |x, dx| own_trait_method_tangent(x, dx, k);
        common::modes_agree_1(&name("own_trait_method"), GEN, t, |x| {
            own_trait_method_grad(x, k)
        });
        let t = |x, dx| helper_on_a_local_vec_tangent(x, dx, k);
        let g = |x| helper_on_a_local_vec_grad(x, k);
        common::modes_agree_1(&name("helper_on_a_local_vec"), GEN, t, g);
        let t = |x, dx| parsed_and_converted_tangent(x, dx, k as i32);
        let g = |x| parsed_and_converted_grad(x, k as i32);
        common::modes_agree_1(&name("parsed_and_converted"), GEN, t, g);
        let t = |x, dx| table_maximum_tangent(x, dx, k);
        common::modes_agree_1(&name("table_maximum"), GEN, t, |x| table_maximum_grad(x, k));
        let t = |x, dx| plain_values_meet_dual_ones_tangent(x, dx, k);
        let g = |x| plain_values_meet_dual_ones_grad(x, k);
        common::modes_agree_1(&name("plain_values_meet_dual_ones"), GEN, t, g);
    }
    let (t, g) = (bits_of_a_parameter_tangent, bits_of_a_parameter_grad);
    common::modes_agree_2("bits_of_a_parameter", [GEN, GEN], t, g);
    common::forward_matches_grad(
        "cube_of_the_largest",
        &[GEN; 3],
        |x, v| cube_of_the_largest_tangent(x, v).1,
        cube_of_the_largest_grad,
    );
    common::forward_matches_grad(
        "scaled_largest_of_a_local",
        &[GEN; 4],
        |x, v| scaled_largest_of_a_local_tangent(&x[..3], &v[..3], x[3], v[3]).1,
        |x| common::flat(scaled_largest_of_a_local_grad(&x[..3], x[3])),
    );
    common::modes_agree_1("square", GEN, square_tangent, square_grad);
    let (t, g) = (square_times_sine_tangent, square_times_sine_grad);
    common::modes_agree_1("square_times_sine", GEN, t, g);
}

/// ‖x‖, leaving x normalized: an in-out buffer. H = (I − x̂x̂ᵀ)/‖x‖ at the input values.
#[differentiate]
fn normalize_in_place(x: &mut [f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i] * x[i];
    }
    let norm = s.sqrt();
    for i in 0..x.len() {
        x[i] /= norm;
    }
    norm
}

/// Σ xᵢ² through a work buffer that is overwritten first: H = 2I over x, zero over the
/// work buffer's values on entry.
#[differentiate]
fn through_a_work_buffer(x: &[f64], work: &mut [f64]) -> f64 {
    for i in 0..x.len() {
        work[i] = x[i] * x[i];
    }
    let mut total = 0.0;
    for i in 0..work.len() {
        total += work[i];
    }
    total
}

#[test]
fn in_out_buffers_get_a_hessian_and_their_final_values() {
    let x0 = [3.0, -4.0, 12.0];
    let norm = 13.0;
    let mut x = x0;
    let h = normalize_in_place_hessian(&mut x);
    for i in 0..3 {
        assert_relative_eq!(x[i], x0[i] / norm, max_relative = 1e-15);
        for j in 0..3 {
            let identity = if i == j { 1.0 } else { 0.0 };
            let by_hand = (identity - x0[i] * x0[j] / (norm * norm)) / norm;
            let mut up = x0;
            up[j] += 1e-6;
            let mut down = x0;
            down[j] -= 1e-6;
            let by_differences = (normalize_in_place_grad(&mut up)[i]
                - normalize_in_place_grad(&mut down)[i])
                / 2e-6;
            check("normalize_in_place", h[(i, j)], by_hand, by_differences);
        }
    }
    let mut x = x0;
    let v = [1.0, 0.5, -2.0];
    let hv = normalize_in_place_hvp(&mut x, &v);
    assert_relative_eq!(x[2], x0[2] / norm, max_relative = 1e-15);
    for i in 0..3 {
        let by_hand: f64 = (0..3).map(|j| h[(i, j)] * v[j]).sum();
        assert_relative_eq!(hv[i], by_hand, epsilon = 1e-14, max_relative = 1e-12);
    }

    let x = [0.5, -1.5];
    let mut work = [7.0, 8.0];
    let h = through_a_work_buffer_hessian(&x, &mut work);
    assert_eq!(work, [0.25, 2.25]);
    for r in 0..4 {
        for c in 0..4 {
            let by_hand = if r == c && r < 2 { 2.0 } else { 0.0 };
            assert_eq!(h[(r, c)], by_hand, "H[{r}][{c}]");
        }
    }
}

/// A parameter passed by value.
#[derive(Clone)]
struct Scale {
    factor: f64,
}

/// Passed by value, and not `Clone`: `f_hvp` does not clone it.
struct Offset {
    shift: f64,
}

/// factor·x³: H = 6·factor·x.
#[differentiate]
fn scaled_cube(x: f64, scale: Scale) -> f64 {
    scale.factor * x * x * x
}

/// (x + shift)²: H = 2.
#[differentiate]
fn shifted_square(x: f64, offset: Offset) -> f64 {
    let moved = x + offset.shift;
    moved * moved
}

#[test]
fn parameters_passed_by_value() {
    let x = 1.5;
    let h = scaled_cube_hessian(x, Scale { factor: 0.4 });
    let by_differences = second_by_differences(|x| scaled_cube_grad(x, Scale { factor: 0.4 }), x);
    check("scaled_cube", h[(0, 0)], 6.0 * 0.4 * x, by_differences);
    let hv = shifted_square_hvp(x, 3.0, Offset { shift: -0.5 });
    assert_eq!(hv, 6.0);
}

/// x²y + t²x for t the value of `total` on entry, adding x·y into `total`:
/// H over (x, y, t) = [[2y, 2x, 2t], [2x, 0, 0], [2t, 0, 2x]].
#[differentiate]
fn accumulating(x: f64, y: f64, total: &mut f64) -> f64 {
    let before = *total;
    *total += x * y;
    x * x * y + before * before * x
}

#[test]
fn a_mut_float_parameter() {
    let (x, y, t) = (1.5, -0.5, 2.0);
    let mut total = t;
    let h = accumulating_hessian(x, y, &mut total);
    assert_eq!(
        total,
        t + x * y,
        "the function's write reaches the caller once"
    );
    let by_hand = [
        [2.0 * y, 2.0 * x, 2.0 * t],
        [2.0 * x, 0.0, 0.0],
        [2.0 * t, 0.0, 2.0 * x],
    ];
    for r in 0..3 {
        for c in 0..3 {
            // Row r by central differences of the generated gradient along input r.
            let at = |step: f64| {
                let mut p = [x, y, t];
                p[r] += step;
                let mut scratch = p[2];
                let (gx, gy, gt) = accumulating_grad(p[0], p[1], &mut scratch);
                [gx, gy, gt][c]
            };
            let by_differences = (at(1e-6) - at(-1e-6)) / 2e-6;
            check("accumulating", h[(r, c)], by_hand[r][c], by_differences);
        }
    }
    let mut total = t;
    let (hx, hy, ht) = accumulating_hvp(x, 1.0, y, 0.0, &mut total, 0.0);
    assert_eq!(total, t + x * y);
    assert_eq!((hx, hy, ht), (by_hand[0][0], by_hand[1][0], by_hand[2][0]));
}

fn plain_scale(gamma: f64) -> f64 {
    gamma * 2.0
}

/// c·x² + γx with c = 2γ from a plain helper under `stop_gradient`, by x alone: γ is no
/// input of the narrow sweep behind `f_hvp`, yet a dual number in it. H = 2c = 4γ.
#[differentiate(wrt(x))]
fn narrow_with_a_helper(x: f64, gamma: f64) -> f64 {
    let c = stop_gradient(plain_scale(gamma));
    c * x * x + gamma * x
}

#[test]
fn a_parameter_outside_wrt_given_to_a_helper() {
    let (x, gamma) = (0.8, 1.7);
    let h = narrow_with_a_helper_hessian(x, gamma);
    let by_differences = second_by_differences(|x| narrow_with_a_helper_grad(x, gamma), x);
    check(
        "narrow_with_a_helper",
        h[(0, 0)],
        4.0 * gamma,
        by_differences,
    );
}

/// `argmax` written for any element type: the dual copy gives it `&[Dual<f64>]` and it takes
/// it, so `hessian` compiles (for a helper written for `f64` it is a `mismatched types` error
/// at the argument, `tests/ui/hessian_plain_helper_given_a_buffer.rs`).
fn generic_argmax<T: PartialOrd>(v: &[T]) -> usize {
    let mut best = 0;
    for i in 1..v.len() {
        if v[i] > v[best] {
            best = i;
        }
    }
    best
}

/// x_k³ with k the index of the largest xᵢ: H = 6 x_k at (k, k), zero elsewhere.
#[differentiate(hessian)]
fn cube_of_the_largest_generic(x: &[f64]) -> f64 {
    let k = stop_gradient(generic_argmax(x));
    x[k] * x[k] * x[k]
}

#[test]
fn a_generic_helper_takes_the_dual_buffer_of_hessian() {
    let x = [0.5_f64, 2.0, -1.0];
    let v = [0.3, -0.7, 1.1];
    let hv = cube_of_the_largest_generic_hvp(&x, &v);
    let hand = [0.0, 6.0 * x[1] * v[1], 0.0];
    for i in 0..3 {
        assert_relative_eq!(hv[i], hand[i], epsilon = 1e-12);
    }
    // Central differences of the generated gradient along v.
    let h = 1e-6;
    let plus: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + h * b).collect();
    let minus: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a - h * b).collect();
    let (gp, gm) = (
        cube_of_the_largest_generic_grad(&plus),
        cube_of_the_largest_generic_grad(&minus),
    );
    for i in 0..3 {
        assert_relative_eq!(hv[i], (gp[i] - gm[i]) / (2.0 * h), epsilon = 1e-6);
    }
}
