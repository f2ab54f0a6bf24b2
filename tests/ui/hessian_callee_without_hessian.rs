use autodiff::differentiate;

#[differentiate]
fn sq(x: f64) -> f64 {
    x * x
}

// A callee needs `hessian` too: its dual forms are what the caller's dual copy calls.
#[differentiate(hessian)]
fn calls_sq(x: f64) -> f64 {
    sq(x) * x
}

fn main() {
    let _ = calls_sq_hessian(1.0);
}
