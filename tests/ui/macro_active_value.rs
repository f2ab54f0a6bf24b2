use autodiff::differentiate;

macro_rules! twice {
    ($e:expr) => {
        2.0 * $e
    };
}

#[differentiate]
fn f(x: f64) -> f64 {
    let y = twice!(x);
    y * x
}

fn main() {}
