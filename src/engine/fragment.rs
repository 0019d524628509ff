//! The parts of a share link's fragment (after `#`), joined by `&`:
//!
//! - the scenario, `s1.<data>` (the codec's; always first when present),
//! - `b=s1.<data>`: variant B of a comparison,
//! - `lesson=NAME` and `step=N` (1-based): a lesson open at a step, so a
//!   teacher can send "lesson 4, step 3".
//! - `embed`: open as a read-only player sized for an iframe (the diagram,
//!   the run controls, the lesson if any, and a link to the full editor).
//!
//! `#s1.<data>` alone is the link format from before lessons and keeps
//! opening as it did. Base64url never contains `&` or `=`, so the parts
//! split unambiguously. Each part is read on its own: a broken part is
//! reported and the others still open.

/// A fragment split into its parts (raw text; nothing decoded yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fragment {
    /// The scenario's `s1.…` payload.
    pub scenario: Option<String>,
    /// Variant B's `s1.…` payload.
    pub b: Option<String>,
    pub lesson: Option<String>,
    /// The `step` part as written (validated by whoever opens the lesson).
    pub step: Option<String>,
    /// The `embed` part: a read-only player.
    pub embed: bool,
    /// Parts this build does not know, kept for the message.
    pub unknown: Vec<String>,
}

impl Fragment {
    /// Splits a link, a `#fragment` or a bare fragment.
    pub fn parse(text: &str) -> Fragment {
        let text = text.trim();
        let fragment = match text.find('#') {
            Some(i) => &text[i + 1..],
            None => text,
        };
        let mut f = Fragment::default();
        for (i, part) in fragment.split('&').enumerate() {
            if part.is_empty() {
                continue;
            }
            match part.split_once('=') {
                Some(("b", v)) => f.b = Some(v.to_string()),
                Some(("lesson", v)) => f.lesson = Some(v.to_string()),
                Some(("step", v)) => f.step = Some(v.to_string()),
                Some(_) => f.unknown.push(part.chars().take(40).collect()),
                None if part == "embed" => f.embed = true,
                None if i == 0 => f.scenario = Some(part.to_string()),
                None => f.unknown.push(part.chars().take(40).collect()),
            }
        }
        f
    }

    /// The fragment text (without `#`).
    pub fn render(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(s) = &self.scenario {
            parts.push(s.clone());
        }
        if let Some(b) = &self.b {
            parts.push(format!("b={b}"));
        }
        if let Some(l) = &self.lesson {
            parts.push(format!("lesson={l}"));
        }
        if let Some(s) = &self.step {
            parts.push(format!("step={s}"));
        }
        if self.embed {
            parts.push("embed".into());
        }
        parts.join("&")
    }

    /// The step as a 1-based number, or why it is not one.
    pub fn step_number(&self) -> Option<Result<usize, String>> {
        let s = self.step.as_ref()?;
        Some(match s.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!("`step={}` is not a step number (1, 2, 3...)", s.chars().take(20).collect::<String>())),
        })
    }
}

/// Just the scenario part of a fragment (what `codec::decode` reads).
pub fn scenario_part(fragment: &str) -> &str {
    fragment.split('&').next().unwrap_or(fragment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_links_are_one_part() {
        let f = Fragment::parse("http://x/#s1.abc-_09");
        assert_eq!(f.scenario.as_deref(), Some("s1.abc-_09"));
        assert!(f.b.is_none() && f.lesson.is_none() && f.unknown.is_empty());
        assert_eq!(f.render(), "s1.abc-_09");
    }

    #[test]
    fn parts_round_trip() {
        let f = Fragment::parse("#s1.AAA&b=s1.BBB&lesson=sync-vs-async&step=3");
        assert_eq!(f.b.as_deref(), Some("s1.BBB"));
        assert_eq!(f.lesson.as_deref(), Some("sync-vs-async"));
        assert_eq!(f.step_number(), Some(Ok(3)));
        assert_eq!(Fragment::parse(&f.render()), f);
        let g = Fragment::parse("lesson=booking-saga&step=2");
        assert!(g.scenario.is_none());
        assert_eq!(g.lesson.as_deref(), Some("booking-saga"));
    }

    #[test]
    fn embed_is_a_part_of_its_own() {
        let f = Fragment::parse("#s1.AAA&lesson=retry-storm&embed");
        assert!(f.embed);
        assert_eq!(f.scenario.as_deref(), Some("s1.AAA"));
        assert_eq!(f.lesson.as_deref(), Some("retry-storm"));
        assert!(f.unknown.is_empty());
        assert_eq!(f.render(), "s1.AAA&lesson=retry-storm&embed");
        assert!(!Fragment::parse("#s1.AAA").embed);
        assert_eq!(scenario_part("s1.AAA&embed"), "s1.AAA");
    }

    #[test]
    fn odd_parts_are_kept_for_the_message() {
        let f = Fragment::parse("#s1.AAA&colour=red&step=zero");
        assert_eq!(f.unknown, vec!["colour=red".to_string()]);
        assert!(f.step_number().unwrap().is_err());
        assert_eq!(scenario_part("s1.AAA&b=s1.B"), "s1.AAA");
    }
}
