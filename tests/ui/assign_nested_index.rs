use autodiff::differentiate;

// Only flat buffers of floats carry derivatives; a `Vec<Vec<f64>>` cannot be written with an
// active value.
#[differentiate]
fn f(x: f64) -> f64 {
    let mut m = vec![vec![0.0; 2]; 2];
    m[0][1] = x * 2.0;
    m[0][1] + x
}

fn main() {}
