use autodiff::differentiate;

// Two functions that call each other have a first order, but each one's second order needs
// the other's first: calling `f_hvp` asks the compiler to prove that without end.
#[differentiate]
fn even_power(x: f64, n: u32) -> f64 {
    if n == 0 {
        1.0
    } else {
        x * odd_power(x, n - 1)
    }
}

#[differentiate]
fn odd_power(x: f64, n: u32) -> f64 {
    if n == 0 {
        1.0
    } else {
        x * even_power(x, n - 1)
    }
}

fn main() {
    let _ = even_power_grad(2.0, 4);
    let _ = even_power_hvp(2.0, 4, 1.0);
}
