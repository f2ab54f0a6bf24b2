/// Passes a value through unchanged while blocking its derivative.
///
/// Inside a `#[differentiate]` function, whatever is computed under `stop_gradient(..)` is
/// treated as a constant: no derivative flows back through it, like PyTorch's `detach()` or
/// JAX's `jax.lax.stop_gradient`. Any expression is allowed inside, since nothing in it is
/// differentiated. Outside a differentiated function it is the identity.
///
/// ```
/// use autodiff_core::stop_gradient;
///
/// assert_eq!(stop_gradient(2.5_f64), 2.5);
/// ```
#[inline(always)]
pub fn stop_gradient<T>(value: T) -> T {
    value
}
