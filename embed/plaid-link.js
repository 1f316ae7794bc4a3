// The one script a plain page needs: adds the component's stylesheet (unless the page opts out) and
// starts the WebAssembly bundle that sits beside this file, which mounts a component on every
// [data-plaid-link] element.
// `mount(element, options)` is re-exported for pages that prefer JavaScript.
// The prefetch runs first (imports run in order): link tokens and Link's script travel while the
// WebAssembly downloads.
import "./plaid-link-prefetch.js";
import init, { mount } from "./plaid-link-leptos.js";

// A page that styles the component itself says so: <meta name="plaid-link-stylesheet" content="none">.
if (document.querySelector('meta[name="plaid-link-stylesheet"]')?.content !== "none") {
  const stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = new URL("./plaid-link.css", import.meta.url).href;
  document.head.append(stylesheet);
}

await init();

export { mount };
