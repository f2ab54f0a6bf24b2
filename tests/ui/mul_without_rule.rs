use autodiff::differentiate;
use std::ops::Mul;

#[derive(Clone, Copy)]
struct Scale(f64);

impl Mul<Scale> for f64 {
    type Output = f64;
    fn mul(self, rhs: Scale) -> f64 {
        self * rhs.0
    }
}

#[differentiate]
fn f(x: f64, s: Scale) -> f64 {
    x * s
}

fn main() {}
