// Test doubles for the in-browser suite: a fake `window.Plaid` that behaves like Link's handler
// (onLoad arrives asynchronously, open/exit/destroy are recorded), and a fake `fetch` standing in
// for the application's backend (queued answers, network failures, requests that hang until aborted).

const plaid = { handlers: [], scriptRuns: 0, manualLoad: false };

// As Link and the stand-in do: `create` throws without a link token; `exit()` on an open Link ends
// its session at once with an EXIT event and `onExit` (no error), as the user closing it would.
function requireToken(config) {
  if (!config || typeof config.token !== "string" || config.token.length === 0) {
    throw new Error("Plaid.create: a link token is required");
  }
}

function fakePlaid() {
  return {
    create(config) {
      requireToken(config);
      const record = { config, opened: 0, open: false, exits: [], submits: [], destroyed: false };
      plaid.handlers.push(record);
      if (!plaid.manualLoad) setTimeout(() => { if (!record.destroyed) config.onLoad(); }, 0);
      return {
        open() { record.opened += 1; if (!record.destroyed) record.open = true; },
        exit(options) {
          record.exits.push(options || {});
          if (!record.open || record.destroyed) return;
          record.open = false;
          config.onEvent("EXIT", { link_session_id: "s-exit", request_id: "r-exit", exit_status: null, timestamp: new Date().toISOString() });
          config.onExit(null, { status: null, institution: null, link_session_id: "s-exit", request_id: "r-exit" });
        },
        submit(data) { record.submits.push(data); },
        destroy() { record.destroyed = true; record.open = false; },
      };
    },
    createEmbedded(config, element) {
      requireToken(config);
      const record = { config, element, opened: 0, open: false, exits: [], submits: [], destroyed: false };
      plaid.handlers.push(record);
      if (!plaid.manualLoad) setTimeout(() => { if (!record.destroyed) config.onLoad(); }, 0);
      return { destroy() { record.destroyed = true; } };
    },
  };
}

export function fake_plaid_install(manual_load) {
  plaid.handlers = [];
  plaid.manualLoad = manual_load;
  window.Plaid = fakePlaid();
}

export function fake_plaid_remove() {
  delete window.Plaid;
  delete window[Symbol.for("plaid-link.script")];
  plaid.handlers = [];
  plaid.scriptRuns = 0;
  plaid.manualLoad = false;
}

// A script URL whose code installs the fake, as Link's script installs `window.Plaid`.
// With fail_first, its first run defines nothing (a broken deploy); later runs work.
export function fake_plaid_script_url(fail_first) {
  window.__fakePlaidScript = () => {
    plaid.scriptRuns += 1;
    if (fail_first && plaid.scriptRuns === 1) return;
    window.Plaid = fakePlaid();
  };
  const code = "window.__fakePlaidScript();";
  return URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
}

export function fake_plaid_script_runs() { return plaid.scriptRuns; }
export function fake_plaid_handlers() { return plaid.handlers.length; }
const h = (i) => plaid.handlers[i];
export function fake_plaid_token(i) { return h(i).config.token; }
export function fake_plaid_opened(i) { return h(i).opened; }
export function fake_plaid_destroyed(i) { return h(i).destroyed; }
export function fake_plaid_forced_exit(i) { return h(i).exits.some((o) => o.force === true); }
export function fake_plaid_load(i) { h(i).config.onLoad(); }
export function fake_plaid_success(i, token, metadata) { h(i).open = false; h(i).config.onSuccess(token, JSON.parse(metadata)); }
export function fake_plaid_exit(i, error, metadata) { h(i).open = false; h(i).config.onExit(JSON.parse(error), JSON.parse(metadata)); }
export function fake_plaid_event(i, name, metadata) { h(i).config.onEvent(name, JSON.parse(metadata)); }

const backend = { answers: new Map(), requests: [], held: new Map(), called: [] };

async function fakeFetch(input, init) {
  const request = new Request(input, init);
  const path = new URL(request.url).pathname;
  backend.called.push(path); // As `fetch` is called, before its body is read.
  const entry = {
    url: request.url, path, method: request.method, redirect: request.redirect,
    credentials: request.credentials, body: await request.text(), headers: Object.fromEntries(request.headers),
  };
  backend.requests.push(entry);
  request.signal.addEventListener("abort", () => { entry.aborted = true; });
  // Answers are given in order; the last one keeps being given once the others are used up.
  const queue = backend.answers.get(path) || [];
  const answer = queue.find((a) => !a.used) || queue[queue.length - 1];
  if (answer) answer.used = true;
  if (!answer) return new Response('{"error":"no answer configured"}', { status: 404 });
  const abortable = (promise) => new Promise((resolve, reject) => {
    if (request.signal.aborted) return reject(request.signal.reason);
    request.signal.addEventListener("abort", () => reject(request.signal.reason));
    promise.then(resolve, reject);
  });
  if (answer.kind === "network") throw new TypeError("Failed to fetch");
  if (answer.kind === "hang") return abortable(new Promise(() => {}));
  if (answer.kind === "redirect") return redirected(request, answer.location, init);
  if (backend.held.has(path)) await abortable(backend.held.get(path).promise);
  return new Response(answer.body, { status: answer.status, headers: { "Content-Type": "application/json" } });
}

// A 302 as `fetch` meets it, by the request's redirect mode: followed (a second request, to the
// new address), refused as a network error, or handed back as an opaque redirect, which has no
// status, no headers and no body (the Fetch standard's "opaqueredirect" filtered response).
function redirected(request, location, init) {
  if (request.redirect === "follow") return fakeFetch(new URL(location, request.url).href, init);
  if (request.redirect === "error") throw new TypeError("Failed to fetch");
  const response = new Response(null, { status: 200 });
  for (const [name, value] of Object.entries({ type: "opaqueredirect", status: 0, ok: false, statusText: "", url: "" })) {
    Object.defineProperty(response, name, { value });
  }
  return response;
}

export function backend_reset() {
  backend.answers = new Map();
  backend.requests = [];
  backend.called = [];
  backend.held = new Map();
  window.fetch = fakeFetch;
}
export function backend_respond(path, status, body) {
  // A fixture's time is relative to now: a link token that expired before the test ran would send
  // the component down its "already expired" path, silently.
  let expiration;
  try { expiration = JSON.parse(body)?.expiration; } catch { /* not JSON: a test of garbage */ }
  if (typeof expiration === "string" && !(Date.parse(expiration) > realNow())) {
    throw new Error(`fixture for ${path}: its expiration ${expiration} is not in the future`);
  }
  enqueue(path, { kind: "answer", status, body });
}
export function backend_fail(path, kind) { enqueue(path, { kind }); }
/** A 302 to `location` for the next request to `path`. */
export function backend_redirect(path, location) { enqueue(path, { kind: "redirect", location }); }
/** Queues the next answer to `path` (see `fakeFetch`). */
function enqueue(path, answer) {
  if (!backend.answers.has(path)) backend.answers.set(path, []);
  backend.answers.get(path).push(answer);
}
export function backend_hold(path) {
  let release;
  const promise = new Promise((r) => { release = r; });
  backend.held.set(path, { promise, release });
}
export function backend_release(path) {
  const held = backend.held.get(path);
  backend.held.delete(path);
  if (held) held.release();
}
/** How many times `fetch` was called for `path` (a request counts from the call, before its body is read). */
export function backend_fetch_calls(path) { return backend.called.filter((p) => p === path).length; }
export function backend_request_count(path) { return backend.requests.filter((r) => r.path === path).length; }
export function backend_request_body(path, i) { return backend.requests.filter((r) => r.path === path)[i].body; }
export function backend_request_header(path, i, name) {
  return backend.requests.filter((r) => r.path === path)[i].headers[name.toLowerCase()] || "";
}
export function backend_request_aborted(path, i) { return backend.requests.filter((r) => r.path === path)[i].aborted === true; }
export function backend_request_urls() { return backend.requests.map((r) => r.url).join(" "); }
export function backend_request_credentials(path, i) { return backend.requests.filter((r) => r.path === path)[i].credentials; }
export function backend_request_redirect(path, i) { return backend.requests.filter((r) => r.path === path)[i].redirect; }
export function set_csrf_meta(token) {
  document.querySelectorAll('meta[name="csrf-token"]').forEach((m) => m.remove());
  if (token) {
    const meta = document.createElement("meta");
    meta.name = "csrf-token";
    meta.content = token;
    document.head.append(meta);
  }
}

// What the server declares in the <head> it serves: the endpoints and the Link script markup may
// name (src/endpoint.rs). An empty value removes the declaration.
export function declare_in_head(name, content) {
  document.head.querySelectorAll(`meta[name="${name}"]`).forEach((m) => m.remove());
  if (content) {
    const meta = document.createElement("meta");
    meta.name = name;
    meta.content = content;
    document.head.append(meta);
  }
}

// An element as injected markup would add it: attributes only, no script.
export function inject_embed_element(attributes) {
  const element = document.createElement("div");
  element.setAttribute("data-plaid-link", "");
  for (const [name, value] of Object.entries(JSON.parse(attributes))) element.setAttribute(name, value);
  document.body.append(element);
  return element;
}
export function scripts_from(prefix) {
  return [...document.scripts].filter((s) => s.src.startsWith(prefix)).length;
}

export function scripts_with_src(src) {
  const href = new URL(src, location.href).href;
  return [...document.scripts].filter((s) => s.src === href).length;
}
export function page_storage_is_empty() {
  return localStorage.length === 0 && sessionStorage.length === 0 && document.cookie === "";
}
export function next_turn(ms) { return new Promise((r) => setTimeout(r, ms)); }

// The page's clock: an ISO time `ms` from now, and a way to move `Date.now` forward.
const realNow = Date.now.bind(Date);
let clockOffset = 0;
Date.now = () => realNow() + clockOffset;
export function iso_in(ms) { return new Date(Date.now() + ms).toISOString(); }
export function advance_clock(ms) { clockOffset += ms; }
export function reset_clock() { clockOffset = 0; }
export function page_becomes_visible() { document.dispatchEvent(new Event("visibilitychange")); }

// The OAuth redirect's return: what Link was made with, the page's address and its session storage.
export function fake_plaid_received_redirect_uri(i) { return h(i).config.receivedRedirectUri ?? ""; }
export function page_url() { return location.href; }
export function set_page_query(query) { history.replaceState(history.state, "", location.pathname + query); }
export function session_item(key) { return sessionStorage.getItem(key) ?? ""; }
export function set_session_item(key, value) { sessionStorage.setItem(key, value); }
export function clear_session() { sessionStorage.clear(); }
export function fake_plaid_submitted(i) { return JSON.stringify(h(i).submits); }
export function fake_plaid_container(i) { return h(i).element ?? null; }

// Timers of a second or more (the link token's planned refresh; Link's and the tests' own are
// shorter), counted while they are pending: set and neither fired nor cleared.
const pendingLong = new Set();
const realSetTimeout = window.setTimeout.bind(window);
const realClearTimeout = window.clearTimeout.bind(window);
window.setTimeout = (handler, ms, ...args) => {
  const id = realSetTimeout((...a) => { pendingLong.delete(id); return typeof handler === "function" ? handler(...a) : undefined; }, ms, ...args);
  if (ms >= 1000) pendingLong.add(id);
  return id;
};
window.clearTimeout = (id) => { pendingLong.delete(id); realClearTimeout(id); };
export function pending_long_timers() { return pendingLong.size; }

// Link endings: a success without a public token, and what a page hears.
export function fake_plaid_success_without_token(i, metadata) { h(i).open = false; h(i).config.onSuccess(null, JSON.parse(metadata)); }
export function record_dom_events(element) {
  element.__heard = [];
  for (const type of ["plaid-link:status", "plaid-link:event"]) {
    // With what the page could see as it heard: the exchange requests sent, the status shown.
    element.addEventListener(type, (e) => element.__heard.push({
      type: e.type,
      detail: e.detail,
      exchanges: backend_fetch_calls("/api/exchange_public_token"),
      shown: element.querySelector("[data-status]")?.getAttribute("data-status"),
    }));
  }
}
export function heard_dom_events(element) { return JSON.stringify(element.__heard || []); }
export function mount_options_hearing_events(json) {
  const options = JSON.parse(json);
  window.__onEventCalls = [];
  options.onEvent = (name, metadata) => window.__onEventCalls.push({ name, metadata });
  return options;
}
export function on_event_calls() { return JSON.stringify(window.__onEventCalls || []); }

// `window.open`, as Hosted Link's new window calls it: a window object, or `null` as a browser
// that blocked the pop-up answers.
export function fake_window_open(blocked) {
  window.__opened = [];
  window.open = (url, target) => {
    window.__opened.push({ url, target });
    if (blocked) return null;
    window.__openedWindow = { opener: window };
    return window.__openedWindow;
  };
}
export function windows_opened() { return (window.__opened || []).map((w) => w.url).join(" "); }
/** Whether the window last opened was left with no hold on this one (`opener` cut). */
export function opener_cut() { return window.__openedWindow?.opener === null; }
export function window_gets_focus() { window.dispatchEvent(new FocusEvent("focus")); }
