use autodiff::differentiate;

#[differentiate]
fn scaled_sum(x: &[f64], k: impl Into<f64> + Copy) -> f64 {
    let c: f64 = k.into();
    x.iter().map(|a| a * c).sum()
}

fn main() {}
