use autodiff::differentiate;

trait Frobnicate {
    fn frobnicate(self) -> Self;
}

impl Frobnicate for f64 {
    fn frobnicate(self) -> f64 {
        self * 3.0
    }
}

#[differentiate]
fn f(x: f64) -> f64 {
    x.frobnicate() + 1.0
}

fn main() {}
