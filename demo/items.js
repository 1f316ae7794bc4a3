// The demo page's list of the session's connected banks (not part of the bundle): each bank whose
// login broke gets a "Reconnect" component (update mode, data-item-id), each working one an
// "Add accounts" component (update mode with account selection) and a sandbox-only "Break the
// login" button that asks the backend for Plaid's /sandbox/item/reset_login. The components are
// mounted with the bundle's own `mount()` (Trunk's `window.wasmBindings`); every text is textContent.

import { texts } from "./lang.js";

const SCRIPT = "/plaid/link/v2/stable/link-initialize.js";
const list = document.querySelector("[data-demo-items]");
const mounted = [];

function csrfHeaders() {
  const token = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content");
  return token ? { "X-CSRF-Token": token } : {};
}

async function api(method, path) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (method !== "GET") {
    init.headers = { ...init.headers, ...csrfHeaders(), "Content-Type": "application/json" };
    init.body = "{}";
  }
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "onclick") node.addEventListener("click", value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

// A component for one item; the list is read again once it has reconnected.
function component(item, label, accountSelection, words) {
  const host = el("div", { class: "demo-item__link" });
  const handle = window.wasmBindings.mount(host, {
    itemId: item.item_id, accountSelection, label, texts: words, scriptSrc: SCRIPT,
  });
  mounted.push(handle);
  // The component says how it went as a DOM event: no MutationObserver on its markup.
  const reconnected = (event) => {
    if (event.detail.status !== "connected") return;
    host.removeEventListener("plaid-link:status", reconnected);
    setTimeout(refresh, 1500); // Long enough to read "Reconnected to …".
  };
  host.addEventListener("plaid-link:status", reconnected);
  return host;
}

function row(item, words) {
  const bank = item.institution?.name || "A bank";
  const accounts = item.accounts.length === 1 ? "1 account" : `${item.accounts.length} accounts`;
  const broken = item.status === "login_required";
  const state = broken ? "needs you to sign in again" : "connected";
  const children = [
    el("p", { class: "demo-item__name", text: `${bank}: ${accounts}, ${state}` }),
  ];
  if (broken) {
    children.push(component(item, "Reconnect", false, words));
  } else {
    children.push(
      component(item, "Add accounts", true, words),
      el("button", {
        type: "button", class: "demo-item__break", text: "Break the login (sandbox)",
        onclick: () => api("POST", `/api/items/${encodeURIComponent(item.item_id)}/reset_login`).then(refresh, show),
      }),
    );
  }
  return el("li", { class: "demo-item", "data-item-id": item.item_id, "data-item-status": item.status }, children);
}

function show(error) {
  list.replaceChildren(el("li", { class: "demo-item", text: `Your connections could not be listed: ${error.message}` }));
}

export async function refresh() {
  try {
    const [{ items }, words] = await Promise.all([api("GET", "/api/items"), texts]);
    for (const handle of mounted.splice(0)) handle.unmount();
    const rows = items.map((item) => row(item, words));
    list.replaceChildren(...(rows.length ? rows : [el("li", { text: "No bank connected yet." })]));
  } catch (error) {
    show(error);
  }
}

// The list needs the bundle's mount(); Trunk announces it once the WebAssembly runs.
if (window.wasmBindings) refresh();
else addEventListener("TrunkApplicationStarted", refresh, { once: true });
// A new connection made with the page's own "Connect" buttons shows up in the list too.
for (const connect of document.querySelectorAll("[data-demo-connect]")) {
  connect.addEventListener("plaid-link:status", (event) => event.detail.status === "connected" && refresh());
}
