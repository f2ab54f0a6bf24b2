//! GradBench's messages and responses, and the timing convention for `evaluate`.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::modules;

/// One entry of a response's `timings` list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timing {
    /// What was timed; `"evaluate"` is the function itself.
    pub name: &'static str,
    /// How long it took.
    pub nanoseconds: u128,
}

/// The `min_runs` / `min_seconds` fields many evals put in an `evaluate` input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct Runs {
    /// Run the function at least this many times (at least once in any case).
    #[serde(default)]
    pub min_runs: u64,
    /// Keep running until the accumulated time exceeds this many seconds.
    #[serde(default)]
    pub min_seconds: f64,
}

/// Runs `f` as `runs` asks: at least `min_runs` times (and at least once) and until the
/// accumulated time reaches `min_seconds`, whichever is longer. Returns the last result and
/// one `"evaluate"` timing per run.
pub fn run_timed<T>(runs: Runs, mut f: impl FnMut() -> T) -> (T, Vec<Timing>) {
    let mut timings = Vec::new();
    let mut total = 0.0;
    loop {
        let start = Instant::now();
        let result = std::hint::black_box(f());
        let elapsed = start.elapsed();
        total += elapsed.as_secs_f64();
        timings.push(Timing {
            name: "evaluate",
            nanoseconds: elapsed.as_nanos(),
        });
        // Comparing floats (rather than building a `Duration`) keeps a negative or NaN
        // `min_seconds` from panicking: both simply stop the loop.
        let enough_runs = timings.len() as u64 >= runs.min_runs;
        let enough_time = total >= runs.min_seconds || runs.min_seconds.is_nan();
        if enough_runs && enough_time {
            return (result, timings);
        }
    }
}

/// What a module function produced: its output and the timings of the runs.
pub type Evaluation = Result<(Value, Vec<Timing>), String>;

/// The fields of a message this tool looks at; the rest are ignored.
#[derive(Debug, Deserialize)]
struct Message {
    id: Value,
    kind: String,
    module: Option<String>,
    function: Option<String>,
    input: Option<Value>,
}

/// Answers one line of input (one JSON message) with one JSON response, never panicking on
/// bad input: malformed messages get `success: false` and an `error`.
pub fn respond(line: &[u8]) -> Value {
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(err) => return failure(Value::Null, format!("malformed JSON message: {err}")),
    };
    // Recover the id first so that even an ill-formed message is answered under its own id.
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let message: Message = match serde_json::from_value(value) {
        Ok(message) => message,
        Err(err) => return failure(id, format!("invalid message: {err}")),
    };
    match message.kind.as_str() {
        "start" => json!({ "id": message.id, "tool": "autodiff" }),
        "define" => define(message),
        "evaluate" => evaluate(message),
        // The protocol asks only for an acknowledgement of `analysis` and any other kind.
        _ => json!({ "id": message.id }),
    }
}

fn define(message: Message) -> Value {
    let Some(module) = message.module else {
        return failure(message.id, "define message without a \"module\"".into());
    };
    if modules::is_known(&module) {
        json!({ "id": message.id, "success": true })
    } else {
        failure(message.id, format!("unknown module {module:?}"))
    }
}

fn evaluate(message: Message) -> Value {
    let (Some(module), Some(function), Some(input)) =
        (message.module, message.function, message.input)
    else {
        return failure(
            message.id,
            "evaluate message needs \"module\", \"function\" and \"input\"".into(),
        );
    };
    match modules::evaluate(&module, &function, input) {
        Ok((output, timings)) => json!({
            "id": message.id,
            "success": true,
            "output": output,
            "timings": timings,
        }),
        Err(error) => failure(message.id, error),
    }
}

fn failure(id: Value, error: String) -> Value {
    json!({ "id": id, "success": false, "error": error })
}
