//! Finite-difference checks for derivatives.
//!
//! A small toolkit for tests: estimate a derivative numerically with [`central_difference`]
//! or [`gradient`], and compare it with an exact one with [`assert_gradient_close`].
//!
//! ```
//! use autodiff_core::testing::{assert_gradient_close, gradient};
//!
//! // f(x, y) = x² y has gradient (2xy, x²).
//! let numeric = gradient(|v: &[f64]| v[0] * v[0] * v[1], &[3.0, 2.0]);
//! assert_gradient_close(&[12.0, 9.0], &numeric, 1e-6);
//! ```

use std::cell::RefCell;

/// Estimates `f'(x)` by the central difference `(f(x + h) - f(x - h)) / 2h`.
///
/// The truncation error is `O(h²)`, the rounding error about `ε |f(x)| / h`; a step near
/// `1e-6 · max(1, |x|)` balances the two for `f64`. The quotient divides by the distance
/// between the two points as actually represented, which removes the rounding of `x ± h`.
///
/// ```
/// use autodiff_core::testing::central_difference;
///
/// let slope = central_difference(|x| x * x * x, 2.0, 1e-6);
/// assert!((slope - 12.0).abs() < 1e-6);
/// ```
pub fn central_difference<F: Fn(f64) -> f64>(f: F, x: f64, h: f64) -> f64 {
    let (above, below) = (x + h, x - h);
    (f(above) - f(below)) / (above - below)
}

/// Estimates the gradient of `f` at `x` by a central difference in each coordinate.
///
/// Coordinate `i` uses the step `h = 1e-6 · max(1, |x_i|)`, so that the step is relative for
/// large coordinates and absolute near zero.
///
/// ```
/// use autodiff_core::testing::gradient;
///
/// // f(x, y) = x y + y has gradient (y, x + 1).
/// let grad = gradient(|v: &[f64]| v[0] * v[1] + v[1], &[2.0, 5.0]);
/// assert!((grad[0] - 5.0).abs() < 1e-6);
/// assert!((grad[1] - 3.0).abs() < 1e-6);
/// ```
pub fn gradient<F: Fn(&[f64]) -> f64>(f: F, x: &[f64]) -> Vec<f64> {
    let point = RefCell::new(x.to_vec());
    (0..x.len())
        .map(|i| {
            let h = 1e-6 * x[i].abs().max(1.0);
            let along_i = |xi: f64| {
                point.borrow_mut()[i] = xi;
                f(&point.borrow())
            };
            let slope = central_difference(along_i, x[i], h);
            point.borrow_mut()[i] = x[i];
            slope
        })
        .collect()
}

/// Asserts that two gradients agree entry by entry within a relative-or-absolute tolerance.
///
/// Entries `a` and `e` match when `|a - e| ≤ tol · max(1, |a|, |e|)`: an absolute tolerance
/// for entries of magnitude up to 1, a relative one above. Equal values (equal infinities
/// included) always match, NaN matches only NaN, and an infinity only an equal one.
///
/// # Panics
///
/// If the lengths differ, or at the first entry that does not match, with a message naming
/// its index, both values and their difference.
///
/// ```should_panic
/// use autodiff_core::testing::assert_gradient_close;
///
/// // panics: "gradient entry 1 differs: actual 2.5, expected 2, difference 0.5 …"
/// assert_gradient_close(&[1.0, 2.5], &[1.0, 2.0], 1e-6);
/// ```
#[track_caller]
pub fn assert_gradient_close(actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "gradient lengths differ: actual has {} entries, expected {}",
        actual.len(),
        expected.len()
    );
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let difference = a - e;
        let close = a == e
            || (a.is_nan() && e.is_nan())
            || (a.is_finite()
                && e.is_finite()
                && difference.abs() <= tol * 1.0_f64.max(a.abs()).max(e.abs()));
        assert!(
            close,
            "gradient entry {i} differs: actual {a}, expected {e}, difference {difference} \
             (tolerance {tol}, relative above magnitude 1)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_difference_of_known_functions() {
        // Hand-known derivatives: d/dx x³ = 3x², d/dx eˣ = eˣ, d/dx sin x = cos x.
        assert!((central_difference(|x| x * x * x, -2.0, 1e-6) - 12.0).abs() < 1e-6);
        assert!((central_difference(f64::exp, 0.0, 1e-6) - 1.0).abs() < 1e-8);
        assert!((central_difference(f64::sin, 0.0, 1e-6) - 1.0).abs() < 1e-8);
        // A linear function is differentiated exactly, whatever the step.
        assert_eq!(central_difference(|x| 4.0 * x - 1.0, 3.0, 0.5), 4.0);
    }

    #[test]
    fn gradient_of_known_functions() {
        // f(x, y, z) = x y² + z has gradient (y², 2xy, 1).
        let grad = gradient(|v: &[f64]| v[0] * v[1] * v[1] + v[2], &[3.0, -2.0, 0.5]);
        assert_eq!(grad.len(), 3);
        assert!((grad[0] - 4.0).abs() < 1e-6);
        assert!((grad[1] + 12.0).abs() < 1e-6);
        assert!((grad[2] - 1.0).abs() < 1e-6);
        // Large and small coordinates: f(x, y) = ln x · sin y at (1e8, 1e-9) has gradient
        // (sin y / x, ln x cos y) ≈ (1e-17, ln 1e8).
        let grad = gradient(|v: &[f64]| v[0].ln() * v[1].sin(), &[1e8, 1e-9]);
        assert!((grad[0] / 1e-17 - 1.0).abs() < 1e-6);
        assert!((grad[1] / 1e8_f64.ln() - 1.0).abs() < 1e-6);
        assert!(gradient(|_: &[f64]| 1.0, &[]).is_empty());
    }

    #[test]
    fn close_gradients_pass() {
        assert_gradient_close(&[1.0, -2.0], &[1.0 + 1e-9, -2.0], 1e-8);
        // Relative above magnitude 1, absolute below it.
        assert_gradient_close(&[1e9], &[1e9 + 1.0], 1e-8);
        assert_gradient_close(&[1e-12], &[-1e-12], 1e-8);
        assert_gradient_close(&[f64::INFINITY, f64::NAN], &[f64::INFINITY, f64::NAN], 1e-8);
        assert_gradient_close(&[], &[], 1e-8);
    }

    fn panic_message(actual: &[f64], expected: &[f64], tol: f64) -> String {
        let payload = std::panic::catch_unwind(|| assert_gradient_close(actual, expected, tol))
            .expect_err("assert_gradient_close should have panicked");
        match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .unwrap_or_default(),
        }
    }

    #[test]
    fn distant_gradients_fail_with_index_values_and_difference() {
        let message = panic_message(&[1.0, 2.5, 7.0], &[1.0, 2.0, 7.0], 1e-6);
        assert!(message.contains("entry 1"), "{message}");
        assert!(message.contains("actual 2.5"), "{message}");
        assert!(message.contains("expected 2"), "{message}");
        assert!(message.contains("difference 0.5"), "{message}");
        // Relative tolerance: 1e9 vs 1.001e9 is off by 1e-3 relative.
        panic_message(&[1e9], &[1.001e9], 1e-6);
        // Absolute tolerance near zero.
        panic_message(&[1e-3], &[0.0], 1e-6);
        // NaN, infinities and lengths.
        panic_message(&[f64::NAN], &[1.0], 1e-6);
        panic_message(&[1.0], &[f64::NAN], 1e-6);
        panic_message(&[f64::INFINITY], &[f64::NEG_INFINITY], 1e-6);
        panic_message(&[f64::INFINITY], &[1e300], 1e-6);
        let message = panic_message(&[1.0], &[1.0, 2.0], 1e-6);
        assert!(message.contains("lengths differ"), "{message}");
    }
}
