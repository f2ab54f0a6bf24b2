//! Speaks GradBench's tool protocol: one JSON message per line on stdin, one JSON response
//! per line on stdout, until end of input.

use std::io::{self, BufRead, Write};

fn main() {
    keep_freed_memory();
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

/// Asks glibc's allocator to keep memory that is freed, rather than give it back to the
/// system and take it again on the next run. An evaluation runs the same function many
/// times, each run allocating and freeing the same buffers (`ht`'s buffers of tangents are
/// hundreds of kilobytes); with glibc's defaults each run mapped them afresh, and page
/// faults took a fifth of `ht`'s time. GradBench's C++ tools keep their buffers between runs.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // Below glibc's largest mmap threshold (32 MiB on 64-bit): blocks up to it come from the
    // heap, and the heap is trimmed only when a gibibyte lies free at its top.
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    const TRIM_THRESHOLD: libc::c_int = 1 << 30;
    // SAFETY: `mallopt` only sets allocator parameters; it is called before any other thread
    // exists. A parameter it refuses leaves the default in place, which is only slower.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
