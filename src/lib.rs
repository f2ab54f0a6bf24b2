//! autodiff: compile-time automatic differentiation (crate docs are being written).

pub use autodiff_core::{rules, testing, stop_gradient, NoTangent, ZeroLike};
pub use autodiff_macros::differentiate;

/// Everything a user of `#[differentiate]` needs in scope.
///
/// ```
/// use autodiff::prelude::*;
///
/// #[differentiate]
/// fn f(x: f64) -> f64 {
///     stop_gradient(x) * x
/// }
///
/// assert_eq!(f_grad(3.0), 3.0);
/// ```
pub mod prelude {
    pub use crate::{differentiate, stop_gradient};
}

#[doc(hidden)]
pub mod __private {
    pub use autodiff_core::rules::methods as derivative_rules_for_methods;
    pub use autodiff_core::*;
}
