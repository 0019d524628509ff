//! The condition language of lesson steps (docs/LESSONS.md has the user's
//! version): a comparison of a run's metrics, optionally over a window of
//! simulated time.
//!
//! ```text
//! check   := expr [window]
//! expr    := and ("or" and)*
//! and     := not ("and" not)*
//! not     := "not" not | cmp
//! cmp     := sum OP sum                      OP: == != < <= > >=
//! sum     := prod (("+" | "-") prod)*
//! prod    := unary (("*" | "/") unary)*
//! unary   := "-" unary | NUMBER [% | ms | s] | PATH | "(" sum ")" | "(" expr ")"
//! window  := "while" ID "is" ("down" | "faulty")
//!          | "during" TIME ".." TIME | "after" TIME | "before" TIME
//! ```
//!
//! A PATH names a metric of the report (`messages.lost`,
//! `nodes.pay.failed`, `nodes.pay.latency_ms.p99`, `breakers.l2.opened`,
//! `run.seconds`); in a comparison lesson it may start with `a.` or `b.`.
//! Ids may contain `-`, so subtraction needs spaces (`a - b`).
//!
//! Parsing knows no scenario; [`Check::resolve`] then names every node,
//! link, fault window and metric that does not exist, so a lesson with a
//! typo fails its test with a message instead of reading zero.

use std::fmt;

/// Which run of a comparison a metric comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    A,
    B,
}

impl Variant {
    pub fn index(self) -> usize {
        match self {
            Variant::A => 0,
            Variant::B => 1,
        }
    }

    pub fn letter(self) -> &'static str {
        match self {
            Variant::A => "a",
            Variant::B => "b",
        }
    }
}

/// A metric as written: the variant and the dotted path after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    pub variant: Variant,
    /// Whether the text named the variant (`b.messages.lost`).
    pub explicit: bool,
    pub path: Vec<String>,
}

impl Metric {
    pub fn path_text(&self) -> String {
        self.path.join(".")
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.explicit {
            write!(f, "{}.", self.variant.letter())?;
        }
        write!(f, "{}", self.path_text())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn text(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub fn holds(self, a: f64, b: f64) -> bool {
        // Metrics are counts or milliseconds printed to a few digits:
        // equality within a part in a billion, so 0.1 + 0.2 == 0.3.
        let eq = (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
        match self {
            CmpOp::Eq => eq,
            CmpOp::Ne => !eq,
            CmpOp::Lt => a < b && !eq,
            CmpOp::Le => a < b || eq,
            CmpOp::Gt => a > b && !eq,
            CmpOp::Ge => a > b || eq,
        }
    }
}

/// A number-valued expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    Metric(Metric),
    Neg(Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
}

/// A truth-valued expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Cmp(Expr, CmpOp, Expr),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// Over which simulated time a check's counts are taken.
#[derive(Clone, Debug, PartialEq)]
pub enum Window {
    /// While a node is down (its crash faults).
    Down(String),
    /// While a node or link has any fault.
    Faulty(String),
    /// `[from, to)`, microseconds.
    During(u64, u64),
    /// From this time to the end of the run.
    After(u64),
    /// From the start to this time.
    Before(u64),
}

/// A parsed condition with its window.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub cond: Cond,
    pub window: Option<Window>,
    /// The text it was parsed from.
    pub source: String,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

// ---- lexing ----

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Word(String),
    Op(&'static str),
    Open,
    Close,
    Range,
}

const OPS: [&str; 10] = ["==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/"];

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'
}

fn lex(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::Open);
            i += 1;
        } else if c == ')' {
            out.push(Tok::Close);
            i += 1;
        } else if c == '.' && chars.get(i + 1) == Some(&'.') {
            out.push(Tok::Range);
            i += 2;
        } else if c == '%' {
            out.push(Tok::Word("%".into()));
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '_') {
                i += 1;
            }
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let s: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            // JSON numbers have no leading zeros: `007` reads as `7`.
            let s = match s.trim_start_matches('0') {
                t if t.is_empty() || t.starts_with('.') => format!("0{t}"),
                t => t.to_string(),
            };
            // serde_json's number parser (already in the app) over core's.
            let v: f64 = crate::engine::format::json::read(&s).map_err(|_| format!("`{s}` is not a number"))?;
            out.push(Tok::Num(v));
            // A unit written against the number (`20s`, `500ms`).
            if i < chars.len() && chars[i].is_ascii_alphabetic() {
                let us = i;
                while i < chars.len() && chars[i].is_ascii_alphabetic() {
                    i += 1;
                }
                out.push(Tok::Word(chars[us..i].iter().collect()));
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && is_word_char(chars[i]) {
                // `x..y` is a range, not part of a word.
                if chars[i] == '.' && chars.get(i + 1) == Some(&'.') {
                    break;
                }
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        } else if let Some(op) = OPS.iter().find(|op| text_at(&chars, i).starts_with(**op)) {
            out.push(Tok::Op(op));
            i += op.len();
        } else if c == '=' {
            return Err("use `==` to compare (a single `=` is not an operator)".into());
        } else {
            return Err(format!("unexpected `{c}`"));
        }
    }
    Ok(out)
}

fn text_at(chars: &[char], i: usize) -> String {
    chars[i..chars.len().min(i + 2)].iter().collect()
}

// ---- parsing ----

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.is_word(w) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, w: &str, context: &str) -> Result<(), String> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(format!("expected `{w}` {context}"))
        }
    }

    fn is_window_start(&self) -> bool {
        ["while", "during", "after", "before"].iter().any(|w| self.is_word(w))
    }

    fn cond(&mut self) -> Result<Cond, String> {
        let mut left = self.and()?;
        while self.eat_word("or") {
            left = Cond::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Cond, String> {
        let mut left = self.not()?;
        while self.eat_word("and") {
            left = Cond::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Cond, String> {
        if self.eat_word("not") {
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        // `(` may open a condition or a sum: try the condition first.
        if self.peek() == Some(&Tok::Open) {
            let save = self.at;
            self.at += 1;
            if let Ok(c) = self.cond() {
                if self.peek() == Some(&Tok::Close) {
                    self.at += 1;
                    if !matches!(self.peek(), Some(Tok::Op(_))) {
                        return Ok(c);
                    }
                }
            }
            self.at = save;
        }
        let left = self.sum()?;
        let op = match self.next() {
            Some(Tok::Op("==")) => CmpOp::Eq,
            Some(Tok::Op("!=")) => CmpOp::Ne,
            Some(Tok::Op("<")) => CmpOp::Lt,
            Some(Tok::Op("<=")) => CmpOp::Le,
            Some(Tok::Op(">")) => CmpOp::Gt,
            Some(Tok::Op(">=")) => CmpOp::Ge,
            Some(t) => return Err(format!("expected a comparison (==, !=, <, <=, >, >=), found {}", tok_text(&t))),
            None => return Err("expected a comparison (==, !=, <, <=, >, >=) at the end".into()),
        };
        let right = self.sum()?;
        Ok(Cond::Cmp(left, op, right))
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut left = self.prod()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op("+")) => ArithOp::Add,
                Some(Tok::Op("-")) => ArithOp::Sub,
                _ => return Ok(left),
            };
            self.at += 1;
            left = Expr::Arith(op, Box::new(left), Box::new(self.prod()?));
        }
    }

    fn prod(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op("*")) => ArithOp::Mul,
                Some(Tok::Op("/")) => ArithOp::Div,
                _ => return Ok(left),
            };
            self.at += 1;
            left = Expr::Arith(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Op("-")) => Ok(Expr::Neg(Box::new(self.unary()?))),
            Some(Tok::Num(v)) => {
                let scale = match self.peek() {
                    Some(Tok::Word(w)) if w == "%" => 0.01,
                    Some(Tok::Word(w)) if w == "ms" => 1.0,
                    Some(Tok::Word(w)) if w == "s" => 1000.0,
                    _ => return Ok(Expr::Num(v)),
                };
                self.at += 1;
                Ok(Expr::Num(v * scale))
            }
            Some(Tok::Open) => {
                let e = self.sum()?;
                match self.next() {
                    Some(Tok::Close) => Ok(e),
                    _ => Err("a `(` is not closed".into()),
                }
            }
            Some(Tok::Word(w)) if is_keyword(&w) => Err(format!("expected a number or a metric, found `{w}`")),
            Some(Tok::Word(w)) => metric(&w).map(Expr::Metric),
            Some(t) => Err(format!("expected a number or a metric, found {}", tok_text(&t))),
            None => Err("expected a number or a metric at the end".into()),
        }
    }

    fn window(&mut self) -> Result<Window, String> {
        if self.eat_word("while") {
            let id = match self.next() {
                Some(Tok::Word(w)) if !is_keyword(&w) => w,
                _ => return Err("expected a node id after `while`".into()),
            };
            self.expect_word("is", &format!("after `while {id}`"))?;
            return match self.next() {
                Some(Tok::Word(w)) if w == "down" => Ok(Window::Down(id)),
                Some(Tok::Word(w)) if w == "faulty" => Ok(Window::Faulty(id)),
                _ => Err(format!("expected `down` or `faulty` after `while {id} is`")),
            };
        }
        if self.eat_word("during") {
            let from = self.time("during")?;
            if self.next() != Some(Tok::Range) {
                return Err("expected `..` between the two times of `during` (e.g. `during 20s..35s`)".into());
            }
            let to = self.time("during")?;
            if to <= from {
                return Err("the window of `during` must end after it starts".into());
            }
            return Ok(Window::During(from, to));
        }
        if self.eat_word("after") {
            return Ok(Window::After(self.time("after")?));
        }
        if self.eat_word("before") {
            return Ok(Window::Before(self.time("before")?));
        }
        Err("expected a window (while, during, after, before)".into())
    }

    /// A time with its unit (`20s`, `1500 ms`), in microseconds.
    fn time(&mut self, after: &str) -> Result<u64, String> {
        let v = match self.next() {
            Some(Tok::Num(v)) => v,
            _ => return Err(format!("expected a time after `{after}` (e.g. 20s or 1500ms)")),
        };
        let ms = match self.next() {
            Some(Tok::Word(w)) if w == "s" => v * 1000.0,
            Some(Tok::Word(w)) if w == "ms" => v,
            _ => return Err(format!("a time after `{after}` needs its unit, s or ms (e.g. {v}s)")),
        };
        if !(ms.is_finite() && (0.0..=86_400_000.0).contains(&ms)) {
            return Err(format!("{ms} ms is outside one simulated day"));
        }
        Ok((ms * 1000.0).round() as u64)
    }
}

fn is_keyword(w: &str) -> bool {
    matches!(w, "and" | "or" | "not" | "while" | "during" | "after" | "before" | "is" | "%" | "ms" | "s")
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Num(v) => format!("`{v}`"),
        Tok::Word(w) => format!("`{w}`"),
        Tok::Op(o) => format!("`{o}`"),
        Tok::Open => "`(`".into(),
        Tok::Close => "`)`".into(),
        Tok::Range => "`..`".into(),
    }
}

fn metric(word: &str) -> Result<Metric, String> {
    let mut parts: Vec<String> = word.split('.').map(str::to_string).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("`{word}` is not a metric path (empty part between dots)"));
    }
    let (variant, explicit) = match parts[0].as_str() {
        "a" if parts.len() > 1 => (Variant::A, true),
        "b" if parts.len() > 1 => (Variant::B, true),
        _ => (Variant::A, false),
    };
    if explicit {
        parts.remove(0);
    }
    Ok(Metric { variant, explicit, path: parts })
}

impl Check {
    /// Parses a condition; the message says what is wrong where.
    pub fn parse(text: &str) -> Result<Check, String> {
        let toks = lex(text)?;
        if toks.is_empty() {
            return Err("the condition is empty".into());
        }
        let mut p = Parser { toks, at: 0 };
        let cond = p.cond()?;
        let window = if p.is_window_start() { Some(p.window()?) } else { None };
        if let Some(t) = p.peek() {
            return Err(format!("unexpected {} after the condition", tok_text(t)));
        }
        Ok(Check { cond, window, source: text.trim().to_string() })
    }

    /// Every metric the check reads, in order of appearance.
    pub fn metrics(&self) -> Vec<&Metric> {
        let mut out = Vec::new();
        cond_metrics(&self.cond, &mut out);
        out
    }

    /// Whether the check, once true, stays true as the run goes on: a sum
    /// of counts compared with `>` or `>=` to a constant (or several such
    /// joined by `and`/`or`). Those may tick the moment they hold; the rest
    /// are judged at one instant.
    pub fn is_monotone(&self) -> bool {
        self.window.is_none() && cond_monotone(&self.cond)
    }
}

fn cond_metrics<'a>(c: &'a Cond, out: &mut Vec<&'a Metric>) {
    match c {
        Cond::Cmp(a, _, b) => {
            expr_metrics(a, out);
            expr_metrics(b, out);
        }
        Cond::And(a, b) | Cond::Or(a, b) => {
            cond_metrics(a, out);
            cond_metrics(b, out);
        }
        Cond::Not(a) => cond_metrics(a, out),
    }
}

fn expr_metrics<'a>(e: &'a Expr, out: &mut Vec<&'a Metric>) {
    match e {
        Expr::Num(_) => {}
        Expr::Metric(m) => out.push(m),
        Expr::Neg(a) => expr_metrics(a, out),
        Expr::Arith(_, a, b) => {
            expr_metrics(a, out);
            expr_metrics(b, out);
        }
    }
}

fn cond_monotone(c: &Cond) -> bool {
    match c {
        Cond::Cmp(a, CmpOp::Gt | CmpOp::Ge, Expr::Num(_)) => grows(a),
        Cond::Cmp(Expr::Num(_), CmpOp::Lt | CmpOp::Le, b) => grows(b),
        Cond::And(a, b) | Cond::Or(a, b) => cond_monotone(a) && cond_monotone(b),
        _ => false,
    }
}

/// Non-decreasing over a run: counts, and sums and positive multiples of them.
fn grows(e: &Expr) -> bool {
    match e {
        Expr::Metric(m) => super::metrics::is_count(&m.path),
        Expr::Num(v) => *v >= 0.0,
        Expr::Arith(ArithOp::Add, a, b) => grows(a) && grows(b),
        Expr::Arith(ArithOp::Mul, a, b) => {
            (grows(a) && matches!(**b, Expr::Num(v) if v >= 0.0))
                || (grows(b) && matches!(**a, Expr::Num(v) if v >= 0.0))
        }
        Expr::Arith(ArithOp::Div, a, b) => grows(a) && matches!(**b, Expr::Num(v) if v > 0.0),
        _ => false,
    }
}

/// Evaluates a number expression with `value` giving each metric.
pub fn eval_expr(e: &Expr, value: &mut dyn FnMut(&Metric) -> Result<f64, String>) -> Result<f64, String> {
    Ok(match e {
        Expr::Num(v) => *v,
        Expr::Metric(m) => value(m)?,
        Expr::Neg(a) => -eval_expr(a, value)?,
        Expr::Arith(op, a, b) => {
            let (x, y) = (eval_expr(a, value)?, eval_expr(b, value)?);
            match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div if y == 0.0 => return Err("division by zero (nothing measured yet)".into()),
                ArithOp::Div => x / y,
            }
        }
    })
}

/// Evaluates a condition with `value` giving each metric.
pub fn eval_cond(c: &Cond, value: &mut dyn FnMut(&Metric) -> Result<f64, String>) -> Result<bool, String> {
    Ok(match c {
        Cond::Cmp(a, op, b) => op.holds(eval_expr(a, value)?, eval_expr(b, value)?),
        Cond::And(a, b) => eval_cond(a, value)? && eval_cond(b, value)?,
        Cond::Or(a, b) => eval_cond(a, value)? || eval_cond(b, value)?,
        Cond::Not(a) => !eval_cond(a, value)?,
    })
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(m: &Metric) -> Result<f64, String> {
        match m.path_text().as_str() {
            "messages.lost" => Ok(600.0),
            "nodes.pay.failed" => Ok(0.0),
            "requests.ok" => Ok(95.0),
            "requests.started" => Ok(100.0),
            other => Err(format!("unknown {other}")),
        }
    }

    fn holds(text: &str) -> bool {
        let c = Check::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        eval_cond(&c.cond, &mut value_of).unwrap()
    }

    #[test]
    fn comparisons_arithmetic_and_logic() {
        assert!(holds("messages.lost > 500"));
        assert!(holds("nodes.pay.failed == 0 and messages.lost >= 600"));
        assert!(holds("requests.ok / requests.started >= 95%"));
        assert!(!holds("requests.ok / requests.started > 95%"));
        assert!(holds("not (messages.lost < 10) or nodes.pay.failed > 1"));
        assert!(holds("(requests.started - requests.ok) * 2 == 10"));
        assert!(holds("2 s == 2000"));
        assert!(holds("007 == 7 and 0.5 == 1 / 2 and 1_000 == 1000"));
    }

    #[test]
    fn windows_parse_with_their_units() {
        let c = Check::parse("nodes.pay.failed == 0 while sms is down").unwrap();
        assert_eq!(c.window, Some(Window::Down("sms".into())));
        let c = Check::parse("messages.lost > 0 during 20s..35.5s").unwrap();
        assert_eq!(c.window, Some(Window::During(20_000_000, 35_500_000)));
        let c = Check::parse("messages.lost > 0 after 1500ms").unwrap();
        assert_eq!(c.window, Some(Window::After(1_500_000)));
        let c = Check::parse("b.nodes.sms-q.failed > 0 while sms-q is faulty").unwrap();
        assert_eq!(c.window, Some(Window::Faulty("sms-q".into())));
        assert_eq!(c.metrics()[0].variant, Variant::B);
        assert_eq!(c.metrics()[0].path_text(), "nodes.sms-q.failed");
    }

    #[test]
    fn mistakes_are_named() {
        let e = |t: &str| Check::parse(t).unwrap_err();
        assert!(e("messages.lost = 5").contains("=="));
        assert!(e("messages.lost").contains("comparison"));
        assert!(e("messages.lost > ").contains("number or a metric"));
        assert!(e("messages.lost > 5 while sms").contains("`is`"));
        assert!(e("messages.lost > 5 during 20..30s").contains("unit"));
        assert!(e("messages.lost > 5 during 30s..20s").contains("end after"));
        assert!(e("(messages.lost > 5").contains("not closed") || e("(messages.lost > 5").contains("expected"));
        assert!(e("messages.lost > 5 5").contains("unexpected"));
        assert!(e("").contains("empty"));
        assert!(e("messages..lost > 1").contains("range") || e("messages..lost > 1").contains("expected"));
    }

    #[test]
    fn only_growing_counts_compared_upwards_are_monotone() {
        let m = |t: &str| Check::parse(t).unwrap().is_monotone();
        assert!(m("messages.lost > 500"));
        assert!(m("nodes.pay.completed + nodes.pay.failed >= 10 and requests.ok > 1"));
        assert!(!m("messages.lost < 500"));
        assert!(!m("nodes.pay.latency_ms.p99 > 100"));
        assert!(!m("messages.lost > 5 while sms is down"));
        assert!(!m("requests.ok / requests.started > 0.9"));
        assert!(!m("nodes.q.waiting > 10"));
    }
}
