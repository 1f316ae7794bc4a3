// The Layer page's own code: Link is made at once (so Layer can preload), the phone number is
// submitted to it, and the LAYER_* events decide what comes next.
import { mount } from "/plaid-link.js";

const say = (text) => { document.querySelector("[data-layer-state]").textContent = text; };
const phone = document.querySelector("[data-layer-phone]");
const birth = document.querySelector("[data-layer-birth]");
window.__events = [];

const link = mount(document.querySelector("[data-layer-link]"), {
  scriptSrc: "/plaid/link/v2/stable/link-initialize.js",
  label: "Continue with Plaid",
  onEvent(name) {
    window.__events.push(name);
    if (name === "LAYER_READY") say("You can continue with Plaid.");
    if (name === "LAYER_NOT_AVAILABLE") { say("Tell us your date of birth."); birth.hidden = false; }
    if (name === "LAYER_AUTOFILL_NOT_AVAILABLE") say("Connect your bank with Plaid.");
  },
});

phone.addEventListener("submit", (event) => {
  event.preventDefault();
  link.submit({ phone_number: phone.elements.phone.value });
});
birth.addEventListener("submit", (event) => {
  event.preventDefault();
  link.submit({ date_of_birth: birth.elements.birth.value });
});
