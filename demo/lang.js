// The demo in another language: `?lang=fr` gives the page's components French words, as any page
// can: `data-texts` holds a JSON object from the English templates (`plaid_link::texts::ENGLISH`)
// to the page's own. This script comes before Trunk's loader in the page, and module scripts run
// in order, so the words are in place before the bundle mounts its components.
import fr from "./texts-fr.json" with { type: "json" };

const languages = { fr };
const lang = new URLSearchParams(location.search).get("lang");
const texts = Object.hasOwn(languages, lang) ? languages[lang] : null;
if (texts) {
  document.documentElement.lang = lang;
  for (const element of document.querySelectorAll("[data-plaid-link], [data-plaid-link-embedded]")) {
    element.dataset.texts = JSON.stringify(texts);
  }
}
