// `stop_gradient` must know whether a value carries a dual tangent; a type it does not
// know is a compile error that says how to teach it, not a silently kept derivative.
use autodiff::prelude::*;

struct Weights {
    scale: f64,
}

#[differentiate]
fn scaled(x: f64, w: Weights) -> f64 {
    let w = stop_gradient(w);
    w.scale * x
}

fn main() {
    let _ = scaled(1.0, Weights { scale: 2.0 });
}
