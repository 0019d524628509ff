//! The `crosstalk` command: see `crosstalk --help`.

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = crosstalk::runner::main_with(&args, &mut std::io::stdin().lock());
    // A closed pipe (`crosstalk run x | head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(out.stdout.as_bytes());
    let _ = std::io::stderr().write_all(out.stderr.as_bytes());
    std::process::exit(out.code);
}
