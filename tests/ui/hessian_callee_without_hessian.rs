use autodiff::differentiate;

// `reverse` alone generates the first-order reverse mode only: no dual forms.
#[differentiate(reverse)]
fn sq(x: f64) -> f64 {
    x * x
}

// A callee needs its second order too (the default, or `hessian`): its dual forms are what
// the caller's dual copy calls, and the stand-ins of one without say so at the call.
#[differentiate(reverse, hessian)]
fn calls_sq(x: f64) -> f64 {
    sq(x) * x
}

fn main() {
    let _ = calls_sq_hessian(1.0);
}
