// Hosted Link's page (`/hl/<id>`, which loads this script with `data-hosted-link`): runs Link on the
// page alone, with the session its address names; at the end tells the stand-in how it ended (which
// then posts SESSION_FINISHED to the link token's webhook) and sends the user to
// completion_redirect_uri, or says they are done. The public token goes nowhere from here: the
// app's server gets it from the webhook. Part of Link's script, so that a page policy that lets
// Link's script run needs nothing else.
if (script && script.hasAttribute("data-hosted-link")) {
  (function () {
    var id = location.pathname.split("/").pop();
    function say(text) {
      document.body.appendChild(el("p", { role: "status", text: text }));
    }
    post("link/hosted/session", { id: id }).then(function (hosted) {
      var ended = false;
      function end(status, metadata) {
        if (ended) return;
        ended = true;
        var session = (metadata && metadata.link_session_id) || "";
        post("link/finish", { link_token: hosted.link_token, link_session_id: session, status: status })
          .catch(function () {})
          .then(function () {
            if (hosted.completion_redirect_uri) location.assign(hosted.completion_redirect_uri);
            else say(status === "SUCCESS" ? "You're all set. You can close this window." : "You can close this window.");
          });
      }
      window.Plaid.create({
        token: hosted.link_token,
        onSuccess: function (_token, metadata) { end("SUCCESS", metadata); },
        onExit: function (_error, metadata) { end("EXITED", metadata); },
      }).open();
    }, function () {
      say("This link has expired. Ask for a new one.");
    });
  })();
}
