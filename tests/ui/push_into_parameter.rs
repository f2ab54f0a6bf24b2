use autodiff::differentiate;

#[differentiate]
fn f(x: f64, out: &mut Vec<f64>) {
    out.push(x * 2.0);
}

fn main() {}
