use autodiff::differentiate;

#[differentiate]
fn f(x: f64, y: f64) -> f64 {
    let a = x % y;
    let b = match x > 0.0 {
        true => x,
        false => y,
    };
    let c = unsafe { std::ptr::read(&x) };
    let v = vec![x];
    let g = |t: f64| t * y;
    a + b + c + v[0] + g(1.0) + x * y
}

fn main() {}
