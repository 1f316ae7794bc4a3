// The demo in another language: `?lang=fr` gives the page's components French words, as any page
// can (`mount()`'s `texts`, or `data-texts`): a JSON object from the English sentences
// (`plaid_link::texts::ENGLISH`) to the page's own. An English page fetches nothing more.
//
// This script runs before Trunk's loader (it comes first in the page, and module scripts run in
// order), so it can keep the bundle from mounting the main component before its words arrive.

const SUPPORTED = ["fr"];
const lang = new URLSearchParams(location.search).get("lang");
const wanted = SUPPORTED.includes(lang);

/** The components' words (a promise), or null for English; demo/items.js mounts its own with them. */
export const texts = wanted ? fetch(`/texts-${lang}.json`).then((r) => r.json()) : Promise.resolve(null);

if (wanted) {
  document.documentElement.lang = lang;
  const element = document.querySelector("[data-demo-connect]");
  element.removeAttribute("data-plaid-link");
  const started = new Promise((ok) => addEventListener("TrunkApplicationStarted", ok, { once: true }));
  Promise.all([texts, started]).then(([words]) => {
    window.wasmBindings.mount(element, { texts: words, scriptSrc: element.dataset.scriptSrc });
  });
}
