fn main() {
    // The same wasm runs in the app's Web Workers (src/app/pool.rs), where
    // there is no page to mount.
    if web_sys::window().is_some() {
        crosstalk::app::mount();
    }
}
