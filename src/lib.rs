//! autodiff: compile-time automatic differentiation (documentation below).

pub use autodiff_core::{stop_gradient, NoTangent};
pub use autodiff_macros::differentiate;

#[doc(hidden)]
pub mod __private {
    pub use autodiff_core::rules::methods as derivative_rules_for_methods;
    pub use autodiff_core::*;
}
