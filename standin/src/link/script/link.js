// Stand-in for Plaid Link's script (link-initialize.js), for offline development and tests.
// It defines window.Plaid.create(config) returning a handler with open, exit, destroy and submit,
// shows a Link-like modal, and calls onLoad, onEvent, onSuccess and onExit with the shapes Plaid
// documents. It talks to the Plaid API stand-in that serves it, found from its own URL (helpers.js).
// A part of the script that mod.rs assembles: it runs inside the script's one function scope.
function create(config) {
  if (!config || typeof config.token !== "string" || config.token.length === 0) {
    throw new Error("Plaid.create: a link token is required");
  }
  function call(name) {
    var fn = config[name];
    if (typeof fn === "function") fn.apply(null, Array.prototype.slice.call(arguments, 1));
  }

  var s = {
    id: random(8) + "-" + random(4) + "-" + random(4) + "-" + random(4) + "-" + random(12),
    loaded: false, openRequested: false, open: false, destroyed: false,
    institutions: [], institution: null, accounts: [], existing: [], view: null, lastError: null,
    // Update mode (a link token made with an item's access token): {institution, account_selection}.
    update: null,
    // The link token has a redirect_uri: OAuth banks take the whole page away and back.
    redirect: false,
    // Link made again after an OAuth redirect, with the URL the bank sent the user back to.
    resumeState: resumeStateOf(config.receivedRedirectUri),
    // Layer: the remembered login found for a submitted phone number ({institution, accounts}).
    layer: null,
    // Multi-Item Link: after each bank, the user may add another; the session ends with "Done".
    multi: false, added: 0,
    // Identity Verification: the session ends in a success without a public token.
    idv: false,
    root: null, body: null,
  };

  function institutionMetadata() {
    return s.institution ? { name: s.institution.name, institution_id: s.institution.institution_id } : null;
  }

  function event(name, extra) {
    var metadata = {
      link_session_id: s.id,
      request_id: random(15),
      timestamp: new Date().toISOString(),
      view_name: s.view,
      error_type: null, error_code: null, error_message: null, exit_status: null,
      institution_id: s.institution ? s.institution.institution_id : null,
      institution_name: s.institution ? s.institution.name : null,
      institution_search_query: null, mfa_type: null, selection: null,
    };
    Object.keys(extra || {}).forEach(function (k) { metadata[k] = extra[k]; });
    call("onEvent", name, metadata);
  }

  function show(view, build) {
    s.view = view;
    event("TRANSITION_VIEW");
    s.body.replaceChildren.apply(s.body, build());
  }

  function button(text, onclick, extra) {
    var props = {
      type: "button", text: text, onclick: onclick,
      style: { display: "block", width: "100%", margin: "0.4rem 0", padding: "0.7rem", font: "inherit",
               border: "1px solid #d1d5db", borderRadius: "0.4rem", background: "#fff", cursor: "pointer",
               textAlign: "left" },
    };
    Object.keys(extra || {}).forEach(function (k) { props[k] = extra[k]; });
    return el("button", props);
  }

  function render() {
    var close = el("button", {
      type: "button", "aria-label": "Close", text: "×", onclick: function () { finishExit(null); },
      style: { position: "absolute", top: "0.5rem", right: "0.75rem", border: "0", background: "none",
               fontSize: "1.6rem", cursor: "pointer" },
    });
    s.body = el("div", {});
    // As real Link does to a page: its look from a <style> element under the nonce of its own
    // script tag, and inline style attributes set through markup (`style-src-attr`). Styles set
    // through `element.style` are never blocked, so they would prove nothing of a page's policy.
    addStyleSheet();
    var dialog = el("div", {
      role: "dialog", "aria-modal": "true", "aria-label": "Plaid Link", class: "plaid-standin-dialog",
    }, [close, el("p", { text: "Plaid (local stand-in)", style: { margin: "0 0 1rem", fontSize: "0.8rem", color: "#6b7280" } }), s.body]);
    dialog.setAttribute("style", "width: 22rem; max-width: 90vw; box-shadow: 0 20px 50px rgba(0,0,0,.3)");
    s.root = el("div", {
      "data-plaid-standin": s.id,
      style: { position: "fixed", inset: "0", background: "rgba(17,24,39,.55)", display: "flex",
               alignItems: "center", justifyContent: "center", zIndex: "2147483647" },
    }, [dialog]);
    document.body.appendChild(s.root);
  }

  function selectInstitution() {
    show("SELECT_INSTITUTION", function () {
      return [el("h2", { text: "Select your bank", style: { margin: "0 0 0.75rem", fontSize: "1.2rem" } })]
        .concat(s.institutions.map(function (institution) {
          return button(institution.name, function () {
            s.institution = institution;
            event("SELECT_INSTITUTION");
            if (institution.oauth) oauth();
            else credentials(null);
          });
        }));
    });
  }

  function credentials(message) {
    show("CREDENTIAL", function () {
      var user = el("input", { "aria-label": "Username", autocomplete: "off", style: { width: "100%", padding: "0.5rem", margin: "0.3rem 0", boxSizing: "border-box" } });
      var pass = el("input", { "aria-label": "Password", type: "password", autocomplete: "off", style: { width: "100%", padding: "0.5rem", margin: "0.3rem 0", boxSizing: "border-box" } });
      var nodes = [
        el("h2", { text: "Log in to " + s.institution.name, style: { margin: "0 0 0.75rem", fontSize: "1.2rem" } }),
      ];
      if (message) nodes.push(el("p", { role: "alert", text: message, style: { color: "#b91c1c" } }));
      nodes.push(user, pass, button("Submit", function () {
        event("SUBMIT_CREDENTIALS");
        post("link/credentials", {
          link_token: config.token, institution_id: s.institution.institution_id,
          username: user.value, password: pass.value,
        }).then(function (body) {
          s.accounts = body.accounts;
          s.existing = body.existing || [];
          // Update mode without account selection: the item keeps its accounts.
          if (s.update && !s.update.account_selection) complete(s.accounts, credentials.bind(null, null));
          else selectAccounts();
        }, function (error) {
          failed(error, function () { credentials(error.display_message || error.error_message); });
        });
      }, { style: { display: "block", width: "100%", marginTop: "0.6rem", padding: "0.7rem", background: "#111827", color: "#fff", border: "0", borderRadius: "0.4rem", cursor: "pointer", font: "inherit" } }));
      nodes.push(el("p", { text: "Sandbox: user_good / pass_good", style: { fontSize: "0.8rem", color: "#6b7280" } }));
      return nodes;
    });
  }

  // An OAuth bank: its own page signs the user in. A pop-up, opened now, inside the user's click
  // (a browser blocks one opened later); or, with a redirect_uri, the whole page goes there.
  function oauth() {
    var popup = s.redirect ? null : window.open("", "plaid-oauth", "popup,width=480,height=640");
    show("OAUTH", function () {
      return [el("h2", { text: "Continue at " + s.institution.name, style: { margin: "0 0 0.75rem", fontSize: "1.2rem" } }),
              el("p", { text: "Sign in on your bank's page to allow access." })];
    });
    post("link/oauth/start", { link_token: config.token, institution_id: s.institution.institution_id })
      .then(function (body) {
        event("OPEN_OAUTH");
        if (s.redirect) return window.location.assign(apiBase + body.url);
        if (!popup) return failed({ error_type: "OAUTH_ERROR", error_code: "OAUTH_POPUP_BLOCKED", error_message: "the browser blocked the pop-up", display_message: "Your browser blocked the bank's window. Allow pop-ups, then try again." }, selectInstitution);
        popup.location.href = apiBase + body.url;
        waitForApproval(popup, body.oauth_state_id);
      }, function (error) {
        if (popup) popup.close();
        failed(error, selectInstitution);
      });
  }

  // Looks every 300 ms whether the user allowed access in the pop-up, or closed it.
  function waitForApproval(popup, stateId) {
    var timer = setInterval(function () {
      if (!s.open) { clearInterval(timer); popup.close(); return; }
      post("link/oauth/status", { link_token: config.token, oauth_state_id: stateId }).then(function (body) {
        if (body.approved) {
          clearInterval(timer);
          popup.close();
          s.accounts = body.accounts;
          s.existing = [];
          selectAccounts();
        } else if (popup.closed) {
          clearInterval(timer);
          selectInstitution();
        }
      }, function (error) { clearInterval(timer); popup.close(); failed(error, selectInstitution); });
    }, 300);
  }

  // Back from the bank (receivedRedirectUri): the sign-in is picked up where it was left.
  function resume() {
    show("OAUTH", function () { return [el("p", { text: "Finishing your sign-in…" })]; });
    post("link/oauth/status", { link_token: config.token, oauth_state_id: s.resumeState }).then(function (body) {
      s.institution = body.institution;
      if (!body.approved) return finishExit({ error_type: "OAUTH_ERROR", error_code: "OAUTH_NOT_APPROVED", error_message: "the user did not allow access at the bank", display_message: null });
      s.accounts = body.accounts;
      s.existing = [];
      selectAccounts();
    }, function (error) {
      s.lastError = { error_type: error.error_type, error_code: error.error_code, error_message: error.error_message, display_message: error.display_message || null };
      event("ERROR", { error_type: error.error_type, error_code: error.error_code, error_message: error.error_message });
      finishExit(s.lastError);
    });
  }

  function selectAccounts() {
    show("SELECT_ACCOUNT", function () {
      var boxes = s.accounts.map(function (account) {
        var box = el("input", { type: "checkbox" });
        // In update mode the item's accounts start chosen, and the others are there to add.
        box.checked = !s.update || s.existing.indexOf(account.account_id) !== -1;
        box.account = account;
        return el("label", { style: { display: "block", margin: "0.4rem 0" } }, [box, document.createTextNode(" " + account.name + " ••" + account.mask)]);
      });
      return [el("h2", { text: "Choose accounts", style: { margin: "0 0 0.75rem", fontSize: "1.2rem" } })]
        .concat(boxes)
        .concat([button("Continue", function () {
          var chosen = boxes.map(function (label) { return label.firstChild; })
            .filter(function (box) { return box.checked; })
            .map(function (box) { return box.account; });
          complete(chosen, selectAccounts);
        })]);
    });
  }

  function complete(chosen, retry) {
    post("link/complete", { link_token: config.token, institution_id: s.institution.institution_id, accounts: chosen, link_session_id: s.id })
      .then(function (body) {
        if (s.multi && !s.update) { s.added += 1; another(); } else succeed(body.public_token, chosen);
      }, function (error) { failed(error, retry); });
  }

  // Multi-Item Link: the bank is added; another, or done. Its public tokens reach the app's
  // backend through /link/token/get and the SESSION_FINISHED webhook, not onSuccess.
  function another() {
    show("CONNECTED", function () {
      return [el("h2", { text: s.institution.name + " is connected", style: { margin: "0 0 0.75rem", fontSize: "1.2rem" } }),
              button("Add another bank", selectInstitution),
              button("Done", finishSession)];
    });
  }

  function finishSession() {
    post("link/finish", { link_token: config.token, link_session_id: s.id }).then(function () {
      s.institution = null;
      succeed(null, []);
    }, function (error) { failed(error, another); });
  }

  // Identity Verification, reduced to its end: the user confirms, and Link succeeds without a token.
  function verifyIdentity() {
    show("ACCEPT_TOS", function () {
      return [el("h2", { text: "Verify your identity", style: { margin: "0 0 0.75rem", fontSize: "1.2rem" } }),
              el("p", { text: "Sandbox: your identity is verified when you continue." }),
              button("Verify", finishSession)];
    });
  }

  // An API error: an expired link token ends the session, as in Link; others are shown and retried.
  function failed(error, retry) {
    if (!error || !error.error_code) {
      error = { error_type: "API_ERROR", error_code: "INTERNAL_SERVER_ERROR", error_message: "network error", display_message: null };
    }
    s.lastError = { error_type: error.error_type, error_code: error.error_code, error_message: error.error_message, display_message: error.display_message || null };
    event("ERROR", { error_type: error.error_type, error_code: error.error_code, error_message: error.error_message });
    if (error.error_code === "INVALID_LINK_TOKEN") finishExit(s.lastError);
    else retry();
  }

  function succeed(publicToken, chosen) {
    event("HANDOFF");
    removeDom();
    s.open = false;
    call("onSuccess", publicToken, {
      institution: institutionMetadata(),
      accounts: chosen.map(function (a) {
        return { id: a.account_id, name: a.name, mask: a.mask, type: a.type, subtype: a.subtype, verification_status: null, class_type: null };
      }),
      link_session_id: s.id,
      transfer_status: null,
      wallet: null,
    });
  }

  function finishExit(error) {
    if (!s.open) return;
    var status = EXIT_STATUS[s.view] || null;
    event("EXIT", { exit_status: status });
    removeDom();
    s.open = false;
    call("onExit", error || s.lastError, {
      institution: institutionMetadata(), status: status, link_session_id: s.id, request_id: random(15),
    });
  }

  function removeDom() {
    if (s.root) s.root.remove();
    s.root = null;
  }

  // `at`: the bank chosen in the embedded search, where Link opens.
  function open(at) {
    if (s.destroyed) return;
    if (!s.loaded) { s.openRequested = true; return; }  // like Link: open() before onLoad waits
    if (s.open) return;
    s.open = true;
    s.institution = null;
    s.lastError = null;
    s.view = null;
    render();
    event("OPEN");
    // Back from an OAuth bank: pick the sign-in up. Update mode: straight to the item's bank.
    // Layer: the remembered login, confirmed.
    if (at) {
      s.institution = at;
      event("SELECT_INSTITUTION");
      if (at.oauth) oauth();
      else credentials(null);
    } else if (s.resumeState) {
      resume();
    } else if (s.layer) {
      s.institution = s.layer.institution;
      s.accounts = s.layer.accounts;
      s.existing = [];
      show("LAYER", function () {
        return [el("h2", { text: "Continue with Plaid", style: { margin: "0 0 0.75rem", fontSize: "1.2rem" } }),
                el("p", { text: "We found your accounts at " + s.institution.name + "." }),
                button("Continue", selectAccounts)];
      });
    } else if (s.update) {
      s.institution = s.update.institution;
      credentials(null);
    } else if (s.idv) {
      verifyIdentity();
    } else {
      selectInstitution();
    }
  }

  post("link/session", { link_token: config.token })
    .then(function (body) {
      s.institutions = body.institutions || [];
      s.update = body.update || null;
      s.redirect = body.redirect === true;
      s.multi = body.multi_item === true;
      s.idv = body.identity_verification === true;
    }, function () { s.institutions = []; })
    .then(function () {
      if (s.destroyed) return;
      s.loaded = true;
      call("onLoad");
      if (s.openRequested) open();
    });

  return {
    open: function () { open(null); },
    // Real Link asks the user to confirm a non-forced exit; the stand-in closes either way.
    exit: function (options) { finishExit(null); },
    // Layer: a phone number, then (when not eligible) a date of birth. The LAYER_* events arrive
    // as soon as the answer does, as in Link.
    submit: function (data) {
      if (s.destroyed || !data) return;
      if (typeof data.phone_number === "string") {
        post("link/layer", { link_token: config.token, phone_number: data.phone_number }).then(function (body) {
          s.layer = body.eligible ? { institution: body.institution, accounts: body.accounts } : null;
          event(body.eligible ? "LAYER_READY" : "LAYER_NOT_AVAILABLE");
        }, function () { event("LAYER_NOT_AVAILABLE"); });
      } else if (typeof data.date_of_birth === "string") {
        // The sandbox has no autofill for a date of birth: the usual flow follows.
        setTimeout(function () { event("LAYER_AUTOFILL_NOT_AVAILABLE"); }, 0);
      }
    },
    destroy: function () { s.destroyed = true; s.open = false; removeDom(); },
    // For createEmbedded, below; not part of Link's API.
    __institutions: function () { return s.institutions; },
    __openAt: open,
  };
}

// Embedded institution search: the banks as tiles inside `container`; a click opens Link at that
// bank. Returns an object with destroy() only, as Link does.
function createEmbedded(config, container) {
  if (!container || typeof container.replaceChildren !== "function") {
    throw new Error("Plaid.createEmbedded: a container element is required");
  }
  var tiles = null;
  var handler = create(Object.assign({}, config, {
    onLoad: function () {
      tiles = el("div", {
        role: "group", "aria-label": "Choose your bank", "data-plaid-embedded": "",
        style: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(9rem, 1fr))", gap: "0.5rem",
                 minWidth: "350px", minHeight: "300px", alignContent: "start", fontFamily: "system-ui, sans-serif" },
      }, handler.__institutions().map(function (institution) {
        return el("button", {
          type: "button", text: institution.name, onclick: function () { handler.__openAt(institution); },
          style: { padding: "1rem 0.6rem", font: "inherit", border: "1px solid #d1d5db", borderRadius: "0.5rem",
                   background: "#fff", cursor: "pointer" },
        });
      }));
      container.replaceChildren(tiles);
      if (typeof config.onLoad === "function") config.onLoad();
    },
  }));
  return { destroy: function () { handler.destroy(); if (tiles) tiles.remove(); tiles = null; } };
}

window.Plaid = { create: create, createEmbedded: createEmbedded, __standin: true, version: "standin" };
