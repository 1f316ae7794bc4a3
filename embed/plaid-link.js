// The one script a plain page needs: adds the component's stylesheet (unless the page opts out) and
// starts the WebAssembly bundle that sits beside this file, which mounts a component on every
// [data-plaid-link] element.
// `mount(element, options)` is re-exported for pages that prefer JavaScript.
//
// Everything it needs is requested at once, as soon as this file runs: the prefetch (link tokens
// and Link's script, see plaid-link-prefetch.js), the glue and the WebAssembly. Static imports
// would chain them (this file, then the glue, then the WebAssembly): on a phone, one round trip
// each. The prefetch still runs before the WebAssembly starts.

const here = (file) => new URL(file, import.meta.url).href;
const prefetch = import("./plaid-link-prefetch.js");
const glue = import("./plaid-link-leptos.js");
const wasm = fetch(here("plaid-link-leptos_bg.wasm"));

// A page that styles the component itself says so: <meta name="plaid-link-stylesheet" content="none">.
if (document.querySelector('meta[name="plaid-link-stylesheet"]')?.content !== "none") {
  const stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = here("plaid-link.css");
  document.head.append(stylesheet);
}

const { default: init, mount: mountOn } = await glue;
// Without its prefetch (it failed to load) the component starts everything itself.
await prefetch.catch(() => {});
await init({ module_or_path: wasm });

export const mount = mountOn;
