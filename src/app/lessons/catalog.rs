//! The lessons, read once per page (the first time the gallery or a link
//! needs them) and shared.

use crate::editor::lessons;
use crate::engine::lesson::Lesson;
use std::cell::OnceCell;
use std::rc::Rc;

thread_local! {
    static ALL: OnceCell<Rc<Vec<Lesson>>> = const { OnceCell::new() };
}

/// Every lesson that reads, in gallery order.
pub fn all() -> Rc<Vec<Lesson>> {
    ALL.with(|c| c.get_or_init(|| Rc::new(lessons::catalog())).clone())
}

/// The lesson at `i` of the gallery.
pub fn get(i: usize) -> Option<Lesson> {
    all().get(i).cloned()
}

pub fn index_of(name: &str) -> Option<usize> {
    all().iter().position(|l| l.name == name)
}
