// Stands in for a file a user uploaded to the site: same origin, but not the page's code. Injected
// markup names it as Link's script (e2e/pages/injected.html); it must never run.
window.__uploadedRan = true;
