use autodiff::differentiate;

// The Hessian-vector product runs the reverse mode on dual numbers.
#[differentiate(forward, hessian)]
fn forward_only(x: f64) -> f64 {
    x * x
}

// `hessian` on a function returning a buffer generates only what callers use.
#[differentiate(hessian)]
fn squares(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v * v).collect()
}

// Calls to a `hessian` function returning a buffer are not supported yet.
#[differentiate(hessian)]
fn sum_of_squares(x: &[f64]) -> f64 {
    let y: Vec<f64> = squares(x);
    y[0] + y[1]
}

// `in_out_hessian` exists (a stub): using it adds no error.
fn main() {
    let _ = in_out_hessian(1.0, &mut 0.0);
}
