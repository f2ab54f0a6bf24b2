use autodiff::differentiate;

// An owned buffer cannot move to a new name: the reverse sweep still needs it.
#[differentiate]
fn f(x: &[f64]) -> f64 {
    let v = x.to_vec();
    let w = v;
    w[0] * 2.0
}

fn main() {}
