use autodiff::differentiate;

// Each rejected construct feeds the next one; all four should be reported.
#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let a = x % y;
    let b = match a > 0.0 {
        true => x,
        false => y,
    };
    let c = unsafe { std::ptr::read(&b) };
    let d = vec![c];
    a + d[0] + x * y
}

fn main() {}
