//! Where a JSON text's strings are, character by character: what the pretty
//! printer (`format::json`) and the lesson minifier (`build.rs`, which mounts
//! this file by path) leave untouched. No crate paths here for that reason.

/// Follows a JSON text one character at a time.
#[derive(Default)]
pub struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// Takes the next character; whether it belongs to a string, its quotes
    /// included (so it must be copied as it is).
    pub fn step(&mut self, c: char) -> bool {
        if self.inside {
            if self.escaped {
                self.escaped = false;
            } else if c == '\\' {
                self.escaped = true;
            } else if c == '"' {
                self.inside = false;
            }
            true
        } else {
            self.inside = c == '"';
            self.inside
        }
    }
}
