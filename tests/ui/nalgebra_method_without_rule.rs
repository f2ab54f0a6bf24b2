use autodiff::differentiate;
use autodiff::nalgebra::DMatrix;

#[differentiate]
fn f(m: &DMatrix<f64>) -> f64 {
    m.amax() + m.trace()
}

fn main() {}
