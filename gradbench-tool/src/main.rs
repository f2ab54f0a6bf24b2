//! Speaks GradBench's tool protocol: one JSON message per line on stdin, one JSON response
//! per line on stdout, until end of input.

use std::io::{self, BufRead, Write};

fn main() {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut output = stdout.lock();
    // Raw bytes rather than `lines()`: invalid UTF-8 must become an error response, not
    // end the session.
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) => {
                eprintln!("gradbench-tool: cannot read stdin: {err}");
                break;
            }
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let response = gradbench_tool::protocol::respond(&line);
        // The eval waits for each response, so flush per line; a closed pipe ends the session.
        if writeln!(output, "{response}")
            .and_then(|()| output.flush())
            .is_err()
        {
            break;
        }
    }
}
