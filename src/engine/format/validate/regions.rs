//! Validation of regions: node `region`, the scenario's `regions` pairs and
//! `region:NAME` fault targets. Every message names the node, pair or fault
//! and the field.

use super::super::defaults::caps;
use super::super::regions;
use super::super::scenario::*;
use super::{shown, Place, Validator};
use std::collections::BTreeSet;

impl Validator {
    pub(super) fn regions(&mut self, s: &Scenario) {
        let top = Place::Scenario;
        // Sets filled by `extend`, not `collect` (which sorts: see load::name_links).
        let mut used = BTreeSet::new();
        used.extend(regions::used(s));
        let mut paired = BTreeSet::new();
        paired.extend(s.regions.iter().flat_map(|(a, b, _)| [a.as_str(), b.as_str()]));
        for n in &s.nodes {
            let Some(r) = regions::of(n) else { continue };
            let p = Place::Node(n.id.clone());
            if !regions::name_is_valid(r) {
                self.err(&p, Some("region"), format!("`{r}` is not a region name: 1 to 64 of A-Z a-z 0-9 _ -"));
            } else if !s.regions.is_empty() && !paired.contains(r) {
                let known: Vec<&str> = paired.iter().copied().collect();
                self.err(
                    &p,
                    Some("region"),
                    format!(
                        "unknown region `{r}`: no pair in `regions` names it (the regions are {}); add a pair such as [\"{r}\", \"{}\", 50]",
                        known.join(", "),
                        known.first().copied().unwrap_or("us")
                    ),
                );
            }
        }
        let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
        for (i, (a, b, ms)) in s.regions.iter().enumerate() {
            let field = format!("regions[{i}]");
            let name = format!("regions[{i}] ({a}, {b})");
            for r in [a, b] {
                if !regions::name_is_valid(r) {
                    self.err(&top, Some(&field), format!("`{r}` is not a region name: 1 to 64 of A-Z a-z 0-9 _ -"));
                } else if !used.contains(r.as_str()) {
                    // A warning: deleting a region's last node must not make
                    // the document refuse every other edit.
                    self.warn(&top, Some(&field), format!("no node is in region `{r}`: the pair adds nothing"));
                }
            }
            if a == b {
                self.err(
                    &top,
                    Some(&field),
                    format!(
                        "{name}: a pair needs two different regions (within a region, links keep their own latency_ms)"
                    ),
                );
            }
            if !ms.is_finite() {
                self.err(&top, Some(&field), format!("{name}: the latency must be a finite number of ms"));
            } else if *ms < 0.0 {
                self.err(&top, Some(&field), format!("{name}: the latency must not be negative (got {})", shown(*ms)));
            } else if *ms > caps::ANY_MS {
                self.err(
                    &top,
                    Some(&field),
                    format!("{name}: {} ms is above the limit of {}", shown(*ms), caps::ANY_MS),
                );
            }
            let key = if a <= b { (a.as_str(), b.as_str()) } else { (b.as_str(), a.as_str()) };
            if !seen.insert(key) {
                self.err(
                    &top,
                    Some(&field),
                    format!("{name}: a second pair for the same two regions (a pair counts both ways)"),
                );
            }
        }
        if s.regions.len() > caps::LINKS {
            self.err(&top, Some("regions"), format!("{} pairs is above the limit of {}", s.regions.len(), caps::LINKS));
        }
    }

    /// A fault on `region:NAME`; false when the target is not of that form.
    pub(super) fn region_fault(&mut self, i: usize, f: &FaultSpec, s: &Scenario) -> bool {
        let Some(r) = regions::split_target(&f.target) else {
            return false;
        };
        let p = Place::Fault(i);
        if !s.nodes.iter().any(|n| regions::of(n) == Some(r)) {
            let used = regions::used(s);
            let known = if used.is_empty() {
                "no node has a region".to_string()
            } else {
                format!("the regions are {}", used.join(", "))
            };
            self.err(&p, Some("target"), format!("no node is in region `{r}` ({known})"));
        }
        if f.kind == FaultKind::Replay {
            self.err(&p, Some("kind"), "`replay` applies to a log subscription, not to a region");
        }
        true
    }
}
