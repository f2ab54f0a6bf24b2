//! Loops: `while` with data-dependent trip counts, `for` over every range form, `loop` with
//! `break` and `break value`, `continue`, labels, early `return`, deep nesting, and
//! loop-carried recurrences.
//!
//! Where no closed form exists, the hand-derived gradient is a forward-mode recurrence
//! written out next to the primal recurrence in the test.

// The differentiated bodies deliberately use the forms under test (`s = s + x` next to
// `s += x`, `!(a < b)`, counters kept by hand), which clippy's style lints would rewrite.
#![allow(
    clippy::assign_op_pattern,
    clippy::neg_cmp_op_on_partial_ord,
    clippy::eq_op,
    clippy::explicit_counter_loop,
    clippy::let_and_return
)]

mod common;

use autodiff::differentiate;
use common::{
    assert_close, check, check_tol, flat, forward_matches_adjoint, forward_matches_grad,
    modes_agree_1, modes_agree_2,
};

// ---- while, with a trip count that depends on active values -----------------------------------

#[differentiate]
fn newton_sqrt(a: f64) -> f64 {
    let mut y = a.max(1.0);
    while (y * y - a).abs() > 1e-12 * a {
        y = 0.5 * (y + a / y);
    }
    y
}

#[test]
fn while_loop_newton_iteration() {
    for &a in &[0.25_f64, 2.0, 9.0, 1e4] {
        // Forward mode through the same iteration: dy' = (dy (1 - a / y²) + 1 / y) / 2.
        let (mut y, mut dy) = if a > 1.0 { (a, 1.0) } else { (1.0, 0.0) };
        let mut trips = 0;
        while (y * y - a).abs() > 1e-12 * a {
            dy = 0.5 * (dy * (1.0 - a / (y * y)) + 1.0 / y);
            y = 0.5 * (y + a / y);
            trips += 1;
        }
        assert!(trips > 2, "the loop should run several times at a = {a}");
        let (v, g) = newton_sqrt_value_and_grad(a);
        assert_eq!(v, newton_sqrt(a));
        // The trip count changes with a, so finite differences see tiny jumps.
        check_tol(
            "newton_sqrt",
            &[a],
            &[g],
            &[dy],
            |p| newton_sqrt(p[0]),
            1e-12,
            1e-5,
        );
        assert_close("newton_sqrt vs 1 / (2 √a)", g, 0.5 / a.sqrt(), 1e-8);
    }
}

#[differentiate]
fn grow_until(x: f64, step: f64) -> f64 {
    let mut s = x;
    let mut n = 0;
    while s < 10.0 {
        s = s + step * s.sin().abs() + step;
        n += 1;
    }
    s * (n as f64)
}

#[test]
fn while_loop_trip_count_depends_on_both_parameters() {
    for &(x, step) in &[
        (0.5_f64, 0.7_f64),
        (-3.0, 1.3),
        (9.5, 2.0),
        (12.0, 1.0),
        (1.0, 0.35),
    ] {
        let (mut s, mut ds) = (x, [1.0, 0.0]);
        let mut n = 0;
        while s < 10.0 {
            let sin_abs = s.sin().abs();
            let dsin_abs = s.cos() * s.sin().signum();
            ds = [
                ds[0] + step * dsin_abs * ds[0],
                ds[1] + sin_abs + step * dsin_abs * ds[1] + 1.0,
            ];
            s = s + step * sin_abs + step;
            n += 1;
        }
        let hand = [ds[0] * n as f64, ds[1] * n as f64];
        let (v, (gx, gs)) = grow_until_value_and_grad(x, step);
        assert_eq!(v, grow_until(x, step));
        check("grow_until", &[x, step], &[gx, gs], &hand, |p| {
            grow_until(p[0], p[1])
        });
    }
}

// ---- for over every range form --------------------------------------------------------------

#[differentiate]
fn range_exclusive(x: f64, a: usize, b: usize) -> f64 {
    let mut s = 0.0;
    for i in a..b {
        s = s + x.powi(i as i32) / (i as f64 + 1.0) + (i as f64) * x;
    }
    s
}

#[differentiate]
fn range_inclusive(x: f64, a: usize, b: usize) -> f64 {
    let mut p = 1.0;
    for i in a..=b {
        p = p * (x + i as f64);
    }
    p
}

#[differentiate]
fn range_reversed(x: f64, a: usize, b: usize) -> f64 {
    let mut s = 0.0;
    for i in (a..b).rev() {
        s = s * x + (i as f64 + 1.0);
    }
    s
}

#[differentiate]
fn range_stepped(x: f64, a: usize, b: usize, k: usize) -> f64 {
    let mut s = 0.0;
    for i in (a..b).step_by(k) {
        s += (x * i as f64).sin();
    }
    s
}

#[test]
fn for_over_exclusive_range() {
    for &(x, a, b) in &[
        (0.5_f64, 0usize, 5usize),
        (-1.5, 2, 6),
        (2.0, 3, 3),
        (1.1, 4, 2),
    ] {
        let hand: f64 = (a..b)
            .map(|i| i as f64 * x.powi(i as i32 - 1) / (i as f64 + 1.0) + i as f64)
            .sum();
        let (v, g) = range_exclusive_value_and_grad(x, a, b);
        assert_eq!(v, range_exclusive(x, a, b));
        check("range_exclusive", &[x], &[g], &[hand], |p| {
            range_exclusive(p[0], a, b)
        });
    }
}

#[test]
fn for_over_inclusive_range_running_product() {
    for &(x, a, b) in &[
        (0.5_f64, 0usize, 4usize),
        (-1.5, 2, 5),
        (2.0, 3, 3),
        (0.3, 1, 0),
    ] {
        // p = Π (x + i), p' = p Σ 1 / (x + i)
        let p: f64 = (a..=b).map(|i| x + i as f64).product();
        let hand = p * (a..=b).map(|i| 1.0 / (x + i as f64)).sum::<f64>();
        let (v, g) = range_inclusive_value_and_grad(x, a, b);
        assert_eq!(v, range_inclusive(x, a, b));
        check("range_inclusive", &[x], &[g], &[hand], |p| {
            range_inclusive(p[0], a, b)
        });
    }
}

#[test]
fn for_over_reversed_range() {
    for &(x, a, b) in &[(0.5_f64, 0usize, 5usize), (-1.5, 2, 6), (2.0, 1, 2)] {
        // Horner from the top: s = Σ (i + 1) x^(i - a); the order matters.
        let hand: f64 = (a..b)
            .filter(|&i| i > a)
            .map(|i| (i as f64 + 1.0) * (i - a) as f64 * x.powi((i - a) as i32 - 1))
            .sum();
        let value: f64 = (a..b)
            .map(|i| (i as f64 + 1.0) * x.powi((i - a) as i32))
            .sum();
        let (v, g) = range_reversed_value_and_grad(x, a, b);
        assert_close("range_reversed value", v, value, 1e-12);
        check("range_reversed", &[x], &[g], &[hand], |p| {
            range_reversed(p[0], a, b)
        });
    }
}

#[test]
fn for_over_stepped_range() {
    for &(x, a, b, k) in &[
        (0.5_f64, 0usize, 10usize, 3usize),
        (-1.5, 1, 8, 2),
        (0.2, 2, 3, 5),
    ] {
        let hand: f64 = (a..b)
            .step_by(k)
            .map(|i| i as f64 * (x * i as f64).cos())
            .sum();
        let (v, g) = range_stepped_value_and_grad(x, a, b, k);
        assert_eq!(v, range_stepped(x, a, b, k));
        check("range_stepped", &[x], &[g], &[hand], |p| {
            range_stepped(p[0], a, b, k)
        });
    }
}

// ---- loop, break, break value -----------------------------------------------------------------

#[differentiate]
fn loop_break_value(x: f64) -> f64 {
    let mut y = x;
    let r = loop {
        y = y * 1.5 + 0.1;
        if y.abs() > 10.0 {
            break y * 2.0;
        }
    };
    r + y
}

#[test]
fn loop_with_break_value() {
    for &x in &[0.5_f64, -3.0, 20.0, -0.5, 7.0] {
        // y_n is affine in x with slope 1.5ⁿ; f = 3 y_n.
        let mut y = x;
        let mut n = 0;
        loop {
            y = y * 1.5 + 0.1;
            n += 1;
            if y.abs() > 10.0 {
                break;
            }
        }
        let hand = 3.0 * 1.5_f64.powi(n);
        let (v, g) = loop_break_value_value_and_grad(x);
        assert_eq!(v, loop_break_value(x));
        check("loop_break_value", &[x], &[g], &[hand], |p| {
            loop_break_value(p[0])
        });
    }
}

#[differentiate]
fn loop_plain_break(x: f64, n: usize) -> f64 {
    let mut s = x;
    let mut k = 0;
    loop {
        k += 1;
        if k > n {
            break;
        }
        s = s.sin() + x;
    }
    s
}

#[test]
fn loop_with_plain_break() {
    for &(x, n) in &[(0.5_f64, 0usize), (-1.0, 1), (2.0, 6)] {
        let (mut s, mut ds) = (x, 1.0);
        for _ in 0..n {
            ds = s.cos() * ds + 1.0;
            s = s.sin() + x;
        }
        let (v, g) = loop_plain_break_value_and_grad(x, n);
        assert_eq!(v, loop_plain_break(x, n));
        check("loop_plain_break", &[x], &[g], &[ds], |p| {
            loop_plain_break(p[0], n)
        });
    }
}

// ---- continue ---------------------------------------------------------------------------------

#[differentiate]
fn skip_some(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        if i % 3 == 0 {
            continue;
        }
        let t = x * (i as f64);
        if t.sin() > 0.5 {
            continue;
        }
        s = s + t * t;
    }
    let mut j = 0;
    while j < n {
        j += 1;
        if s > 100.0 {
            continue;
        }
        s = s + x;
    }
    s
}

#[test]
fn continue_in_for_and_while() {
    let mut skipped = [0; 3];
    for &(x, n) in &[(0.5_f64, 10usize), (-1.3, 8), (2.2, 12), (0.1, 3), (3.1, 9)] {
        let mut s = 0.0;
        let mut ds = 0.0;
        for i in 0..n {
            let t = x * i as f64;
            if i % 3 == 0 || t.sin() > 0.5 {
                skipped[usize::from(i % 3 != 0)] += 1;
                continue;
            }
            s += t * t;
            ds += 2.0 * t * i as f64;
        }
        for _ in 0..n {
            if s > 100.0 {
                skipped[2] += 1;
                continue;
            }
            s += x;
            ds += 1.0;
        }
        let (v, g) = skip_some_value_and_grad(x, n);
        assert_eq!(v, skip_some(x, n));
        check("skip_some", &[x], &[g], &[ds], |p| skip_some(p[0], n));
    }
    assert!(
        skipped.iter().all(|&k| k > 0),
        "each continue taken: {skipped:?}"
    );
}

// ---- labeled break and continue ---------------------------------------------------------------

#[differentiate]
fn labeled(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    'outer: for i in 0..n {
        let mut j = 0;
        while j < n {
            j += 1;
            let t = x * (j as f64) + (i as f64);
            if t > 4.0 {
                continue 'outer;
            }
            if s > 20.0 {
                break 'outer;
            }
            s = s + t * x;
        }
        s = s * 1.1;
    }
    s
}

#[test]
fn labeled_break_and_continue() {
    let mut exits = [0; 2];
    for &(x, n) in &[
        (0.53_f64, 6usize),
        (1.17, 5),
        (0.31, 9),
        (-0.71, 4),
        (2.47, 3),
    ] {
        let (mut s, mut ds) = (0.0_f64, 0.0_f64);
        'outer: for i in 0..n {
            for j in 1..=n {
                let t = x * j as f64 + i as f64;
                let dt = j as f64;
                if t > 4.0 {
                    exits[0] += 1;
                    continue 'outer;
                }
                if s > 20.0 {
                    exits[1] += 1;
                    break 'outer;
                }
                ds += dt * x + t;
                s += t * x;
            }
            s *= 1.1;
            ds *= 1.1;
        }
        let (v, g) = labeled_value_and_grad(x, n);
        assert_eq!(v, labeled(x, n));
        check("labeled", &[x], &[g], &[ds], |p| labeled(p[0], n));
    }
    assert!(
        exits.iter().all(|&k| k > 0),
        "continue 'outer / break 'outer taken {exits:?} times"
    );
}

#[differentiate]
fn labeled_loops_break_value(x: f64) -> f64 {
    let mut acc = x;
    let r = 'search: loop {
        let mut k = 0;
        loop {
            k += 1;
            acc = acc * x + 0.25;
            if acc.abs() > 50.0 {
                break 'search acc / x;
            }
            if k >= 3 {
                break;
            }
        }
        acc = acc.sin() + acc;
    };
    r * acc
}

#[test]
fn labeled_break_with_value_out_of_nested_loops() {
    for &x in &[1.5_f64, 2.5, -2.0, 1.2] {
        let (mut acc, mut dacc) = (x, 1.0);
        let (r, dr);
        'search: loop {
            for _ in 0..3 {
                dacc = dacc * x + acc;
                acc = acc * x + 0.25;
                if acc.abs() > 50.0 {
                    dr = dacc / x - acc / (x * x);
                    r = acc / x;
                    break 'search;
                }
            }
            dacc = dacc * acc.cos() + dacc;
            acc = acc.sin() + acc;
        }
        let hand = dr * acc + r * dacc;
        let (v, g) = labeled_loops_break_value_value_and_grad(x);
        assert_eq!(v, labeled_loops_break_value(x));
        check("labeled_loops_break_value", &[x], &[g], &[hand], |p| {
            labeled_loops_break_value(p[0])
        });
    }
}

// ---- early return ---------------------------------------------------------------------------

#[differentiate]
fn early_return(x: f64, n: usize) -> f64 {
    let mut s = x;
    for _ in 0..n {
        s = s * x + 1.0;
        if s > 50.0 {
            return s.ln();
        }
    }
    if s < 0.0 {
        return -s * x;
    }
    s + x
}

#[test]
fn early_return_from_loop_and_from_branch() {
    let points: &[(f64, usize)] = &[
        (3.0, 6),
        (1.2, 4),
        (-2.0, 2),
        (-1.5, 4),
        (-0.5, 2),
        (0.5, 5),
        (4.0, 1),
    ];
    let mut exits = [0; 3];
    for &(x, n) in points {
        let (mut s, mut ds) = (x, 1.0);
        let mut hand = None;
        for _ in 0..n {
            ds = ds * x + s;
            s = s * x + 1.0;
            if s > 50.0 {
                hand = Some(ds / s);
                break;
            }
        }
        exits[if hand.is_some() {
            0
        } else if s < 0.0 {
            1
        } else {
            2
        }] += 1;
        let hand = hand.unwrap_or(if s < 0.0 { -ds * x - s } else { ds + 1.0 });
        let (v, g) = early_return_value_and_grad(x, n);
        assert_eq!(v, early_return(x, n));
        check("early_return", &[x], &[g], &[hand], |p| {
            early_return(p[0], n)
        });
    }
    assert!(exits.iter().all(|&k| k > 0), "each return taken: {exits:?}");
}

#[differentiate]
fn early_return_in_while(x: f64) -> f64 {
    let mut y = x;
    let mut steps = 0;
    while steps < 100 {
        steps += 1;
        if y > 3.0 {
            if steps % 2 == 0 {
                return y * x;
            } else {
                return y + x;
            }
        }
        y = y * 1.3 + x * x;
    }
    0.0
}

#[test]
fn early_return_from_nested_branch_inside_while() {
    let mut exits = [0; 2];
    for &x in &[0.5_f64, 1.0, 4.0, 0.2, 2.0, 1.4] {
        let (mut y, mut dy) = (x, 1.0);
        let mut steps = 0;
        let hand = loop {
            steps += 1;
            if y > 3.0 {
                exits[steps % 2] += 1;
                break if steps % 2 == 0 { dy * x + y } else { dy + 1.0 };
            }
            dy = dy * 1.3 + 2.0 * x;
            y = y * 1.3 + x * x;
        };
        let (v, g) = early_return_in_while_value_and_grad(x);
        assert_eq!(v, early_return_in_while(x));
        check("early_return_in_while", &[x], &[g], &[hand], |p| {
            early_return_in_while(p[0])
        });
    }
    assert!(exits.iter().all(|&k| k > 0), "each return taken: {exits:?}");
}

// ---- loop-carried recurrences -----------------------------------------------------------------

#[differentiate]
fn sine_map(x0: f64, a: f64, n: usize) -> f64 {
    let mut x = x0;
    for _ in 0..n {
        x = x.sin() * a;
    }
    x
}

#[test]
fn recurrence_sine_map() {
    for &(x0, a, n) in &[
        (0.5_f64, 2.0_f64, 10usize),
        (-1.0, 2.3, 8),
        (2.0, 0.7, 3),
        (0.3, 1.5, 0),
    ] {
        let (mut x, mut dx0, mut da) = (x0, 1.0, 0.0);
        for _ in 0..n {
            dx0 = x.cos() * a * dx0;
            da = x.cos() * a * da + x.sin();
            x = x.sin() * a;
        }
        let (v, (g0, ga)) = sine_map_value_and_grad(x0, a, n);
        assert_eq!(v, sine_map(x0, a, n));
        check("sine_map", &[x0, a], &[g0, ga], &[dx0, da], |p| {
            sine_map(p[0], p[1], n)
        });
    }
}

#[differentiate]
fn two_term_recurrence(x: f64, n: usize) -> f64 {
    // x_{k+1} = x_k + h x_{k-1}: every iteration overwrites both carried values.
    let mut prev = 1.0;
    let mut cur = x;
    for _ in 0..n {
        let next = cur + x * prev;
        prev = cur;
        cur = next;
    }
    cur * prev
}

#[test]
fn recurrence_overwriting_two_carried_values() {
    for &(x, n) in &[(0.5_f64, 6usize), (-0.3, 10), (1.5, 1), (2.0, 0)] {
        let (mut prev, mut cur) = (1.0, x);
        let (mut dprev, mut dcur) = (0.0, 1.0);
        for _ in 0..n {
            let next = cur + x * prev;
            let dnext = dcur + prev + x * dprev;
            prev = cur;
            dprev = dcur;
            cur = next;
            dcur = dnext;
        }
        let hand = dcur * prev + cur * dprev;
        let (v, g) = two_term_recurrence_value_and_grad(x, n);
        assert_eq!(v, two_term_recurrence(x, n));
        check("two_term_recurrence", &[x], &[g], &[hand], |p| {
            two_term_recurrence(p[0], n)
        });
    }
}

#[differentiate]
fn running_max(x: f64, n: usize) -> f64 {
    let mut best = f64::NEG_INFINITY;
    for i in 0..n {
        let v = (x * (i as f64 + 1.0)).sin();
        best = best.max(v);
    }
    best
}

#[test]
fn running_max_from_negative_infinity() {
    for &(x, n) in &[(0.5_f64, 5usize), (1.3, 4), (-0.7, 6), (2.9, 3)] {
        let (mut best, mut dbest) = (f64::NEG_INFINITY, 0.0);
        for i in 0..n {
            let k = i as f64 + 1.0;
            let v = (x * k).sin();
            if v > best {
                best = v;
                dbest = k * (x * k).cos();
            }
        }
        let (v, g) = running_max_value_and_grad(x, n);
        assert_eq!(v, running_max(x, n));
        check("running_max", &[x], &[g], &[dbest], |p| {
            running_max(p[0], n)
        });
    }
}

// ---- deep nesting of everything -------------------------------------------------------------

#[differentiate]
fn deep_nest(x: f64, y: f64, n: usize) -> f64 {
    let mut acc = 0.0;
    let mut z = y;
    'outer: for i in 0..n {
        let mut inner = 0;
        loop {
            inner += 1;
            if inner > i + 1 {
                break;
            }
            let mut w = x * z;
            while w.abs() < 1.0 {
                w = w * 2.0 + y;
                if w > 0.9 {
                    break;
                }
            }
            if w > 10.0 {
                if acc > 5.0 {
                    return acc * w.ln();
                }
                continue 'outer;
            } else if w < -10.0 {
                break 'outer;
            }
            acc = acc + w.sin() * x;
            z = z * 0.9 + acc * y;
        }
        if acc < -3.0 {
            continue;
        }
        z = z - x;
    }
    acc + z * x
}

/// Forward mode through `deep_nest`, statement by statement: returns (value, d/dx, d/dy).
fn deep_nest_forward(x: f64, y: f64, n: usize) -> (f64, f64, f64) {
    type D = (f64, f64, f64);
    let mul = |a: D, b: D| (a.0 * b.0, a.1 * b.0 + a.0 * b.1, a.2 * b.0 + a.0 * b.2);
    let add = |a: D, b: D| (a.0 + b.0, a.1 + b.1, a.2 + b.2);
    let scale = |a: D, k: f64| (a.0 * k, a.1 * k, a.2 * k);
    let xd: D = (x, 1.0, 0.0);
    let yd: D = (y, 0.0, 1.0);
    let mut acc: D = (0.0, 0.0, 0.0);
    let mut z = yd;
    'outer: for i in 0..n {
        for _ in 0..i + 1 {
            let mut w = mul(xd, z);
            while w.0.abs() < 1.0 {
                w = add(scale(w, 2.0), yd);
                if w.0 > 0.9 {
                    break;
                }
            }
            if w.0 > 10.0 {
                if acc.0 > 5.0 {
                    let ln = (w.0.ln(), w.1 / w.0, w.2 / w.0);
                    return mul(acc, ln);
                }
                continue 'outer;
            } else if w.0 < -10.0 {
                break 'outer;
            }
            let sin = (w.0.sin(), w.0.cos() * w.1, w.0.cos() * w.2);
            acc = add(acc, mul(sin, xd));
            z = add(scale(z, 0.9), mul(acc, yd));
        }
        if acc.0 < -3.0 {
            continue;
        }
        z = add(z, scale(xd, -1.0));
    }
    add(acc, mul(z, xd))
}

#[test]
fn deep_nesting_of_loops_branches_and_exits() {
    // Chosen (away from the jumps of the control flow) so that together they take every exit:
    let points: &[(f64, f64, usize)] = &[
        (1.3, 0.55, 5),  // early return, inner while left by break
        (2.6, 1.2, 3),   // early return
        (0.9, -0.9, 5),  // continue 'outer, and the outer loop's own continue
        (1.9, 1.8, 3),   // break 'outer, outer continue
        (1.9, 0.3, 5),   // break 'outer, inner while break
        (-0.45, 0.3, 7), // outer continue, inner while break
        (0.2, 1.8, 5),   // inner while break only
        (0.35, -0.4, 3), // no exit taken
    ];
    for &(x, y, n) in points {
        let (value, dx, dy) = deep_nest_forward(x, y, n);
        let (v, (gx, gy)) = deep_nest_value_and_grad(x, y, n);
        assert_eq!(v, deep_nest(x, y, n));
        assert_close("deep_nest value", v, value, 1e-12);
        check_tol(
            "deep_nest",
            &[x, y],
            &[gx, gy],
            &[dx, dy],
            |p| deep_nest(p[0], p[1], n),
            1e-9,
            1e-5,
        );
    }
}

#[differentiate]
fn integer_counter_in_powi(x: f64, n: usize) -> f64 {
    let mut s: f64 = 0.0;
    let mut k = 1;
    for _ in 0..n {
        s = s + x.powi(k) * s.cos();
        k += 1;
    }
    s
}

#[test]
fn loop_carried_integer_read_by_the_reverse_sweep() {
    // The exponent k is overwritten every iteration; the reverse sweep needs each old value.
    for &(x, n) in &[(0.7_f64, 5usize), (-1.3, 3), (1.1, 0)] {
        let (mut s, mut ds) = (0.0_f64, 0.0_f64);
        for k in 1..=n as i32 {
            let (p, dp) = (x.powi(k), k as f64 * x.powi(k - 1));
            ds += dp * s.cos() - p * s.sin() * ds;
            s += p * s.cos();
        }
        let (v, g) = integer_counter_in_powi_value_and_grad(x, n);
        assert_eq!(v, integer_counter_in_powi(x, n));
        check("integer_counter_in_powi", &[x], &[g], &[ds], |p| {
            integer_counter_in_powi(p[0], n)
        });
    }
}

#[differentiate]
fn long_loop(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    let mut y = x;
    for i in 0..n {
        y = (y * 0.999).sin() + x * 1e-3;
        s = s + y * (i as f64 + 1.0).recip();
    }
    s
}

#[test]
fn long_loop_tapes() {
    let n = 100_000;
    for &x in &[0.7_f64, -1.3] {
        let (mut y, mut dy, mut ds) = (x, 1.0_f64, 0.0_f64);
        for i in 0..n {
            dy = (y * 0.999).cos() * 0.999 * dy + 1e-3;
            y = (y * 0.999).sin() + x * 1e-3;
            ds += dy / (i as f64 + 1.0);
        }
        let (_, g) = long_loop_value_and_grad(x, n);
        check("long_loop", &[x], &[g], &[ds], |p| long_loop(p[0], n));
    }
}

/// A triangular double loop whose inner variable starts at the outer one's successor: the
/// reverse sweep counts `i` from `j + 1` instead of recording it.
#[differentiate]
fn pairwise_products(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for j in 0..n {
        for i in j + 1..n {
            s += x[i] * x[j] * (i - j) as f64;
        }
    }
    s
}

#[test]
fn triangular_loop_counts_its_inner_variable() {
    let x = [0.3, -1.2, 2.0, 0.7, -0.4];
    // ∂/∂x_k Σ_{j<i} (i − j) x_i x_j = Σ_{m≠k} |k − m| x_m.
    let hand: Vec<f64> = (0..x.len())
        .map(|k| {
            (0..x.len())
                .map(|m| (k as f64 - m as f64).abs() * x[m])
                .sum()
        })
        .collect();
    check(
        "pairwise_products",
        &x,
        &pairwise_products_grad(&x),
        &hand,
        pairwise_products,
    );
}

// ---- a sum of terms, reversed trip by trip inside the forward loop ----------------------------

/// `s = x₀ + Σᵢ k xᵢ xᵢ₊₁`: the accumulator starts at an input and every term reads a scalar
/// parameter and two elements, so the fused reverse adds into `k`'s adjoint and `x`'s shadow
/// while the forward loop runs.
#[differentiate]
fn chained_products(x: &[f64], k: f64) -> f64 {
    let mut s = x[0];
    for i in 0..x.len() - 1 {
        let term = k * x[i] * x[i + 1];
        s += term;
    }
    s
}

#[test]
fn sum_of_terms_reversed_inside_the_forward_loop() {
    let x = [0.5, -1.0, 2.0, 1.5];
    let k = 0.7;
    let (gx, gk) = chained_products_grad(&x, k);
    let n = x.len();
    let hand_x: Vec<f64> = (0..n)
        .map(|j| {
            let left = if j > 0 { k * x[j - 1] } else { 0.0 };
            let right = if j + 1 < n { k * x[j + 1] } else { 0.0 };
            left + right + if j == 0 { 1.0 } else { 0.0 }
        })
        .collect();
    let hand_k: f64 = (0..n - 1).map(|i| x[i] * x[i + 1]).sum();
    let mut generated = gx;
    generated.push(gk);
    let mut hand = hand_x;
    hand.push(hand_k);
    let mut at = x.to_vec();
    at.push(k);
    check("chained_products", &at, &generated, &hand, |p| {
        chained_products(&p[..n], p[n])
    });
    // d_out scales the whole adjoint, the fused part included.
    let mut x_bar = [0.0; 4];
    let (_, k_bar) = chained_products_adjoint(&x, &mut x_bar, k, 2.0);
    assert_eq!(k_bar, 2.0 * hand_k);
}

// ---- an element read through a counter, read again in reverse ---------------------------------

/// `Σ_{j<i} l[idx] vᵢ vⱼ` over a packed strictly-lower triangle, `idx` counting up twice per
/// entry (the packed storage interleaves a second triangle, skipped): the reverse sweep reads
/// `l[idx − 2]` again rather than recording it, `idx` being stepped back.
#[differentiate]
fn packed_triangle(l: &[f64], v: &[f64]) -> f64 {
    let d = v.len();
    let mut idx = 0;
    let mut s = 0.0;
    for j in 0..d {
        for i in j + 1..d {
            let w = l[idx];
            s = s + w * v[i] * v[j];
            idx += 1;
            idx += 1;
        }
    }
    s
}

#[test]
fn element_behind_a_counter_is_read_again_in_reverse() {
    let v = [0.5, -1.0, 2.0, 1.5];
    let l: Vec<f64> = (0..12).map(|k| 0.1 * k as f64 - 0.4).collect();
    let (gl, gv) = packed_triangle_grad(&l, &v);
    let n = v.len();
    let mut hand_l = vec![0.0; l.len()];
    let mut hand_v = vec![0.0; n];
    let mut idx = 0;
    for j in 0..n {
        for i in j + 1..n {
            hand_l[idx] = v[i] * v[j];
            hand_v[i] += l[idx] * v[j];
            hand_v[j] += l[idx] * v[i];
            idx += 2;
        }
    }
    let mut generated = gl;
    generated.extend(gv);
    let mut hand = hand_l;
    hand.extend(hand_v);
    let mut at = l.clone();
    at.extend(v);
    check("packed_triangle", &at, &generated, &hand, |p| {
        packed_triangle(&p[..12], &p[12..])
    });
}

/// Adds x² into `z` elementwise: a call that changes its `&mut` buffer.
#[differentiate]
fn add_squares_into(x: &[f64], z: &mut [f64]) {
    for i in 0..x.len() {
        z[i] += x[i] * x[i];
    }
}

/// Reads of a buffer that calls and stores keep changing. In the first inner loop nothing
/// writes `z` after the read, and every write to `z` is undone in reverse, so `z[i]` is read
/// again there instead of recorded; in the second the same block writes `z[i]` after
/// reading it, so the read is recorded. After step t's call z = (2ᵗ − 1) x², so
/// f = Σₜ (2ᵗ − 1) Σᵢ (xᵢ³ + xᵢ²) and ∂f/∂xᵢ = Σₜ (2ᵗ − 1) (3xᵢ² + 2xᵢ).
#[differentiate]
#[allow(clippy::needless_range_loop)] // indexing is the form under test
fn reads_of_a_restored_buffer(x: &[f64], steps: usize) -> f64 {
    let n = x.len();
    let mut z = vec![0.0; n];
    let mut s = 0.0;
    for _ in 0..steps {
        add_squares_into(x, &mut z);
        for i in 0..n {
            let zi = z[i];
            s += zi * x[i];
        }
        for i in 0..n {
            let zi = z[i];
            s += zi;
            z[i] = 2.0 * zi;
        }
    }
    s
}

#[test]
fn elements_of_restored_buffers_are_read_again_in_reverse() {
    let x = [0.7, -1.3, 0.4, 2.1];
    for steps in [1_usize, 3] {
        let weight: f64 = (1..=steps).map(|t| (2.0_f64.powi(t as i32)) - 1.0).sum();
        let hand: Vec<f64> = x.iter().map(|v| weight * (3.0 * v * v + 2.0 * v)).collect();
        let generated = reads_of_a_restored_buffer_grad(&x, steps);
        check("reads_of_a_restored_buffer", &x, &generated, &hand, |p| {
            reads_of_a_restored_buffer(p, steps)
        });
    }
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`,
/// `f_adjoint`), at random points in the ranges the tests above use, for several trip counts:
/// the two must take the same branches and trips and agree on the derivative along a random
/// direction.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    modes_agree_1(
        "newton_sqrt",
        (0.25, 100.0),
        newton_sqrt_tangent,
        newton_sqrt_grad,
    );
    let grow = [(-3.0, 12.0), (0.35, 2.0)];
    modes_agree_2("grow_until", grow, grow_until_tangent, grow_until_grad);
    for (a, b) in [(0, 5), (2, 6), (3, 3), (4, 2)] {
        let name = |f: &str| format!("{f}, {a}..{b}");
        let tangent = |x, dx| range_exclusive_tangent(x, dx, a, b);
        modes_agree_1(&name("range_exclusive"), GEN, tangent, |x| {
            range_exclusive_grad(x, a, b)
        });
        // `p = p * (x + i)` once took the new `p` for the old one in forward mode.
        let tangent = |x, dx| range_inclusive_tangent(x, dx, a, b);
        modes_agree_1(&name("range_inclusive"), GEN, tangent, |x| {
            range_inclusive_grad(x, a, b)
        });
        let tangent = |x, dx| range_reversed_tangent(x, dx, a, b);
        modes_agree_1(&name("range_reversed"), GEN, tangent, |x| {
            range_reversed_grad(x, a, b)
        });
        for k in [1, 2, 3] {
            let tangent = |x, dx| range_stepped_tangent(x, dx, a, b, k);
            let grad = |x| range_stepped_grad(x, a, b, k);
            modes_agree_1(&name(&format!("range_stepped by {k}")), GEN, tangent, grad);
        }
    }
    // Both signs, away from y = -0.2, the fixed point of y ↦ 1.5 y + 0.1 where the loop never
    // ends.
    for (name, x) in [
        ("loop_break_value +", (0.3, 20.0)),
        ("loop_break_value -", (-3.0, -0.5)),
    ] {
        modes_agree_1(name, x, loop_break_value_tangent, loop_break_value_grad);
    }
    // Where |acc| grows past 50 within a few trips.
    for (name, x) in [
        ("labeled_loops +", (1.2, 2.5)),
        ("labeled_loops -", (-2.5, -1.5)),
    ] {
        let grad = labeled_loops_break_value_grad;
        modes_agree_1(name, x, labeled_loops_break_value_tangent, grad);
    }
    modes_agree_1(
        "early_return_in_while",
        (0.2, 4.0),
        early_return_in_while_tangent,
        early_return_in_while_grad,
    );
    for n in [0, 1, 3, 6, 9, 12] {
        let name = |f: &str| format!("{f}, n = {n}");
        let t = |x, dx| loop_plain_break_tangent(x, dx, n);
        modes_agree_1(&name("loop_plain_break"), GEN, t, |x| {
            loop_plain_break_grad(x, n)
        });
        let t = |x, dx| skip_some_tangent(x, dx, n);
        modes_agree_1(&name("skip_some"), (-1.3, 3.1), t, |x| skip_some_grad(x, n));
        let t = |x, dx| labeled_tangent(x, dx, n);
        modes_agree_1(&name("labeled"), (-0.71, 2.47), t, |x| labeled_grad(x, n));
        let t = |x, dx| early_return_tangent(x, dx, n);
        modes_agree_1(&name("early_return"), (-2.0, 4.0), t, |x| {
            early_return_grad(x, n)
        });
        let t = |x0, dx0, a, da| sine_map_tangent(x0, dx0, a, da, n);
        modes_agree_2(&name("sine_map"), [(-1.0, 2.0), (0.7, 2.3)], t, |x0, a| {
            sine_map_grad(x0, a, n)
        });
        let t = |x, dx| two_term_recurrence_tangent(x, dx, n);
        modes_agree_1(&name("two_term_recurrence"), (-0.3, 2.0), t, |x| {
            two_term_recurrence_grad(x, n)
        });
        // `best = best.max(v)` once had `max`'s rule compare the new `best` with `v` forward.
        let t = |x, dx| running_max_tangent(x, dx, n);
        modes_agree_1(&name("running_max"), GEN, t, |x| running_max_grad(x, n));
        let t = |x, dx, y, dy| deep_nest_tangent(x, dx, y, dy, n);
        modes_agree_2(
            &name("deep_nest"),
            [(-0.45, 2.6), (-0.9, 1.8)],
            t,
            |x, y| deep_nest_grad(x, y, n),
        );
        let t = |x, dx| integer_counter_in_powi_tangent(x, dx, n);
        modes_agree_1(&name("integer_counter_in_powi"), (-1.3, 1.1), t, |x| {
            integer_counter_in_powi_grad(x, n)
        });
    }
    let t = |x, dx| long_loop_tangent(x, dx, 10_000);
    modes_agree_1("long_loop", (-1.3, 0.7), t, |x| long_loop_grad(x, 10_000));
    forward_matches_grad(
        "pairwise_products",
        &[GEN; 5],
        |x, v| pairwise_products_tangent(x, v).1,
        pairwise_products_grad,
    );
    forward_matches_grad(
        "chained_products",
        &[GEN; 5],
        |x, v| chained_products_tangent(&x[..4], &v[..4], x[4], v[4]).1,
        |x| flat(chained_products_grad(&x[..4], x[4])),
    );
    // l holds a weight at every other entry: 12 for the 6 pairs of a 4-vector.
    forward_matches_grad(
        "packed_triangle",
        &[GEN; 16],
        |x, v| packed_triangle_tangent(&x[..12], &v[..12], &x[12..], &v[12..]).1,
        |x| flat(packed_triangle_grad(&x[..12], &x[12..])),
    );
    // An output buffer: its initial values are inputs too.
    forward_matches_adjoint(
        "add_squares_into",
        &[GEN; 8],
        4,
        |x, v| {
            let (mut z, mut z_dot) = (x[4..].to_vec(), v[4..].to_vec());
            add_squares_into_tangent(&x[..4], &v[..4], &mut z, &mut z_dot);
            z_dot
        },
        |x, z_bar| {
            let (mut x_bar, mut z, mut z_bar) = (vec![0.0; 4], x[4..].to_vec(), z_bar.to_vec());
            add_squares_into_adjoint(&x[..4], &mut x_bar, &mut z, &mut z_bar);
            flat((x_bar, z_bar))
        },
    );
    for steps in [1, 3] {
        forward_matches_grad(
            "reads_of_a_restored_buffer",
            &[GEN; 4],
            |x, v| reads_of_a_restored_buffer_tangent(x, v, steps).1,
            |x| reads_of_a_restored_buffer_grad(x, steps),
        );
    }
}

/// Explicit Euler for Lotka–Volterra: `βx` and `δx` are used before `x` is reassigned in the
/// same step, so the reverse sweep computes them again only once `x` is back to its old value
/// (just before the reverse of their readers), instead of recording them.
#[differentiate(wrt(alpha, beta, gamma, delta))]
#[allow(clippy::too_many_arguments)]
fn euler_lotka_volterra(
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

/// The same gradient by hand: the states forward, then each step's transposed Jacobian
/// applied backwards.
fn euler_lotka_volterra_by_hand(p: [f64; 4], x0: f64, y0: f64, h: f64, steps: usize) -> [f64; 4] {
    let [alpha, beta, gamma, delta] = p;
    let (mut x, mut y) = (x0, y0);
    let mut states = Vec::new();
    for _ in 0..steps {
        states.push((x, y));
        let (nx, ny) = (
            x + h * (alpha * x - beta * x * y),
            y + h * (delta * x * y - gamma * y),
        );
        x = nx;
        y = ny;
    }
    let (mut xb, mut yb) = (1.0, 1.0);
    let mut g = [0.0; 4];
    for &(x, y) in states.iter().rev() {
        let (hxb, hyb) = (h * xb, h * yb);
        g[0] += hxb * x;
        g[1] -= hxb * x * y;
        g[2] -= hyb * y;
        g[3] += hyb * x * y;
        let nxb = xb + hxb * (alpha - beta * y) + hyb * delta * y;
        let nyb = yb - hxb * beta * x + hyb * (delta * x - gamma);
        xb = nxb;
        yb = nyb;
    }
    g
}

#[test]
fn values_recomputed_after_their_operand_is_restored() {
    let p = [1.1, 0.4, 0.9, 0.3];
    for steps in [1_usize, 2, 25] {
        let (a, b, c, d) = euler_lotka_volterra_grad(p[0], p[1], p[2], p[3], 1.3, 0.7, 0.05, steps);
        let hand = euler_lotka_volterra_by_hand(p, 1.3, 0.7, 0.05, steps);
        check("euler_lotka_volterra", &p, &[a, b, c, d], &hand, |q| {
            euler_lotka_volterra(q[0], q[1], q[2], q[3], 1.3, 0.7, 0.05, steps)
        });
    }
}

// ---- which overwritten values are recorded ----------------------------------------------

/// ½ Σᵢ (sᵢ − Σⱼ xⱼ tᵢʲ)²: `residual` is overwritten by subtractions only, whose pullbacks
/// read no operand, and read after its loop: its older values are not recorded. `power` is
/// read by the product before it is overwritten, so its are. ∂/∂xⱼ = −Σᵢ rᵢ tᵢʲ.
#[allow(clippy::needless_range_loop)]
#[differentiate]
fn polynomial_residuals(x: &[f64], t: &[f64], s: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..t.len() {
        let mut residual = s[i];
        let mut power = 1.0;
        for j in 0..x.len() {
            residual -= x[j] * power;
            power *= t[i];
        }
        sum += residual * residual;
    }
    sum / 2.0
}

/// Σₖ (1 + kx)·x for k = 1..n: `a` is overwritten by a sum, and read by the product after
/// the overwrite in the same loop, so each trip's reverse needs the value the next trip
/// overwrote: d/dx = n + x n(n + 1).
#[differentiate]
fn read_after_the_overwrite(x: f64, n: usize) -> f64 {
    let mut a = 1.0;
    let mut total = 0.0;
    for _ in 0..n {
        a = a + x;
        total += a * x;
    }
    total
}

/// (a·x)·(a + x)² with a overwritten between the two reads: b = a x, then a = a + x, then
/// (b·a)·a. d/dx at a0: b = a0 x, a1 = a0 + x; f = a0 x (a0 + x)²,
/// f' = a0 (a0 + x)² + 2 a0 x (a0 + x).
#[differentiate]
fn read_before_and_after(x: f64, a0: f64) -> f64 {
    let mut a = a0;
    let b = a * x;
    a = a + x;
    b * a * a
}

#[test]
fn overwrites_recorded_only_where_read_back() {
    let t: [f64; 4] = [-1.0, -0.3, 0.4, 1.0];
    let s = [-1.0, -1.0, 1.0, 1.0];
    let x = [0.2, 1.1, -0.4];
    let residuals: Vec<f64> = (0..t.len())
        .map(|i| {
            s[i] - (0..x.len())
                .map(|j| x[j] * t[i].powi(j as i32))
                .sum::<f64>()
        })
        .collect();
    let hand: Vec<f64> = (0..x.len())
        .map(|j| {
            -(0..t.len())
                .map(|i| residuals[i] * t[i].powi(j as i32))
                .sum::<f64>()
        })
        .collect();
    let (g, _, _) = polynomial_residuals_grad(&x, &t, &s);
    common::check("polynomial_residuals", &x, &g, &hand, |v| {
        polynomial_residuals(v, &t, &s)
    });

    for &(x, n) in &[(0.7_f64, 1usize), (-1.3, 4), (0.25, 9)] {
        let nf = n as f64;
        let hand = nf + x * nf * (nf + 1.0);
        common::check(
            "read_after_the_overwrite",
            &[x],
            &[read_after_the_overwrite_grad(x, n)],
            &[hand],
            |v| read_after_the_overwrite(v[0], n),
        );
    }

    let (x, a0) = (0.6_f64, 1.7_f64);
    let hand_x = a0 * (a0 + x).powi(2) + 2.0 * a0 * x * (a0 + x);
    // d/da0 of a0 x (a0 + x)² = x (a0 + x)² + 2 a0 x (a0 + x).
    let hand_a0 = x * (a0 + x).powi(2) + 2.0 * a0 * x * (a0 + x);
    let (gx, ga0) = read_before_and_after_grad(x, a0);
    common::check(
        "read_before_and_after",
        &[x, a0],
        &[gx, ga0],
        &[hand_x, hand_a0],
        |v| read_before_and_after(v[0], v[1]),
    );
}

/// `Σₖ (−1)ᵏ xᵏ⁺¹ / (k + 1)`, the series of `ln(1 + x)`, with its sign flipped every trip:
/// the reverse sweep gives the sign back by negating it again rather than recording it.
#[differentiate]
fn log1p_series(x: f64, terms: usize) -> f64 {
    let mut total = 0.0;
    let mut sign = 1.0;
    let mut power = x;
    for k in 0..terms {
        total += sign * power / (k + 1) as f64;
        power *= x;
        sign = -sign;
    }
    total
}

#[test]
fn an_alternating_sign_restored_by_negation() {
    let x: f64 = 0.4;
    for terms in [1, 2, 7] {
        // d/dx Σₖ (−1)ᵏ xᵏ⁺¹/(k+1) = Σₖ (−x)ᵏ = (1 − (−x)ⁿ) / (1 + x).
        let hand = (1.0 - (-x).powi(terms as i32)) / (1.0 + x);
        check(
            "log1p series",
            &[x],
            &[log1p_series_grad(x, terms)],
            &[hand],
            |p| log1p_series(p[0], terms),
        );
    }
}
