//! autodiff: compile-time automatic differentiation (documentation below).

pub use autodiff_core::{stop_gradient, NoTangent};
pub use autodiff_macros::differentiate;

#[doc(hidden)]
pub mod __private {
    pub use autodiff_core::*;
}
