// The stand-in Link script's helpers: where the API stand-in is, its calls, the DOM it builds.
// A part of the script that mod.rs assembles: it runs inside the script's one function scope.
var script = document.currentScript;
// Served at <base>/link/v2/stable/link-initialize.js; the API stand-in lives at <base>/.
var apiBase = new URL("../../../", script ? script.src : location.href).href;

function random(n) {
  var chars = "abcdefghijklmnopqrstuvwxyz0123456789", out = "";
  var bytes = crypto.getRandomValues(new Uint8Array(n));
  for (var i = 0; i < n; i++) out += chars[bytes[i] % chars.length];
  return out;
}

function post(path, body) {
  return fetch(apiBase + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }).then(function (response) {
    return response.json().then(function (json) {
      if (!response.ok) throw json;
      return json;
    });
  });
}

// Element helper: styles through the CSSOM, text through textContent, so that a strict
// Content-Security-Policy holds and untrusted names stay text.
function el(tag, props, children) {
  var node = document.createElement(tag);
  Object.keys(props || {}).forEach(function (key) {
    if (key === "style") Object.assign(node.style, props.style);
    else if (key === "text") node.textContent = props.text;
    else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), props[key]);
    else node.setAttribute(key, props[key]);
  });
  (children || []).forEach(function (child) { node.appendChild(child); });
  return node;
}

var EXIT_STATUS = {
  SELECT_INSTITUTION: "institution_not_found",
  CREDENTIAL: "requires_credentials",
  SELECT_ACCOUNT: "requires_account_selection",
  OAUTH: "requires_oauth",
};

function resumeStateOf(uri) {
  if (typeof uri !== "string" || uri === "") return null;
  try { return new URL(uri).searchParams.get("oauth_state_id"); } catch (e) { return null; }
}

// Link's <style> element, once per page, with the nonce Link's script tag was given (none: the
// page's policy decides, as it would for Plaid's).
function addStyleSheet() {
  if (document.querySelector("style[data-plaid-standin]")) return;
  var style = document.createElement("style");
  style.setAttribute("data-plaid-standin", "");
  if (script && script.nonce) style.nonce = script.nonce;
  style.textContent = ".plaid-standin-dialog { position: relative; background: #fff; border-radius: 0.75rem; " +
    "padding: 2rem 1.5rem 1.5rem; font-family: system-ui, sans-serif; color: #111827; }";
  document.head.appendChild(style);
}
