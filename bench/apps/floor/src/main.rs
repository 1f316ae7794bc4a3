//! The least a Leptos app can do to connect a bank with the product's packages: a link token
//! (POST, JSON), Link's script, `Plaid.create`, `open`, and `onSuccess` forwarding the public
//! token (POST, JSON); a status line. No retry, no OAuth return, no refresh, no texts, no errors
//! told apart. What `make bench` prints for it is what the crate's features cost above the least
//! any crate would.

use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    type Handler;
    #[wasm_bindgen(js_namespace = Plaid, js_name = create)]
    fn create(config: &JsValue) -> Handler;
    #[wasm_bindgen(method)]
    fn open(this: &Handler);
}

struct Token {
    link_token: String,
}

/// The public token passes through as Link's own JS string, as the crate's does.
#[derive(Serialize)]
struct Exchange {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    public_token: JsValue,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Config<'a> {
    token: &'a str,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    on_success: JsValue,
}

/// A JSON POST; its answer parsed.
async fn post(url: &str, body: &JsValue) -> Result<JsValue, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&js_sys::JSON::stringify(body)?.into());
    let request = web_sys::Request::new_with_str_and_init(url, &init)?;
    request.headers().set("content-type", "application/json")?;
    let response = gloo_net::http::Request::from(request).send().await.map_err(|_| JsValue::NULL)?;
    let text = response.text().await.map_err(|_| JsValue::NULL)?;
    if !response.ok() {
        return Err(JsValue::NULL);
    }
    js_sys::JSON::parse(&text)
}

/// Starts loading Link's script at once; the future is its end.
fn script() -> Result<JsFuture, JsValue> {
    let document = document();
    let script: web_sys::HtmlScriptElement = document.create_element("script")?.unchecked_into();
    script.set_src("https://cdn.plaid.com/link/v2/stable/link-initialize.js");
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    document.head().unwrap_throw().append_child(&script)?;
    Ok(JsFuture::from(loaded))
}

#[component]
fn App() -> impl IntoView {
    let count = RwSignal::new(0);
    let status = RwSignal::new("Preparing…");
    let handler = StoredValue::new_local(None::<Handler>);
    leptos::task::spawn_local(async move {
        let made = async {
            let loaded = script()?;
            let token =
                js_sys::Reflect::get(&post("/api/link_token", &JsValue::NULL).await?, &"link_token".into())?;
            let token = Token { link_token: token.as_string().ok_or(JsValue::NULL)? };
            loaded.await?;
            let on_success = Closure::<dyn Fn(JsValue)>::new(move |public_token: JsValue| {
                let body = serde_wasm_bindgen::to_value(&Exchange { public_token });
                status.set("Saving…");
                leptos::task::spawn_local(async move {
                    let saved = match body {
                        Ok(body) => post("/api/exchange_public_token", &body).await.is_ok(),
                        Err(_) => false,
                    };
                    status.set(if saved { "Connected." } else { "Could not save." });
                });
            })
            .into_js_value();
            let config = Config { token: &token.link_token, on_success };
            Ok::<_, JsValue>(create(&serde_wasm_bindgen::to_value(&config)?))
        };
        match made.await {
            Ok(made) => {
                handler.set_value(Some(made));
                status.set("Ready.");
            }
            Err(_) => status.set("Could not prepare."),
        }
    });
    view! {
        <button on:click=move |_| count.update(|c| *c += 1)>"Clicked " {count}</button>
        <button on:click=move |_| handler.with_value(|h| if let Some(h) = h { h.open() })>"Connect a bank"</button>
        <p>{move || status.get()}</p>
    }
}

fn main() {
    leptos::mount::mount_to_body(App);
}
