//! Big diagrams open a frame at a time.
//!
//! Building the views of a 400-node diagram at once blocked the page for
//! half a second or more (one task: every node's and link's elements, then
//! style, layout and paint of them all). The canvas instead mounts a list
//! that follows the diagram's ids but takes in at most a chunk of new ids
//! per animation frame, so each frame stays short and the page answers
//! while the rest appears. Small changes (an edit, a small example) still
//! show at once.

use super::run::now;
use leptos::prelude::*;
use std::collections::HashSet;

/// New ids mounted per frame at most: every example fits, so it opens in
/// one frame as before. A node's view costs about a millisecond to build
/// on a slow machine, before style, layout and paint.
const FIRST_CHUNK: usize = 32;
/// The chunk never shrinks below this, so a slow machine still progresses.
const MIN_CHUNK: usize = 8;
/// Frame intervals (ms) the chunk size steers between: it halves after a
/// slow frame and grows back (up to the first chunk) after fast ones.
const FAST_FRAME_MS: f64 = 34.0;
const SLOW_FRAME_MS: f64 = 70.0;

#[derive(Clone, Copy)]
struct Progress {
    chunk: usize,
    /// A frame is scheduled to mount more.
    pending: bool,
    /// When the last chunk was mounted (`now()`), while catching up.
    last_ms: Option<f64>,
}

/// A list of ids that follows `all`, taking in at most a chunk of new ids
/// per animation frame (in `all`'s order); removals and small changes
/// apply at once.
pub fn gradual(all: Memo<Vec<String>>) -> ReadSignal<Vec<String>> {
    let shown = RwSignal::new(Vec::<String>::new());
    let progress = StoredValue::new(Progress { chunk: FIRST_CHUNK, pending: false, last_ms: None });
    Effect::new(move |_| {
        all.track();
        if !progress.with_value(|p| p.pending) {
            advance(all, shown, progress);
        }
    });
    shown.read_only()
}

fn advance(all: Memo<Vec<String>>, shown: RwSignal<Vec<String>>, progress: StoredValue<Progress>) {
    // The canvas may be gone by the next frame.
    let Some(target) = all.try_get_untracked() else {
        return;
    };
    let Some(next) = shown.try_with_untracked(|current| {
        let here: HashSet<&str> = current.iter().map(String::as_str).collect();
        let new = target.iter().filter(|id| !here.contains(id.as_str())).count();
        let mut p = progress.get_value();
        // The chunk follows how long the last frame took: a slow machine
        // takes smaller bites.
        if let Some(last) = p.last_ms {
            let took = now() - last;
            if took < FAST_FRAME_MS {
                p.chunk = (p.chunk * 2).min(FIRST_CHUNK);
            } else if took > SLOW_FRAME_MS {
                p.chunk = (p.chunk / 2).max(MIN_CHUNK);
            }
        }
        if new <= p.chunk {
            progress.set_value(Progress { chunk: FIRST_CHUNK, pending: false, last_ms: None });
            return None;
        }
        let mut room = p.chunk;
        let next: Vec<String> = target
            .iter()
            .filter(|id| {
                here.contains(id.as_str()) || {
                    let take = room > 0;
                    room = room.saturating_sub(1);
                    take
                }
            })
            .cloned()
            .collect();
        progress.set_value(Progress { pending: true, last_ms: Some(now()), ..p });
        Some(next)
    }) else {
        return;
    };
    match next {
        None => {
            if shown.with_untracked(|s| *s != target) {
                shown.set(target);
            }
        }
        Some(part) => {
            shown.set(part);
            request_animation_frame(move || advance(all, shown, progress));
        }
    }
}
