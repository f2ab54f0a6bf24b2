use autodiff::differentiate;

#[differentiate]
fn total(v: Vec<f64>) -> f64 {
    v.iter().sum::<f64>()
}

// An owned buffer moved into a helper would be gone when the reverse sweep needs it.
#[differentiate]
fn f(x: &[f64]) -> f64 {
    let v = x.to_vec();
    total(v)
}

fn main() {}
