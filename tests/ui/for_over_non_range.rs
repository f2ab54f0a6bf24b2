use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let mut total = 0.0;
    for v in [x, 2.0 * x] {
        total += v;
    }
    total + x
}

fn main() {}
