//! Straight-line code and branches outside loops record on stack slots: their adjoints must
//! not touch the heap. Loops record on growable stacks, which do allocate.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use autodiff::prelude::*;

mod common;

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn allocations_during(run: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    run();
    ALLOCATIONS.with(Cell::get) - before
}

#[differentiate]
fn straight_line(x: f64, y: f64) -> f64 {
    let r = (x * x + y * y).sqrt();
    let t = stop_gradient(r) * x.sin();
    r * t.exp() / (1.0 + y * y)
}

#[differentiate]
#[allow(clippy::needless_late_init)] // `let u;` assigned in both branches is what is tested
fn branches_and_early_return(x: f64, y: f64) -> f64 {
    let s = x * y;
    if s > 1.0 {
        return s.ln();
    }
    let t = if x > 0.0 { x.powi(3) } else { -x * y };
    let u;
    if y > 0.0 {
        u = t * y;
    } else {
        u = t / (1.0 + y * y);
    }
    u + s
}

#[differentiate]
fn with_a_loop(x: f64) -> f64 {
    let mut acc = x;
    for _ in 0..10 {
        acc = (acc * x).sin();
    }
    acc
}

#[test]
fn straight_line_adjoint_does_not_allocate() {
    let mut grad = (0.0, 0.0);
    let count = allocations_during(|| grad = straight_line_grad(0.7, -1.3));
    assert_eq!(count, 0);
    assert!(grad.0.is_finite() && grad.1.is_finite());
}

#[test]
fn adjoint_with_branches_and_early_return_does_not_allocate() {
    for (x, y) in [
        (2.0, 3.0),
        (0.5, 0.2),
        (-0.5, 0.2),
        (-0.5, -0.2),
        (0.5, -0.2),
    ] {
        let count = allocations_during(|| {
            let _ = branches_and_early_return_grad(x, y);
        });
        assert_eq!(count, 0, "at ({x}, {y})");
    }
}

/// A weighted squared distance `w ‖x − target‖²`, differentiated in `x` and `w` only: the
/// target is data, as GradBench's features are.
#[differentiate(wrt(x, w))]
fn weighted_distance(x: &[f64], w: f64, target: &[f64]) -> f64 {
    let dx = x[0] - target[0];
    let dy = x[1] - target[1];
    w * (dx * dx + dy * dy)
}

#[test]
fn a_slice_outside_wrt_costs_the_adjoint_no_allocation() {
    let (x, w, target) = ([1.5, -0.5], 0.8, [0.25, 0.75]);
    let mut x_bar = [0.0; 2];
    let mut result = (0.0, 0.0);
    let count = allocations_during(|| {
        result = weighted_distance_adjoint(&x, &mut x_bar, w, &target, 1.0);
    });
    assert_eq!(count, 0);
    let (dx, dy) = (x[0] - target[0], x[1] - target[1]);
    assert_eq!(result, (w * (dx * dx + dy * dy), dx * dx + dy * dy));
    common::assert_close("∂/∂x₀", x_bar[0], 2.0 * w * dx, 1e-12);
    common::assert_close("∂/∂x₁", x_bar[1], 2.0 * w * dy, 1e-12);
    let numeric = autodiff::testing::gradient(
        |p| weighted_distance(&p[..2], p[2], &target),
        &[x[0], x[1], w],
    );
    common::assert_close("∂/∂x₀ by differences", x_bar[0], numeric[0], 1e-6);
    common::assert_close("∂/∂x₁ by differences", x_bar[1], numeric[1], 1e-6);
    common::assert_close("∂/∂w by differences", result.1, numeric[2], 1e-6);
}

#[test]
fn loops_record_on_the_heap_so_the_counter_sees_allocations() {
    // Guards the test above against a counter that never counts.
    let count = allocations_during(|| {
        let _ = with_a_loop_grad(0.3);
    });
    assert!(count > 0);
}

/// A loop's `f64` tapes come from a per-thread list of freed ones: a helper called again and
/// again (as GMM's `q_times` is, per point and component) allocates only on its first call.
#[test]
fn later_calls_reuse_the_memory_of_loop_tapes() {
    let first = allocations_during(|| {
        let _ = with_a_loop_grad(0.3);
    });
    assert!(first > 0);
    for x in [0.4, 0.5, 0.6] {
        let again = allocations_during(|| {
            let _ = with_a_loop_grad(x);
        });
        assert_eq!(again, 0, "at x = {x}");
    }
}

/// A loop that records its branch decisions and an index besides floats.
#[differentiate]
fn with_branches_in_a_loop(x: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let mut j = i * k;
        j %= x.len();
        if x[j] > 0.0 {
            s = s * 0.5 + x[j] * x[i];
        } else {
            s -= x[i];
        }
    }
    s
}

/// Tapes of decisions (`bool`) and indices (`usize`) come from per-thread lists too.
#[test]
fn later_calls_reuse_the_memory_of_decision_and_index_tapes() {
    let x = [0.5, -1.0, 2.0, -0.25, 1.5];
    let mut x_bar = [0.0; 5];
    let first = allocations_during(|| {
        let _ = with_branches_in_a_loop_adjoint(&x, &mut x_bar, 3, 1.0);
    });
    assert!(first > 0);
    for d_out in [0.5, 2.0, -1.0] {
        let again = allocations_during(|| {
            let _ = with_branches_in_a_loop_adjoint(&x, &mut x_bar, 3, d_out);
        });
        assert_eq!(again, 0, "at d_out = {d_out}");
    }
}

#[path = "../examples/gmm.rs"]
#[allow(dead_code)]
mod gmm_example;

/// GMM's gradient records a call of `q_times` per point and component and of `logsumexp`
/// per point, each with its tapes, which live until the caller's reverse sweep; the next
/// gradient takes them all back from the per-thread lists, where tapes of `d` and of `k`
/// floats lie mixed. Only the caller's own tapes grow anew.
#[test]
fn later_calls_reuse_the_tapes_of_recorded_calls() {
    for (d, k, n) in [(2, 5, 300), (10, 25, 300), (64, 10, 300)] {
        let p = gmm_example::Gmm::random(d, k, n, 7);
        let (mut a_bar, mut mu_bar, mut icf_bar) =
            (vec![0.0; k], vec![0.0; k * d], vec![0.0; p.icf.len()]);
        let mut gradient = || {
            let _ = gmm_example::gmm_objective_adjoint(
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
            );
        };
        let first = allocations_during(&mut gradient);
        assert!(
            first >= n,
            "(d, k) = ({d}, {k}): {first} allocations in the first call"
        );
        let again = allocations_during(&mut gradient);
        // What is left is the caller's own tapes of closures, which grow anew (46, 118 and
        // 73 allocations here, against 46, 718 and 672 when the lists gave the first buffer
        // whatever its size).
        assert!(
            again * 25 <= first,
            "(d, k) = ({d}, {k}): {first} allocations in the first call, {again} in the second"
        );
    }
}

/// The functions above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`),
/// at random points: the derivative along a random direction is the gradient dotted with it.
/// (The allocation counter is per thread, so this test does not disturb the ones above.)
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    common::modes_agree_2(
        "straight_line",
        [GEN, GEN],
        straight_line_tangent,
        straight_line_grad,
    );
    let (t, g) = (
        branches_and_early_return_tangent,
        branches_and_early_return_grad,
    );
    common::modes_agree_2("branches_and_early_return", [GEN, GEN], t, g);
    common::modes_agree_1("with_a_loop", GEN, with_a_loop_tangent, with_a_loop_grad);
}
