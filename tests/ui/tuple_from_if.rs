use autodiff::differentiate;

// A tuple whose parts carry derivatives can only come from a tuple literal or `sin_cos`;
// anything else is an error, never a silently constant tuple.
#[differentiate]
fn tuple_from_if(x: f64) -> f64 {
    let (a, b) = if x > 0.0 { (x, 2.0) } else { (1.0, x) };
    a * b
}

fn main() {}
