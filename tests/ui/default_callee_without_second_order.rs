use autodiff::differentiate;

// `reverse, forward`: the first order only.
#[differentiate(reverse, forward)]
fn sq(x: f64) -> f64 {
    x * x
}

// Without options a caller still compiles, and has its first order; its second order is
// bounded by its callees', so that calling it fails at the call with the callee's reason.
#[differentiate]
fn middle(x: f64) -> f64 {
    sq(x) + x
}

#[differentiate]
fn top(x: f64) -> f64 {
    middle(x) * 2.0
}

fn main() {
    let _ = top_grad(1.0);
    let _ = top_hessian(1.0);
}
