// The peer: what a team would write with React 18 and react-plaid-link 5 against the same backend.
// The same two calls as our component: a link token (POST, JSON, CSRF header), then the public token.
import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { usePlaidLink } from "react-plaid-link";

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const post = (url, body) =>
  fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf() },
    credentials: "same-origin",
    body: JSON.stringify(body),
  });

function Connect() {
  const [token, setToken] = useState(null);
  const [message, setMessage] = useState("");
  useEffect(() => {
    post("/api/link_token", {})
      .then((r) => r.json())
      .then((json) => setToken(json.link_token))
      .catch(() => setMessage("We could not reach the server."));
  }, []);
  const { open, ready } = usePlaidLink({
    token,
    onSuccess: (public_token, metadata) => {
      setMessage("Saving your connection…");
      post("/api/exchange_public_token", {
        public_token,
        institution: metadata.institution,
        accounts: metadata.accounts,
        link_session_id: metadata.link_session_id,
      }).then((r) =>
        setMessage(r.ok ? `Connected to ${metadata.institution?.name} (${metadata.accounts.length} accounts).` : "Your bank account could not be saved."),
      );
    },
    onExit: (error) => setMessage(error ? error.display_message || "Something went wrong." : ""),
  });
  return (
    <div className="plaid-link">
      <button type="button" disabled={!ready} onClick={() => open()}>
        {ready ? "Connect a bank account" : "Preparing…"}
      </button>
      <p role="status">{message}</p>
    </div>
  );
}

/** Mounts the component on `element`; returns its unmount. */
export function mount(element) {
  const root = createRoot(element);
  root.render(<Connect />);
  return () => root.unmount();
}

const host = document.getElementById("root");
if (host) mount(host);
window.__bench = { mount };
