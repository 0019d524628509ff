//! The Leptos playground app (built with the `ui` feature).

use leptos::prelude::*;

/// Mounts the app on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    view! { <main><h1>"Crosstalk"</h1><p>"See how backend services talk."</p></main> }
}
