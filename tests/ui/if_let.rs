use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let limit = Some(1.0);
    if let Some(l) = limit {
        x * l
    } else {
        x
    }
}

fn main() {}
