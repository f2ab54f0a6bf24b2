use autodiff::differentiate;

#[differentiate]
fn f(x: f64) -> f64 {
    let y = match x > 0.0 {
        true => x,
        false => -x,
    };
    y * 2.0 + x
}

fn main() {}
