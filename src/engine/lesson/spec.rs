//! A lesson file: the scenario (or two, for a comparison), the story, the
//! steps and why it happens. docs/LESSONS.md describes the format.
//!
//! Reading a lesson checks everything a learner would trip over later: the
//! scenarios load and validate, every condition parses and names only
//! nodes, links and metrics that exist, every timed action matches a fault
//! of the scenario, every `set` names a field the editor can set.

use super::cond::Check;
use super::watch;
use crate::engine::format::{load, FaultKind, Scenario};
use serde_json::Value;

/// The lesson format version this build reads.
pub const LESSON_VERSION: u32 = 1;

/// The gallery's groups, in the order shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    Sync,
    Queues,
    Pubsub,
    Realtime,
    Sagas,
    Resilience,
    Scale,
}

impl Group {
    pub const ALL: [Group; 7] =
        [Group::Sync, Group::Queues, Group::Pubsub, Group::Realtime, Group::Sagas, Group::Resilience, Group::Scale];

    pub fn title(self) -> &'static str {
        match self {
            Group::Sync => "Sync calls",
            Group::Queues => "Queues",
            Group::Pubsub => "Pub/sub and streams",
            Group::Realtime => "Real-time to browsers",
            Group::Sagas => "Sagas and consistency",
            Group::Resilience => "Resilience",
            Group::Scale => "Scale",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Group::Sync => "sync",
            Group::Queues => "queues",
            Group::Pubsub => "pubsub",
            Group::Realtime => "realtime",
            Group::Sagas => "sagas",
            Group::Resilience => "resilience",
            Group::Scale => "scale",
        }
    }
}

/// What an action step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Do {
    /// Start the run (at the lesson's speed).
    Run,
    /// Run to the end as fast as possible.
    RunToEnd,
    /// The run pauses at `at_ms`.
    Pause,
    /// A node crashes at `at_ms` (a crash fault of the scenario).
    Crash,
    /// The crashed node comes back at `at_ms` (the end of that fault).
    Recover,
    /// A node slows down at `at_ms` (a slow fault of the scenario).
    Slow,
    /// A node starts failing at `at_ms` (an errors fault of the scenario).
    Errors,
    /// A field of the scenario changes (a new run starts).
    Set,
    /// The comparison view opens (variant B beside A).
    OpenB,
}

impl Do {
    /// Actions that happen at a time of the run (the run pauses before them).
    pub fn is_timed(self) -> bool {
        matches!(self, Do::Pause | Do::Crash | Do::Recover | Do::Slow | Do::Errors)
    }

    fn fault_kind(self) -> Option<FaultKind> {
        match self {
            Do::Crash | Do::Recover => Some(FaultKind::Crash),
            Do::Slow => Some(FaultKind::Slow),
            Do::Errors => Some(FaultKind::Errors),
            _ => None,
        }
    }
}

/// One step as written in the file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct StepSpec {
    /// What the learner reads.
    pub text: String,
    /// An action (`do`), or
    pub action: Option<Do>,
    /// an observation.
    pub check: Option<String>,
    /// Timed actions and observations judged at an instant.
    pub at_ms: Option<f64>,
    /// The node of crash/recover/slow/errors, the node or link of `set`.
    pub target: Option<String>,
    /// `set`: the field (the format's name, `retry.attempts` for nested ones).
    pub field: Option<String>,
    /// `set`: the new value.
    pub value: Option<Value>,
    /// `set` in a comparison: which variant changes ("a", "b" or "both";
    /// default a).
    pub variant: Option<String>,
    /// The button's text (actions), instead of the default one.
    pub button: Option<String>,
    /// `run`: simulated seconds per real second.
    pub speed: Option<f64>,
}

/// A step, read and checked.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Action(Action),
    Observe(Observe),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub text: String,
    pub what: Do,
    pub at_ms: Option<f64>,
    pub target: Option<String>,
    pub field: Option<String>,
    /// `set`: the value as the editor's field takes it (text).
    pub value: Option<String>,
    /// `set`: which variants change: [A, B].
    pub variants: [bool; 2],
    pub button: String,
    pub speed: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Observe {
    pub text: String,
    pub check: Check,
    pub at_ms: Option<f64>,
}

impl Step {
    pub fn text(&self) -> &str {
        match self {
            Step::Action(a) => &a.text,
            Step::Observe(o) => &o.text,
        }
    }
}

/// Reads the fields of one JSON object, refusing fields it does not know
/// (as the scenario format does). Hand-written rather than derived: the
/// app already carries `serde_json::Value`, and a derive would add its own
/// code to the download for every field.
struct Fields<'a> {
    map: &'a serde_json::Map<String, Value>,
    what: &'a str,
}

impl<'a> Fields<'a> {
    fn new(v: &'a Value, what: &'a str, known: &[&str]) -> Result<Fields<'a>, String> {
        let map = v.as_object().ok_or_else(|| format!("{what} is not a JSON object"))?;
        if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!("{what}: unknown field `{k}` (known: {})", known.join(", ")));
        }
        Ok(Fields { map, what })
    }

    fn text(&self, k: &str) -> Result<Option<String>, String> {
        match self.map.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("{}: `{k}` must be text", self.what)),
        }
    }

    fn need_text(&self, k: &str) -> Result<String, String> {
        self.text(k)?.ok_or_else(|| format!("{}: `{k}` is missing", self.what))
    }

    fn number(&self, k: &str) -> Result<Option<f64>, String> {
        match self.map.get(k) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| format!("{}: `{k}` must be a number", self.what)),
        }
    }

    fn texts(&self, k: &str) -> Result<Vec<String>, String> {
        let bad = || format!("{}: `{k}` must be a list of paragraphs (text)", self.what);
        let list = self.map.get(k).ok_or_else(|| format!("{}: `{k}` is missing", self.what))?;
        list.as_array().ok_or_else(bad)?.iter().map(|v| v.as_str().map(str::to_string).ok_or_else(bad)).collect()
    }

    fn choice<T: Copy>(&self, k: &str, options: &[(&str, T)]) -> Result<Option<T>, String> {
        let Some(t) = self.text(k)? else { return Ok(None) };
        options.iter().find(|(n, _)| *n == t).map(|(_, v)| Some(*v)).ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            format!("{}: `{k}` is one of {}, not `{t}`", self.what, names.join(", "))
        })
    }
}

const GROUPS: [(&str, Group); 7] = [
    ("sync", Group::Sync),
    ("queues", Group::Queues),
    ("pubsub", Group::Pubsub),
    ("realtime", Group::Realtime),
    ("sagas", Group::Sagas),
    ("resilience", Group::Resilience),
    ("scale", Group::Scale),
];

const DOS: [(&str, Do); 9] = [
    ("run", Do::Run),
    ("run_to_end", Do::RunToEnd),
    ("pause", Do::Pause),
    ("crash", Do::Crash),
    ("recover", Do::Recover),
    ("slow", Do::Slow),
    ("errors", Do::Errors),
    ("set", Do::Set),
    ("open_b", Do::OpenB),
];

fn read_step(v: &Value, what: &str) -> Result<StepSpec, String> {
    let known = ["text", "do", "check", "at_ms", "target", "field", "value", "variant", "button", "speed"];
    let f = Fields::new(v, what, &known)?;
    Ok(StepSpec {
        text: f.need_text("text")?,
        action: f.choice("do", &DOS)?,
        check: f.text("check")?,
        at_ms: f.number("at_ms")?,
        target: f.text("target")?,
        field: f.text("field")?,
        value: f.map.get("value").cloned(),
        variant: f.text("variant")?,
        button: f.text("button")?,
        speed: f.number("speed")?,
    })
}

/// A lesson file's fields, read.
struct LessonFile {
    name: String,
    title: String,
    group: Group,
    order: u32,
    summary: String,
    story: Vec<String>,
    scenario: Value,
    b: Option<Value>,
    labels: Option<[String; 2]>,
    steps: Vec<StepSpec>,
    why: Vec<String>,
    source: Option<String>,
}

/// A lesson, read and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub name: String,
    pub title: String,
    pub group: Group,
    pub order: u32,
    pub summary: String,
    pub story: Vec<String>,
    pub scenario: Scenario,
    /// Variant B of a comparison lesson.
    pub b: Option<Scenario>,
    /// What A and B are called in a comparison.
    pub labels: [String; 2],
    pub steps: Vec<Step>,
    pub why: Vec<String>,
    pub source: Option<String>,
}

/// Finds a scenario a lesson names instead of holding it (an example's key).
pub type Resolver<'a> = &'a dyn Fn(&str) -> Option<Scenario>;

fn scenario_of(v: Value, what: &str, resolve: Resolver) -> Result<Scenario, String> {
    let s = match v {
        Value::String(key) => resolve(&key).ok_or_else(|| format!("{what}: no example named `{key}`"))?,
        other => load::from_value(other).map_err(|e| format!("{what}: {e}"))?,
    };
    load::check(&s).map_err(|e| format!("{what}: {e}"))?;
    Ok(s)
}

impl Lesson {
    /// Reads a lesson file's text; every problem is a message naming the
    /// step and what is wrong.
    pub fn parse(text: &str, resolve: Resolver) -> Result<Lesson, String> {
        let raw: Value = serde_json::from_str(text).map_err(|e| format!("not a lesson file: {e}"))?;
        let known = [
            "lesson", "name", "title", "group", "order", "summary", "story", "scenario", "b", "labels", "steps", "why",
            "source",
        ];
        let name = raw.get("name").and_then(Value::as_str).unwrap_or("?").to_string();
        let what = format!("lesson `{name}`");
        let top = Fields::new(&raw, &what, &known)?;
        let version = top.number("lesson")?;
        if version != Some(f64::from(LESSON_VERSION)) {
            return Err(format!("{what}: `lesson` is the format version, {LESSON_VERSION} in this build"));
        }
        let who = |m: String| format!("{what}: {m}");
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(who("`name` is lowercase words joined by `-`".into()));
        }
        let labels = match top.map.get("labels") {
            None => None,
            Some(v) => match v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>()).as_deref() {
                Some([a, b]) => Some([a.to_string(), b.to_string()]),
                _ => return Err(who("`labels` names A and B: two texts".into())),
            },
        };
        let steps_raw =
            top.map.get("steps").and_then(Value::as_array).ok_or_else(|| who("`steps` must be a list".into()))?;
        let mut steps = Vec::with_capacity(steps_raw.len());
        for (i, v) in steps_raw.iter().enumerate() {
            steps.push(read_step(v, &format!("{what}: step {}", i + 1))?);
        }
        let f = LessonFile {
            name: name.clone(),
            title: top.need_text("title")?,
            group: top.choice("group", &GROUPS)?.ok_or_else(|| who("`group` is missing".into()))?,
            order: top.number("order")?.unwrap_or(0.0).max(0.0) as u32,
            summary: top.need_text("summary")?,
            story: top.texts("story")?,
            scenario: top.map.get("scenario").cloned().ok_or_else(|| who("`scenario` is missing".into()))?,
            b: top.map.get("b").cloned(),
            labels,
            steps,
            why: top.texts("why")?,
            source: top.text("source")?,
        };
        let scenario = scenario_of(f.scenario, "scenario", resolve).map_err(who)?;
        let b = f.b.map(|v| scenario_of(v, "b", resolve)).transpose().map_err(who)?;
        let labels = f.labels.unwrap_or_else(|| ["A".to_string(), "B".to_string()]);
        let mut lesson = Lesson {
            name: f.name.clone(),
            title: f.title,
            group: f.group,
            order: f.order,
            summary: f.summary,
            story: f.story,
            scenario,
            b,
            labels,
            steps: Vec::new(),
            why: f.why,
            source: f.source,
        };
        if !(1..=30).contains(&f.steps.len()) {
            return Err(who("a lesson has 1 to 30 steps".into()));
        }
        for (i, s) in f.steps.into_iter().enumerate() {
            let step = lesson.read_step(s).map_err(|e| who(format!("step {}: {e}", i + 1)))?;
            lesson.steps.push(step);
        }
        lesson.verify_phases().map_err(who)?;
        Ok(lesson)
    }

    pub fn is_comparison(&self) -> bool {
        self.b.is_some()
    }

    fn read_step(&self, s: StepSpec) -> Result<Step, String> {
        match (s.action, &s.check) {
            (Some(_), Some(_)) => return Err("a step is an action (`do`) or a `check`, not both".into()),
            (None, None) => return Err("a step needs `do` (an action) or `check` (an observation)".into()),
            (None, Some(text)) => {
                let check = Check::parse(text).map_err(|e| format!("`{text}`: {e}"))?;
                for (field, set) in
                    [("target", s.target.is_some()), ("field", s.field.is_some()), ("value", s.value.is_some())]
                {
                    if set {
                        return Err(format!("`{field}` belongs to actions, not checks"));
                    }
                }
                return Ok(Step::Observe(Observe { text: s.text, check, at_ms: s.at_ms }));
            }
            (Some(_), None) => {}
        }
        let what = s.action.unwrap_or(Do::Run);
        let variants = match s.variant.as_deref() {
            None | Some("a") => [true, false],
            Some("b" | "both") if self.b.is_none() => {
                return Err("`variant` names b, but the lesson has no variant b".into())
            }
            Some("b") => [false, true],
            Some("both") => [true, true],
            Some(v) => return Err(format!("`variant` is a, b or both, not `{v}`")),
        };
        if what.is_timed() && s.at_ms.is_none() {
            return Err(format!("`{}` happens at a time: give `at_ms`", do_name(what)));
        }
        if !what.is_timed() && s.at_ms.is_some() {
            return Err(format!("`{}` has no `at_ms`", do_name(what)));
        }
        let needs_target = what.fault_kind().is_some() || what == Do::Set;
        if needs_target != s.target.is_some() {
            return Err(if needs_target {
                format!("`{}` needs a `target`", do_name(what))
            } else {
                format!("`{}` has no `target`", do_name(what))
            });
        }
        if (what == Do::Set) != (s.field.is_some() && s.value.is_some()) {
            return Err(if what == Do::Set {
                "`set` needs a `field` and a `value`".into()
            } else {
                format!("`{}` has no `field` or `value`", do_name(what))
            });
        }
        if s.speed.is_some_and(|v| !(v.is_finite() && (0.1..=1000.0).contains(&v))) {
            return Err("`speed` is between 0.1 and 1000".into());
        }
        let value = s.value.map(|v| match v {
            Value::String(t) => t,
            other => other.to_string(),
        });
        let label = |id: &str| self.scenario.node(id).map(|n| n.display_name().to_string()).unwrap_or(id.to_string());
        let button = s.button.unwrap_or_else(|| match (what, &s.target) {
            (Do::Run, _) => "Start the run".into(),
            (Do::RunToEnd, _) => "Run to the end".into(),
            (Do::Pause, _) => "Continue".into(),
            (Do::Crash, Some(t)) => format!("Crash {}", label(t)),
            (Do::Recover, Some(t)) => format!("Recover {}", label(t)),
            (Do::Slow, Some(t)) => format!("Slow down {}", label(t)),
            (Do::Errors, Some(t)) => format!("Break {}", label(t)),
            (Do::Set, _) => "Make the change".into(),
            (Do::OpenB, _) => "Open the comparison".into(),
            _ => "Go".into(),
        });
        Ok(Step::Action(Action {
            text: s.text,
            what,
            at_ms: s.at_ms,
            target: s.target,
            field: s.field,
            value,
            variants,
            button,
            speed: s.speed,
        }))
    }

    /// The scenarios of phase `k` (after the first k `set` steps), given
    /// how to apply a `set`.
    pub fn phase_scenarios(&self, k: usize, apply: SetFn) -> Result<[Option<Scenario>; 2], String> {
        let mut out = [Some(self.scenario.clone()), self.b.clone()];
        for a in self.sets().take(k) {
            for (v, slot) in out.iter_mut().enumerate() {
                let Some(s) = slot.as_ref().filter(|_| a.variants[v]) else { continue };
                let next = apply(s, a).map_err(|e| {
                    format!("`set {}.{}`: {e}", a.target.as_deref().unwrap_or(""), a.field.as_deref().unwrap_or(""))
                })?;
                *slot = Some(next);
            }
        }
        Ok(out)
    }

    /// The `set` actions, in order.
    pub fn sets(&self) -> impl Iterator<Item = &Action> {
        self.steps.iter().filter_map(|s| match s {
            Step::Action(a) if a.what == Do::Set => Some(a),
            _ => None,
        })
    }

    /// The phase each step belongs to: how many `set` steps come before it.
    pub fn phase_of(&self, step: usize) -> usize {
        self.steps[..step.min(self.steps.len())]
            .iter()
            .filter(|s| matches!(s, Step::Action(a) if a.what == Do::Set))
            .count()
    }

    pub fn phases(&self) -> usize {
        self.sets().count() + 1
    }

    /// Checks each step against the scenario of its phase (without running).
    fn verify_phases(&self) -> Result<(), String> {
        // `set` is applied by the editor, which this layer does not know;
        // the field names are checked when the lesson runs. Here: timed
        // actions match faults, checks name what exists.
        for (i, step) in self.steps.iter().enumerate() {
            let scenarios = [Some(&self.scenario), self.b.as_ref()];
            let at = |m: String| format!("step {}: {m}", i + 1);
            match step {
                Step::Observe(o) => {
                    // Checks after a `set` may name what the set creates;
                    // they are verified on their phase when run.
                    if self.phase_of(i) == 0 {
                        watch::verify(&o.check, o.at_ms, scenarios).map_err(at)?;
                    }
                }
                Step::Action(a) => {
                    if let (Some(kind), Some(target), Some(t)) = (a.what.fault_kind(), &a.target, a.at_ms) {
                        let s = &self.scenario;
                        let found = s.faults.iter().any(|f| {
                            let end = f.for_ms.map(|d| f.at_ms + d);
                            f.target == *target
                                && f.kind == kind
                                && if a.what == Do::Recover { end == Some(t) } else { f.at_ms == t }
                        });
                        if !found {
                            let when = if a.what == Do::Recover { "ending" } else { "starting" };
                            return Err(at(format!(
                                "the scenario has no `{}` fault on `{target}` {when} at {t} ms (timed actions are faults of the scenario)",
                                kind.as_str()
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The pauses (µs, each the mark of a timed action) of phase `k`.
    pub fn action_marks(&self, phase: usize) -> Vec<(usize, u64)> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(i, _)| self.phase_of(*i) == phase)
            .filter_map(|(i, s)| match s {
                Step::Action(a) if a.what.is_timed() => {
                    a.at_ms.map(|ms| (i, crate::engine::kernel::clock::ms_to_us(ms)))
                }
                _ => None,
            })
            .collect()
    }
}

/// Applies a `set` action to a scenario (the editor's field setter).
pub type SetFn<'a> = &'a dyn Fn(&Scenario, &Action) -> Result<Scenario, String>;

pub fn do_name(d: Do) -> &'static str {
    match d {
        Do::Run => "run",
        Do::RunToEnd => "run_to_end",
        Do::Pause => "pause",
        Do::Crash => "crash",
        Do::Recover => "recover",
        Do::Slow => "slow",
        Do::Errors => "errors",
        Do::Set => "set",
        Do::OpenB => "open_b",
    }
}
