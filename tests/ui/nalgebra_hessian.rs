use autodiff::differentiate;
use autodiff::nalgebra::DVector;

// Second order through nalgebra needs a float result; a vector result has a Jacobian, not
// a Hessian.
#[differentiate(hessian)]
fn f(x: &DVector<f64>) -> DVector<f64> {
    x * x.norm_squared()
}

fn main() {}
