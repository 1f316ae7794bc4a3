//! A button with a counter: what every app below starts from.

use leptos::prelude::*;

#[component]
fn App() -> impl IntoView {
    let count = RwSignal::new(0);
    view! { <button on:click=move |_| count.update(|c| *c += 1)>"Clicked " {count}</button> }
}

fn main() {
    leptos::mount::mount_to_body(App);
}
