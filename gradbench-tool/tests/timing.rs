//! The `min_runs` / `min_seconds` convention of `run_timed`.

use gradbench_tool::protocol::{run_timed, Runs};

#[test]
fn runs_at_least_once() {
    let mut calls = 0;
    let (value, timings) = run_timed(Runs::default(), || {
        calls += 1;
        calls
    });
    assert_eq!((value, calls, timings.len()), (1, 1, 1));
    assert_eq!(timings[0].name, "evaluate");
}

#[test]
fn honours_min_runs_and_returns_last_result() {
    let mut calls = 0;
    let runs = Runs {
        min_runs: 5,
        min_seconds: 0.0,
    };
    let (value, timings) = run_timed(runs, || {
        calls += 1;
        calls
    });
    assert_eq!((value, timings.len()), (5, 5));
}

#[test]
fn keeps_running_until_min_seconds() {
    let runs = Runs {
        min_runs: 1,
        min_seconds: 0.02,
    };
    let (_, timings) = run_timed(runs, || {
        std::thread::sleep(std::time::Duration::from_millis(3))
    });
    let total: u128 = timings.iter().map(|t| t.nanoseconds).sum();
    assert!(timings.len() > 1);
    assert!(total >= 20_000_000, "{total} ns");
}

#[test]
fn odd_min_seconds_do_not_loop_or_panic() {
    for min_seconds in [-1.0, f64::NAN] {
        let runs = Runs {
            min_runs: 2,
            min_seconds,
        };
        assert_eq!(run_timed(runs, || ()).1.len(), 2);
    }
}
