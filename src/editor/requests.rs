//! The list of requests in the results: one row per trace the engine keeps
//! (the most recent 2,000), newest first, filtered by outcome and shown a
//! page at a time.
//!
//! Rows are rebuilt only for traces that changed since the last look (the
//! engine says how many hops each has), so refreshing the list while a run
//! goes costs a lookup per kept trace, not a trace per kept trace.

use super::chart::fmt_ms;
use super::timeline::{self, Outcome};
use crate::engine::Sim;

/// Rows on one page of the list.
pub const PAGE_ROWS: usize = 50;

/// One request, as the list shows it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RequestRow {
    pub id: u64,
    pub outcome: Outcome,
    pub start_ms: f64,
    /// How long the client waited; `None` without an answer.
    pub took_ms: Option<f64>,
    pub hops: usize,
}

/// The rows of the traces a run keeps, cached between refreshes.
#[derive(Debug, Default)]
pub struct RequestLog {
    /// (hops when the row was made, the row), oldest trace first.
    rows: Vec<(usize, RequestRow)>,
}

impl RequestLog {
    /// Brings the rows up to date with `sim` and returns them newest first.
    pub fn refresh(&mut self, sim: &Sim) -> Vec<RequestRow> {
        let over = sim.is_finished();
        // Both the engine's ids and the cached rows run oldest first: one
        // walk pairs them, and traces no longer kept fall away.
        let mut cached = std::mem::take(&mut self.rows).into_iter().peekable();
        for id in sim.recent_traces() {
            while cached.next_if(|(_, r)| r.id < id).is_some() {}
            let old = cached.next_if(|(_, r)| r.id == id);
            let Some(len) = sim.trace_len(id) else { continue };
            let row = match old {
                // Unchanged, unless the run ended under a request in flight.
                Some((n, row)) if n == len && !(over && row.outcome == Outcome::InFlight) => row,
                _ => {
                    let Some(t) = sim.trace(id) else { continue };
                    RequestRow {
                        id,
                        outcome: timeline::outcome(&t, over),
                        start_ms: t.hops.first().map_or(0.0, |h| h.at_ms),
                        took_ms: timeline::took_ms(&t),
                        hops: len,
                    }
                }
            };
            self.rows.push((len, row));
        }
        self.rows.iter().rev().map(|(_, r)| r.clone()).collect()
    }
}

/// One page of the list, and what the filter and pager show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub rows: Vec<RequestRow>,
    /// 0-based page shown (clamped to the pages there are).
    pub page: usize,
    pub pages: usize,
    /// Rows that pass the filter.
    pub matching: usize,
    /// Rows kept in all.
    pub kept: usize,
    /// Rows of each outcome, in [`Outcome::ALL`] order.
    pub counts: [usize; Outcome::ALL.len()],
}

impl Page {
    /// "51–100 of 1,734".
    pub fn range_text(&self) -> String {
        if self.matching == 0 {
            return "none".into();
        }
        let first = self.page * PAGE_ROWS + 1;
        let last = first + self.rows.len() - 1;
        format!("{first}–{last} of {}", thousands(self.matching))
    }
}

/// The rows (newest first) that pass `filter`, page `page` of them.
pub fn page(rows: &[RequestRow], filter: Option<Outcome>, page: usize) -> Page {
    let mut counts = [0; Outcome::ALL.len()];
    for r in rows {
        if let Some(i) = Outcome::ALL.iter().position(|o| *o == r.outcome) {
            counts[i] += 1;
        }
    }
    let pass = |r: &&RequestRow| filter.is_none_or(|f| r.outcome == f);
    let matching = rows.iter().filter(pass).count();
    let pages = matching.div_ceil(PAGE_ROWS).max(1);
    let page = page.min(pages - 1);
    let shown = rows.iter().filter(pass).skip(page * PAGE_ROWS).take(PAGE_ROWS).cloned().collect();
    Page { rows: shown, page, pages, matching, kept: rows.len(), counts }
}

/// The rows of a page as table markup. A row holds numbers and fixed
/// words only (ids, outcomes, times), never text someone typed, so it can
/// be set as markup: rebuilding fifty rows a few times a second as
/// components would cost the download kilobytes. Each row names its
/// request in `data-id`, and its first cell is a button for the keyboard.
///
/// With no rows, one row says `note` (escaped: it may quote a filter).
pub fn rows_html(rows: &[RequestRow], note: &str) -> String {
    use std::fmt::Write;
    if rows.is_empty() {
        let note = note.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        return format!(r#"<tr class="note"><td colspan="5" class="muted">{note}</td></tr>"#);
    }
    let mut out = String::with_capacity(rows.len() * 220);
    for r in rows {
        let took = r.took_ms.map_or_else(|| "—".to_string(), fmt_ms);
        let _ = write!(
            out,
            r#"<tr class="clickable" data-id="{id}"><th scope="row"><button type="button" class="link-button">#{id}</button></th><td><span class="outcome {key}">{label}</span></td><td class="num">{start}</td><td class="num">{took}</td><td class="num">{hops}</td></tr>"#,
            id = r.id,
            key = r.outcome.key(),
            label = r.outcome.label(),
            start = fmt_ms(r.start_ms),
            hops = r.hops,
        );
    }
    out
}

/// 1734 as "1,734".
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::examples::EXAMPLES;
    use crate::engine::SimOptions;

    fn row(id: u64, outcome: Outcome) -> RequestRow {
        RequestRow { id, outcome, start_ms: id as f64, took_ms: outcome.ended().then_some(5.0), hops: 3 }
    }

    fn run_example(key: &str, until_ms: Option<u64>) -> (Sim, RequestLog) {
        let e = EXAMPLES.iter().find(|e| e.key == key).expect("example");
        let mut sim = Sim::new(&e.scenario(), SimOptions::interactive()).expect("valid example");
        match until_ms {
            Some(ms) => {
                sim.advance_to(ms * 1000, u64::MAX);
            }
            None => sim.run_to_end(),
        }
        (sim, RequestLog::default())
    }

    #[test]
    fn pages_cover_every_row_once_newest_first() {
        let rows: Vec<RequestRow> = (1..=120).rev().map(|id| row(id, Outcome::Ok)).collect();
        let mut seen = Vec::new();
        for p in 0..3 {
            let pg = page(&rows, None, p);
            assert_eq!(pg.pages, 3);
            seen.extend(pg.rows.iter().map(|r| r.id));
        }
        assert_eq!(seen, (1..=120).rev().collect::<Vec<_>>());
        assert_eq!(page(&rows, None, 2).range_text(), "101–120 of 120");
        // A page past the end shows the last one.
        assert_eq!(page(&rows, None, 9).page, 2);
    }

    #[test]
    fn the_filter_keeps_one_outcome_and_counts_them_all() {
        let rows: Vec<RequestRow> =
            (1..=10).map(|id| row(id, if id % 3 == 0 { Outcome::TimedOut } else { Outcome::Ok })).collect();
        let pg = page(&rows, Some(Outcome::TimedOut), 0);
        assert_eq!(pg.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![3, 6, 9]);
        assert_eq!((pg.matching, pg.kept), (3, 10));
        assert_eq!(pg.counts[0], 7);
        assert_eq!(pg.counts[2], 3);
        assert_eq!(page(&rows, Some(Outcome::Lost), 0).range_text(), "none");
        assert_eq!(thousands(1734), "1,734");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2_000_000), "2,000,000");
    }

    #[test]
    fn rows_become_markup_with_their_id_outcome_and_times() {
        let html = rows_html(&[row(7, Outcome::TimedOut), row(8, Outcome::Unfinished)], "unused");
        assert_eq!(html.matches("<tr ").count(), 2);
        assert!(html.contains(r#"data-id="7""#) && html.contains(">#7</button>"));
        assert!(html.contains(r#"<span class="outcome timed-out">timed out</span>"#));
        assert!(html.contains(r#"<td class="num">7 ms</td><td class="num">5 ms</td>"#), "{html}");
        assert!(html.contains(r#"<td class="num">—</td>"#), "no answer, no duration: {html}");
        assert!(!html.contains("unused"));
        let empty = rows_html(&[], "None <b>kept</b> match.");
        assert_eq!(
            empty,
            r#"<tr class="note"><td colspan="5" class="muted">None &lt;b&gt;kept&lt;/b&gt; match.</td></tr>"#
        );
    }

    #[test]
    fn every_kept_trace_is_listed() {
        let (sim, mut log) = run_example("retry-storm", Some(30_000));
        let rows = log.refresh(&sim);
        assert_eq!(rows.len(), sim.recent_traces().len());
        assert_eq!(rows.len(), 2_000, "the engine keeps 2,000 traces and all are listed");
        assert!(rows.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        // A second look reuses the rows and gives the same list.
        assert_eq!(log.refresh(&sim), rows);
    }

    #[test]
    fn a_finished_run_lists_no_request_in_flight_or_a_duration_without_an_answer() {
        for e in EXAMPLES {
            let (mut sim, mut log) = run_example(e.key, Some(20_000));
            let during = log.refresh(&sim);
            assert!(during.iter().all(|r| r.outcome != Outcome::Unfinished), "{}: nothing unfinished mid-run", e.key);
            sim.run_to_end();
            let rows = log.refresh(&sim);
            assert!(!rows.is_empty(), "{}", e.key);
            for r in &rows {
                assert_ne!(r.outcome, Outcome::InFlight, "{}: #{} in flight after the end", e.key, r.id);
                assert_eq!(r.took_ms.is_some(), r.outcome.ended(), "{}: #{} {:?}", e.key, r.id, r.outcome);
                // The cache gives what a fresh look gives.
                let t = sim.trace(r.id).unwrap();
                assert_eq!(r.outcome, timeline::outcome(&t, true), "{}: #{}", e.key, r.id);
            }
        }
    }
}
