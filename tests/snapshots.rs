//! A buffer passed `&mut` to a differentiated callee in a loop: the caller records the
//! buffer's contents before each call only where someone reads them in reverse, either the
//! callee (it reads what the buffer held on entry) or the caller's own reverse sweep. The
//! callee states which of its parameters it writes and reads in its hidden `NAME_argument`
//! function. These cases pin down that a skipped recording never changes a gradient, and that
//! a needed one is kept.

#![allow(clippy::needless_range_loop)]

mod common;

use autodiff::differentiate;
use common::check;

/// Writes every element of `out` without reading it: a caller needs no copy of `out` for
/// this callee's sake.
#[differentiate]
fn scaled_squares(x: &[f64], k: f64, out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] = k * x[i] * x[i];
    }
}

/// Multiplies `out` by `x` in place: its pullback reads what `out` held on entry.
#[differentiate]
fn scale_in_place(x: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] *= x[i];
    }
}

/// The caller only adds the results up: nobody reads `buffer`'s old contents in reverse, and
/// the copy before each call is skipped.
#[differentiate]
fn summed_fills(x: &[f64]) -> f64 {
    let mut buffer = vec![0.0; x.len()];
    let mut total = 0.0;
    for trip in 0..3 {
        scaled_squares(x, (trip + 1) as f64, &mut buffer);
        total += buffer[0] + buffer[1];
    }
    total
}

#[test]
fn a_write_only_callee_and_a_linear_caller_need_no_copies() {
    let x = [0.7, -1.3, 2.0];
    // Σ_trip (trip + 1)(x₀² + x₁²) = 6 (x₀² + x₁²)
    let hand = [12.0 * x[0], 12.0 * x[1], 0.0];
    check(
        "summed_fills",
        &x,
        &summed_fills_grad(&x),
        &hand,
        summed_fills,
    );
}

/// The caller multiplies two elements of each trip's result: its reverse reads `buffer` as
/// it was after every call, so the contents are recorded although the callee does not read
/// them.
#[differentiate]
fn multiplied_fills(x: &[f64]) -> f64 {
    let mut buffer = vec![0.0; x.len()];
    let mut total = 0.0;
    for trip in 0..3 {
        scaled_squares(x, (trip + 1) as f64, &mut buffer);
        total += buffer[0] * buffer[1];
    }
    total
}

#[test]
fn a_caller_reading_the_results_in_reverse_keeps_the_copies() {
    let x = [0.7, -1.3, 2.0];
    // Σ_trip (trip + 1)² x₀² x₁² = 14 x₀² x₁²
    let hand = [28.0 * x[0] * x[1] * x[1], 28.0 * x[0] * x[0] * x[1], 0.0];
    check(
        "multiplied_fills",
        &x,
        &multiplied_fills_grad(&x),
        &hand,
        multiplied_fills,
    );
}

/// The callee reads the buffer it changes: every call's pullback needs the contents before
/// that call, so they are recorded even though the caller only sums the result.
#[differentiate]
fn cubed_in_place(x: &[f64]) -> f64 {
    let mut buffer = vec![1.0; x.len()];
    for _ in 0..3 {
        scale_in_place(x, &mut buffer);
    }
    let mut total = 0.0;
    for i in 0..buffer.len() {
        total += buffer[i];
    }
    total
}

#[test]
fn a_callee_reading_its_buffer_keeps_the_copies() {
    let x = [0.5, -1.5, 1.25];
    let hand: Vec<f64> = x.iter().map(|v| 3.0 * v * v).collect();
    check(
        "cubed_in_place",
        &x,
        &cubed_in_place_grad(&x),
        &hand,
        cubed_in_place,
    );
}

/// Writes every element of `out`, bounded by `out`'s length: its length is not its contents,
/// so `out` still counts as written and not read.
#[differentiate]
fn doubled_to_length(x: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = 2.0 * x[i] * x[i];
    }
}

/// The product of what two calls wrote: the copy before the second call is needed for the
/// first product's sake only.
#[differentiate]
fn twice_doubled(x: &[f64]) -> f64 {
    let mut buffer = vec![0.0; 2];
    doubled_to_length(x, &mut buffer);
    let first = buffer[0] * buffer[1];
    doubled_to_length(x, &mut buffer);
    first + buffer[0]
}

#[test]
fn a_callee_bounded_by_its_buffers_length_does_not_read_it() {
    assert_eq!(doubled_to_length_argument(1), [true, false]);
    let x = [0.6, -1.1];
    // buffer = 2x², first = 4 x₀² x₁², result first + 2 x₀²
    let hand = [
        8.0 * x[0] * x[1] * x[1] + 4.0 * x[0],
        8.0 * x[0] * x[0] * x[1],
    ];
    check(
        "twice_doubled",
        &x,
        &twice_doubled_grad(&x),
        &hand,
        twice_doubled,
    );
}

/// What each callee says about its parameters: `[writes, reads what it held on entry]`.
#[test]
fn callees_state_what_they_write_and_read() {
    // `out` of `scaled_squares` is written, never read; `x` is read, never written.
    assert_eq!(scaled_squares_argument(2), [true, false]);
    assert_eq!(scaled_squares_argument(0), [false, true]);
    // `out` of `scale_in_place` is written and read.
    assert_eq!(scale_in_place_argument(1), [true, true]);
}
