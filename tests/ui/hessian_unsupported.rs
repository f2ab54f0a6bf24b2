use autodiff::differentiate;

// `hessian` needs a scalar result.
#[differentiate(hessian)]
fn squares(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v * v).collect()
}

// The Hessian-vector product runs the reverse mode on dual numbers.
#[differentiate(forward, hessian)]
fn forward_only(x: f64) -> f64 {
    x * x
}

// `&mut` parameters are not supported yet.
#[differentiate(hessian)]
fn in_out(x: f64, acc: &mut f64) -> f64 {
    *acc += x * x;
    x
}

#[differentiate(hessian)]
fn sq(x: f64) -> f64 {
    x * x
}

// Calls to other differentiated functions are not supported yet.
#[differentiate(hessian)]
fn calls_sq(x: f64) -> f64 {
    sq(x) * x
}

// The same `hessian` function used afterwards reports nothing more.
fn main() {
    let _ = calls_sq_hessian(1.0);
}
