//! Settings shared by the benchmarks: short warm-up and measurement times, so that
//! `cargo bench -p autodiff` finishes in a few minutes on a 2-core machine, and a relative
//! agreement check run once before anything is timed.

#![allow(dead_code)]

use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, SamplingMode};

/// The default configuration: 200 ms of warm-up, 1 s of measurement, 20 samples.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
        .noise_threshold(0.05)
}

/// Fewer samples and flat sampling (the same iteration count in every sample) for a group
/// whose routines take milliseconds or more.
pub fn slow<M: criterion::measurement::Measurement>(group: &mut BenchmarkGroup<'_, M>) {
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(2));
}

/// Panics unless `a` and `b` agree to `tol` relative to the larger of 1 and their largest
/// entry: every variant timed must compute the same gradient.
#[track_caller]
pub fn assert_agree(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    let scale = a.iter().chain(b).fold(1.0_f64, |s, v| s.max(v.abs()));
    let worst = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0_f64, f64::max);
    assert!(
        worst <= tol * scale,
        "{what}: max difference {worst:e} exceeds {tol:e} × {scale:e}"
    );
}
