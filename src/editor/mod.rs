//! The editor's pure logic: document edits, undo history, selection,
//! viewport and geometry. No Leptos, web-sys or DOM in here, so it is
//! tested natively like the engine.
