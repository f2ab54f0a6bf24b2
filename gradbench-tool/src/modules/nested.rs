//! What `saddle` and `particle` share: their four functions' names and GradBench's
//! gradient-descent solver for the outermost argmin.
//!
//! Both evals minimise an objective that itself computes a gradient (an ascent direction, a
//! force). That inner gradient is a call of the generated `g_grad` (`?r`) or of
//! `g_tangent`, one per coordinate (`?f`), inside a `#[differentiate]` function, whose own
//! derivatives the attribute generates through the hidden `g_grad_pullback`,
//! `g_tangent_slope_pullback`, … that `g`'s second order provides. No derivative is written
//! by hand.

/// Which mode of the generated derivatives a level of nesting uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradientMode {
    /// The generated forward mode (`_tangent`), one pass per input coordinate.
    Forward,
    /// The generated reverse mode (`_grad`), one sweep.
    Reverse,
}

/// The modes of the outer and the inner derivative that function `ff`, `fr`, `rf` or `rr`
/// names, or `None` for another name.
pub fn modes(function: &str) -> Option<(GradientMode, GradientMode)> {
    let mode = |letter| match letter {
        'f' => Some(GradientMode::Forward),
        'r' => Some(GradientMode::Reverse),
        _ => None,
    };
    let mut letters = function.chars();
    let outer = mode(letters.next()?)?;
    let inner = mode(letters.next()?)?;
    match letters.next() {
        None => Some((outer, inner)),
        Some(_) => None,
    }
}

/// GradBench's gradient-descent argmin (its `gd.hpp`) of `objective` from `start`, with
/// `gradient` writing the gradient into its second argument: steps x − η·∇f with η starting
/// at 10⁻⁵, doubled after ten accepted steps in a row and halved after a step that does not
/// decrease f, until the gradient or the step is at most 10⁻⁵ long.
///
/// A value or gradient that is not finite where the descent stands is an error: with a NaN
/// gradient the solver would halve η forever.
pub fn argmin(
    objective: impl Fn(&[f64]) -> f64,
    mut gradient: impl FnMut(&[f64], &mut [f64]),
    start: &[f64],
) -> Result<Vec<f64>, String> {
    let mut x = start.to_vec();
    let mut value = objective(&x);
    let mut slope = vec![0.0; x.len()];
    gradient(&x, &mut slope);
    check_finite(value, &slope, &x)?;
    let mut candidate = vec![0.0; x.len()];
    let mut accepted = 0;
    let mut eta = 1e-5;
    loop {
        if norm(&slope) <= 1e-5 {
            return Ok(x);
        }
        if accepted == 10 {
            eta *= 2.0;
            accepted = 0;
            continue;
        }
        for ((c, xi), gi) in candidate.iter_mut().zip(&x).zip(&slope) {
            *c = xi - eta * gi;
        }
        let step: Vec<f64> = x.iter().zip(&candidate).map(|(a, b)| a - b).collect();
        if norm(&step) <= 1e-5 {
            return Ok(x);
        }
        let candidate_value = objective(&candidate);
        if candidate_value < value {
            x.copy_from_slice(&candidate);
            value = candidate_value;
            gradient(&x, &mut slope);
            check_finite(value, &slope, &x)?;
            accepted += 1;
        } else {
            eta /= 2.0;
            accepted = 0;
        }
    }
}

/// The error for a value or gradient at `x` that is not finite.
fn check_finite(value: f64, slope: &[f64], x: &[f64]) -> Result<(), String> {
    if value.is_finite() && slope.iter().all(|g| g.is_finite()) {
        Ok(())
    } else {
        Err(format!(
            "the objective or its gradient is not finite at {x:?} (value {value}, gradient \
             {slope:?})"
        ))
    }
}

/// The Euclidean norm of `v`, summed in order as GradBench's solver does.
fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}
