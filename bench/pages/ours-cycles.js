// Exposes the embed module's mount() to the bench, as the peer's page exposes its own.
import { mount } from "/plaid-link.js";

window.__bench = {
  mount(element) {
    const mounted = mount(element, { scriptSrc: "/plaid/link/v2/stable/link-initialize.js" });
    return () => mounted.unmount();
  },
};
