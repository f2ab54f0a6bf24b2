use autodiff::differentiate;

// Passed by value and not `Clone`.
struct Offset {
    shift: f64,
}

#[differentiate]
fn shifted_square(x: f64, offset: Offset) -> f64 {
    let moved = x + offset.shift;
    moved * moved
}

fn main() {
    // `f_hvp` does not clone its parameters; `f_hessian` clones them once per input.
    let _ = shifted_square_hvp(1.0, 1.0, Offset { shift: 0.5 });
    let _ = shifted_square_hessian(1.0, Offset { shift: 0.5 });
}
