//! Big diagrams open a piece per frame.
//!
//! Building the views of a 400-node diagram at once blocked the page for
//! half a second or more (one task: every node's and link's elements, then
//! style, layout and paint of them all). The canvas instead mounts lists
//! that follow the diagram's ids but take in new ids a piece at a time:
//! one piece per frame for all lists together (nodes and links share it),
//! each in a task of its own just after a frame is drawn, never in the task
//! that changed the document (opening a file already costs a frame's worth
//! of parsing and checking). The piece is sized by what the views of the
//! last one cost to build, so a slow or busy machine takes smaller bites. Each piece takes the new ids nearest the middle
//! of the canvas first, so what is on screen appears before what is not.
//! Small changes (an edit, an example) still show at once.

use super::run::now;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

/// A change that brings at most this many new ids shows at once (every
/// example fits, so it opens in one frame).
const AT_ONCE: usize = 32;
/// Build time per piece (ms) it is sized for, leaving the rest of a frame
/// to style, layout and paint.
const BUDGET_MS: f64 = 30.0;
/// The piece (new views per frame, all lists together): first, and limits
/// (a view costs 0.5 to 1.5 ms to build on a busy 2-core machine).
const FIRST_PIECE: usize = 16;
const MIN_PIECE: usize = 8;
const MAX_PIECE: usize = 48;

/// How far each id of a list is from the middle of the canvas (in the
/// list's order; lower is mounted first).
pub type Rank = Rc<dyn Fn() -> Vec<f64>>;

/// A list still taking in new ids: what it follows and what it shows.
#[derive(Clone)]
struct List {
    all: Memo<Vec<String>>,
    shown: RwSignal<Vec<String>>,
    rank: Rank,
}

#[derive(Default)]
struct Queue {
    lists: Vec<List>,
    /// A frame is booked to mount the next piece.
    booked: bool,
    /// Views per piece, from what the last piece cost.
    piece: Option<usize>,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
}

/// A list of ids that follows `all`, taking in new ids a piece per frame
/// (in `all`'s order) when many arrive at once; removals and small changes
/// apply at once.
pub fn gradual(all: Memo<Vec<String>>, rank: Rank) -> ReadSignal<Vec<String>> {
    let shown = RwSignal::new(Vec::<String>::new());
    let list = List { all, shown, rank };
    Effect::new(move |_| {
        all.track();
        let Some(new) = untrack(|| new_ids(&list)) else {
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
            QUEUE.with(|q| q.borrow_mut().lists.push(list.clone()));
            book();
        }
    });
    shown.read_only()
}

/// How many of the ids `list` follows it does not show yet (`None` once
/// the canvas is gone).
fn new_ids(list: &List) -> Option<usize> {
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

/// Runs `f` in a task of its own right after a frame is drawn. Jobs wait
/// their turn, one per frame: two in the same gap between frames would
/// add up to one long frame.
pub fn after_frame(f: impl FnOnce() + 'static) {
    JOBS.with(|j| j.borrow_mut().waiting.push_back(Box::new(f)));
    book_job();
}

type Job = Box<dyn FnOnce()>;

#[derive(Default)]
struct Jobs {
    waiting: std::collections::VecDeque<Job>,
    /// A frame is booked for the first job (never two: each would run a
    /// job in the same gap).
    booked: bool,
}

thread_local! {
    static JOBS: RefCell<Jobs> = RefCell::new(Jobs::default());
}

fn book_job() {
    let fresh = JOBS.with(|j| {
        let mut j = j.borrow_mut();
        let fresh = !j.booked && !j.waiting.is_empty();
        j.booked |= fresh;
        fresh
    });
    if fresh {
        request_animation_frame(|| set_timeout(run_job, std::time::Duration::ZERO));
    }
}

fn run_job() {
    let job = JOBS.with(|j| {
        let mut j = j.borrow_mut();
        j.booked = false;
        j.waiting.pop_front()
    });
    if let Some(job) = job {
        job();
    }
    book_job();
}

/// Mounts one piece, shared out between the lists still waiting.
fn piece() {
    let start = now();
    let (lists, size) = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.booked = false;
        (q.lists.clone(), q.piece.unwrap_or(FIRST_PIECE))
    });
    let mut room = size;
    let mut mounted = 0;
    let mut done: Vec<RwSignal<Vec<String>>> = Vec::new();
    for (i, list) in lists.iter().enumerate() {
        // An even share of what is left for each list still to come.
        let share = (room / (lists.len() - i)).max(1);
        match take(list, share) {
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
        !q.lists.is_empty()
    });
    if !more {
        QUEUE.with(|q| q.borrow_mut().piece = None);
        return;
    }
    // The views are built when the lists' effects run, in this task's
    // microtasks, queued before this one: the next piece is sized from
    // what they cost (at most halved or doubled at a time, so one slow
    // moment of a busy machine does not stall the rest).
    if mounted > 0 {
        leptos::task::spawn_local(async move {
            let per_view = ((now() - start) / mounted as f64).max(0.01);
            let fit = (BUDGET_MS / per_view) as usize;
            let next = fit.clamp((size / 2).max(MIN_PIECE), (size * 2).min(MAX_PIECE));
            QUEUE.with(|q| q.borrow_mut().piece = Some(next));
        });
    }
    book();
}

/// Shows up to `share` more of `list`'s new ids (removed ids go at once):
/// how many it took and whether the list is now complete; `None` once the
/// canvas is gone.
fn take(list: &List, share: usize) -> Option<(usize, bool)> {
    let target = list.all.try_get_untracked()?;
    let rank = (list.rank)();
    let (next, taken, left) = list.shown.try_with_untracked(|current| {
        let here: HashSet<&str> = current.iter().map(String::as_str).collect();
        // The new ids nearest the middle, kept in the list's order (the
        // order the views are drawn in).
        let mut new: Vec<usize> = (0..target.len()).filter(|i| !here.contains(target[*i].as_str())).collect();
        let score = |i: &usize| rank.get(*i).copied().unwrap_or(0.0);
        new.sort_by(|a, b| score(a).total_cmp(&score(b)));
        let taken = new.len().min(share);
        let mut picked = vec![false; target.len()];
        new[..taken].iter().for_each(|i| picked[*i] = true);
        let next: Vec<String> = target
            .iter()
            .enumerate()
            .filter(|(i, id)| picked[*i] || here.contains(id.as_str()))
            .map(|(_, id)| id.clone())
            .collect();
        (next, taken, new.len() - taken)
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
