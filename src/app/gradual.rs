//! Big diagrams open a piece per frame.
//!
//! Building the views of a 400-node diagram at once blocked the page for
//! half a second or more (one task: every node's and link's elements, then
//! style, layout and paint of them all). The canvas instead mounts lists
//! that follow the diagram's ids but take in new ids a piece at a time:
//! one piece per frame for all lists together (nodes and links share it),
//! each in a task of its own just after a frame is drawn, never in the task
//! that changed the document (opening a file already costs a frame's worth
//! of parsing and checking). The piece is sized by how long the last one
//! took from its start to the start of the next (its build, the style,
//! layout and paint of the frame that shows it), so a slow or busy machine
//! takes smaller bites. Small changes (an edit, an example) still show at
//! once.

use super::run::now;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashSet;

/// A change that brings at most this many new ids shows at once (every
/// example fits, so it opens in one frame).
const AT_ONCE: usize = 32;
/// Time from one piece to the next (ms) the piece is sized for: its build,
/// the frame's style, layout and paint, and the wait for the next frame.
const CYCLE_MS: f64 = 50.0;
/// The piece (new views per frame, all lists together): first, and limits.
const FIRST_PIECE: usize = 12;
const MIN_PIECE: usize = 4;
const MAX_PIECE: usize = 64;

/// A list still taking in new ids: what it follows and what it shows.
#[derive(Clone, Copy)]
struct List {
    all: Memo<Vec<String>>,
    shown: RwSignal<Vec<String>>,
}

#[derive(Default)]
struct Queue {
    lists: Vec<List>,
    /// A frame is booked to mount the next piece.
    booked: bool,
    /// Views per piece, from what the last piece cost.
    piece: Option<usize>,
    /// When the last piece started (`now()`), while pieces follow.
    last_start: Option<f64>,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
}

/// A list of ids that follows `all`, taking in new ids a piece per frame
/// (in `all`'s order) when many arrive at once; removals and small changes
/// apply at once.
pub fn gradual(all: Memo<Vec<String>>) -> ReadSignal<Vec<String>> {
    let shown = RwSignal::new(Vec::<String>::new());
    let list = List { all, shown };
    Effect::new(move |_| {
        all.track();
        let Some(new) = untrack(|| new_ids(list)) else {
            return;
        };
        let waiting = QUEUE.with(|q| q.borrow().lists.iter().any(|l| l.shown == shown));
        if new <= AT_ONCE {
            // Also when a big list was still coming in: the small one now
            // wanted shows at once.
            if waiting {
                QUEUE.with(|q| q.borrow_mut().lists.retain(|l| l.shown != shown));
            }
            let target = all.get_untracked();
            if shown.with_untracked(|s| *s != target) {
                shown.set(target);
            }
        } else if !waiting {
            QUEUE.with(|q| q.borrow_mut().lists.push(list));
            book();
        }
    });
    shown.read_only()
}

/// How many of the ids `list` follows it does not show yet (`None` once
/// the canvas is gone).
fn new_ids(list: List) -> Option<usize> {
    let target = list.all.try_get_untracked()?;
    list.shown.try_with_untracked(|current| {
        let here: HashSet<&str> = current.iter().map(String::as_str).collect();
        target.iter().filter(|id| !here.contains(id.as_str())).count()
    })
}

/// Books the next piece: in a task of its own right after the next frame
/// (a piece mounted in the frame's own callbacks would add to that frame).
fn book() {
    let fresh = QUEUE.with(|q| !std::mem::replace(&mut q.borrow_mut().booked, true));
    if fresh {
        after_frame(piece);
    }
}

/// Runs `f` in a task of its own right after the next frame is drawn.
pub fn after_frame(f: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(f, std::time::Duration::ZERO));
}

/// Mounts one piece, shared out between the lists still waiting.
fn piece() {
    let start = now();
    let (lists, size) = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.booked = false;
        let mut size = q.piece.unwrap_or(FIRST_PIECE);
        // At most halved or doubled at a time: one slow frame (another
        // program's turn on the processor) does not stall the rest.
        if let Some(last) = q.last_start {
            let took = (start - last).max(1.0);
            let fit = (size as f64 * CYCLE_MS / took) as usize;
            size = fit.clamp((size / 2).max(MIN_PIECE), (size * 2).min(MAX_PIECE));
        }
        q.piece = Some(size);
        (q.lists.clone(), size)
    });
    let mut room = size;
    let mut mounted = 0;
    let mut done: Vec<RwSignal<Vec<String>>> = Vec::new();
    for (i, list) in lists.iter().enumerate() {
        // An even share of what is left for each list still to come.
        let share = (room / (lists.len() - i)).max(1);
        match take(*list, share) {
            None => done.push(list.shown),
            Some((taken, finished)) => {
                mounted += taken;
                room = room.saturating_sub(taken);
                if finished {
                    done.push(list.shown);
                }
            }
        }
    }
    let more = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.lists.retain(|l| !done.contains(&l.shown));
        let more = !q.lists.is_empty();
        // A piece that mounted nothing (the lists had caught up) says
        // nothing about the next one's cost.
        q.last_start = (more && mounted > 0).then_some(start);
        if !more {
            q.piece = None;
        }
        more
    });
    if more {
        book();
    }
}

/// Shows up to `share` more of `list`'s new ids (removed ids go at once):
/// how many it took and whether the list is now complete; `None` once the
/// canvas is gone.
fn take(list: List, share: usize) -> Option<(usize, bool)> {
    let target = list.all.try_get_untracked()?;
    let (next, taken, left) = list.shown.try_with_untracked(|current| {
        let here: HashSet<&str> = current.iter().map(String::as_str).collect();
        let mut room = share;
        let mut left = 0;
        let next: Vec<String> = target
            .iter()
            .filter(|id| {
                here.contains(id.as_str()) || {
                    if room > 0 {
                        room -= 1;
                        true
                    } else {
                        left += 1;
                        false
                    }
                }
            })
            .cloned()
            .collect();
        (next, share - room, left)
    })?;
    if left == 0 {
        if list.shown.with_untracked(|s| *s != target) {
            list.shown.set(target);
        }
        return Some((taken, true));
    }
    list.shown.set(next);
    Some((taken, false))
}
