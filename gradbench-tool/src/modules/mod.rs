//! The GradBench modules this tool implements, and the dispatch from names to functions.

pub mod ba;
pub mod det;
pub mod gmm;
pub mod hello;
pub mod ht;
pub mod kmeans;
pub mod llsq;
pub mod lse;
pub mod lstm;
pub mod nested;
pub mod ode;
pub mod particle;
pub mod saddle;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::protocol::Evaluation;

/// The module names `define` accepts.
pub const MODULES: [&str; 12] = [
    "ba", "det", "gmm", "hello", "ht", "kmeans", "llsq", "lse", "lstm", "ode", "particle", "saddle",
];

/// Whether this tool implements the module called `name`.
pub fn is_known(name: &str) -> bool {
    MODULES.contains(&name)
}

/// Evaluates `function` of `module` at `input`, timed as the protocol asks; an unknown
/// module or function, or an input of the wrong shape, is an `Err` with a message.
pub fn evaluate(module: &str, function: &str, input: Value) -> Evaluation {
    match module {
        "ba" => ba::evaluate(function, input),
        "det" => det::evaluate(function, input),
        "gmm" => gmm::evaluate(function, input),
        "hello" => hello::evaluate(function, input),
        "ht" => ht::evaluate(function, input),
        "kmeans" => kmeans::evaluate(function, input),
        "llsq" => llsq::evaluate(function, input),
        "lse" => lse::evaluate(function, input),
        "lstm" => lstm::evaluate(function, input),
        "ode" => ode::evaluate(function, input),
        "particle" => particle::evaluate(function, input),
        "saddle" => saddle::evaluate(function, input),
        _ => Err(format!("unknown module {module:?}")),
    }
}

/// Decodes a module's input, turning serde's complaint into the response's error text.
fn parse_input<T: DeserializeOwned>(module: &str, input: Value) -> Result<T, String> {
    serde_json::from_value(input).map_err(|err| format!("invalid {module} input: {err}"))
}

/// The error for a function name a module does not have.
fn unknown_function(module: &str, function: &str) -> String {
    format!("module {module:?} has no function {function:?}")
}
