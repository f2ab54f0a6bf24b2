use autodiff::differentiate;

#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

// `f_tangents` calls its callees' `_tangents_all`, which only `tangents` generates.
#[differentiate(tangents)]
fn twice_square(x: f64) -> f64 {
    2.0 * square(x)
}

fn main() {}
