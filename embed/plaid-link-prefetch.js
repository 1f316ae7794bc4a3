// Starts, before the WebAssembly has even arrived, what every [data-plaid-link] element will need:
// its link-token request and Link's script. The component adopts both (src/embed.rs and
// src/plaid/loader.rs) instead of starting its own, so that on a slow phone they travel while the
// WebAssembly downloads and compiles. Runs once on import; the component re-checks everything.
//
// It starts only what the element's markup could make the component do anyway (the trust rules of
// src/endpoint.rs): a link-token endpoint on the page's origin (HTTPS, or HTTP on loopback), and
// Plaid's script or one on the page's origin, which alone gets the page's CSP nonce.

const PREFETCH = Symbol.for("plaid-link.prefetch");
const SCRIPT = Symbol.for("plaid-link.script");
const PLAID = "https://cdn.plaid.com/link/v2/stable/link-initialize.js";

function sameOrigin(raw) {
  let url;
  try {
    url = new URL(raw, location.href);
  } catch {
    return null;
  }
  const loopback = /^(localhost|.*\.localhost|127(\.\d+){3}|\[::1\])$/.test(url.hostname);
  // As src/endpoint.rs: HTTPS, HTTP on loopback, or blob: (content the page made itself).
  const secure = ["https:", "blob:"].includes(url.protocol) || (url.protocol === "http:" && loopback);
  return url.origin === location.origin && secure ? url.href : null;
}

function requestLinkToken(url, timeoutMs) {
  const controller = new AbortController();
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content");
  if (csrf) headers["X-CSRF-Token"] = csrf;
  // The same request the component sends (src/backend.rs): no redirect followed, cookies same-origin.
  const response = fetch(url, {
    method: "POST",
    headers,
    body: "{}",
    credentials: "same-origin",
    redirect: "manual",
    signal: AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)]),
  });
  response.catch(() => {}); // The component reads the outcome; nothing is unhandled meanwhile.
  return { url, response, controller };
}

function loadScript(raw) {
  const src = raw === PLAID ? PLAID : sameOrigin(raw);
  if (!src || window.Plaid || window[SCRIPT]) return;
  // A script made by code loads asynchronously already; an empty nonce is no nonce.
  const script = document.createElement("script");
  script.src = src;
  script.nonce = document.querySelector("script[nonce]")?.nonce || "";
  const loaded = new Promise((resolve, reject) => {
    script.onload = resolve;
    script.onerror = reject;
  });
  loaded.catch(() => {});
  window[SCRIPT] = { src, script, loaded };
  document.head.append(script);
}

export function prefetch() {
  const backFromBank = new URLSearchParams(location.search).has("oauth_state_id");
  for (const element of document.querySelectorAll("[data-plaid-link]:not([data-plaid-link-mounted])")) {
    if (element[PREFETCH]) continue;
    const attr = (name) => element.getAttribute(name) || null;
    const url = sameOrigin(attr("data-link-token-url") || "/api/link_token");
    // An update-mode element (data-item-id) asks for its own kind of token, and a page back from an
    // OAuth bank uses the one it kept: the component does both.
    if (url && !attr("data-item-id") && !backFromBank) element[PREFETCH] = requestLinkToken(url, Number(attr("data-request-timeout-ms")) || 15000);
    loadScript(attr("data-script-src") || PLAID);
  }
}

prefetch();
