use autodiff::differentiate;
use autodiff::nalgebra::DVector;

// `f_tangents` carries `Tangents` per float: a nalgebra parameter, and a nalgebra value built
// from a slice, are each refused at their own span.
#[differentiate(tangents)]
fn weighted(x: &[f64], w: DVector<f64>) -> f64 {
    let v = DVector::from_column_slice(x);
    v.dot(&w)
}

fn main() {}
