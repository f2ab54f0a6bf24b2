use autodiff::differentiate;

#[differentiate(wrt(z), foo)]
fn f(x: f64, y: &mut f64) -> usize {
    let a = x % *y;
    a as usize
}

fn main() {}
