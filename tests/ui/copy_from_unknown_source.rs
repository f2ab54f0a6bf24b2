use autodiff::differentiate;

#[differentiate(wrt(x))]
fn energy(p: &[f64], x: &[f64]) -> f64 {
    p[0] * x[0] * x[0] + x[1]
}

// The call's result has no type the macro can see; `let g: Vec<f64> = ..` gives it one.
#[differentiate]
fn gradient_into(p: &[f64], x: &[f64], out: &mut [f64]) {
    let g = energy_grad(p, x);
    out.copy_from_slice(&g);
}

fn main() {}
