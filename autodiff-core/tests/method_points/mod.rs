//! Sample points shared by the tests of the float methods' rules and of the dual numbers'
//! methods, so both check every method at the same places (domains' edges included).

/// Invokes `$callback! { method: [points]; ... }` with every one-argument float method and
/// the points to test it at.
macro_rules! unary_method_points {
    ($callback:ident) => {
        $callback! {
            sin: [-2.0, -0.3, 0.0, 0.7, 1.3, 4.0];
            cos: [-2.0, -0.3, 0.0, 0.7, 1.3, 4.0];
            tan: [-1.2, -0.3, 0.0, 0.7, 1.3, 2.0];
            asin: [-0.9, -0.5, 0.0, 0.3, 0.95];
            acos: [-0.9, -0.5, 0.0, 0.3, 0.95];
            atan: [-30.0, -1.0, 0.0, 0.5, 2.0, 1e3];
            sinh: [-3.0, -0.5, 0.0, 0.8, 5.0];
            cosh: [-3.0, -0.5, 0.0, 0.8, 5.0];
            tanh: [-3.0, -0.5, 0.0, 0.8, 5.0];
            asinh: [-10.0, -1.0, 0.0, 0.5, 3.0, 1e4];
            acosh: [1.1, 1.5, 3.0, 100.0];
            atanh: [-0.9, -0.2, 0.0, 0.5, 0.95];
            exp: [-5.0, -1.0, 0.0, 0.5, 3.0, 20.0];
            exp2: [-5.0, -1.0, 0.0, 0.5, 3.0, 20.0];
            exp_m1: [-5.0, -1e-3, 0.0, 1e-3, 2.0];
            ln: [0.01, 0.5, 1.0, 2.0, 1e4];
            ln_1p: [-0.9, -0.5, 0.0, 1e-4, 3.0, 100.0];
            log2: [0.01, 0.5, 1.0, 8.0, 1e3];
            log10: [0.01, 0.5, 1.0, 8.0, 1e3];
            sqrt: [0.01, 0.25, 1.0, 2.0, 1e4];
            cbrt: [-8.0, -0.5, 0.01, 0.3, 27.0, 1e6];
            recip: [-4.0, -0.5, 0.3, 2.0, 100.0];
            abs: [-3.0, -0.5, 0.2, 7.0];
            signum: [-3.0, -0.5, 0.2, 7.0];
            floor: [-2.3, -0.7, 0.2, 1.6, 3.9];
            ceil: [-2.3, -0.7, 0.2, 1.6, 3.9];
            round: [-2.3, -0.7, 0.2, 1.6, 3.9];
            trunc: [-2.3, -0.7, 0.2, 1.6, 3.9];
            fract: [-2.3, -0.7, 0.2, 1.6, 3.9];
            to_degrees: [-3.0, 0.0, 1.0, 180.0];
            to_radians: [-3.0, 0.0, 1.0, 180.0];
        }
    };
}
