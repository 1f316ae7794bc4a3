// The core paths again in Firefox (Debian's firefox-esr, through geckodriver and WebDriver): a
// connection from the demo page and from a plain page, a Link session that ends in an error, and the
// trust boundary (hostile text stays text, injected markup chooses nothing, an injected inline
// script is blocked by the policy). Playwright's Firefox cannot be downloaded here, so this file
// drives the browser with selenium-webdriver.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { Builder, By, until } from "selenium-webdriver";
import firefox from "selenium-webdriver/firefox.js";
import { startBackend } from "./harness.js";

const HOSTILE = `<img src=x onerror="window.__pwned=1">Evil <script>window.__pwned=2</script> Bank`;
const WAIT_MS = 20_000;

let backend;
let driver;

before(async () => {
  backend = await startBackend({ PLAID_STANDIN_EXTRA_INSTITUTION: HOSTILE });
  const geckodriver = process.env.GECKODRIVER || execFileSync("sh", ["-c", "command -v geckodriver"]).toString().trim();
  const options = new firefox.Options().addArguments("-headless").setBinary(process.env.FIREFOX || "/usr/bin/firefox-esr");
  driver = await new Builder()
    .forBrowser("firefox")
    .setFirefoxOptions(options)
    .setFirefoxService(new firefox.ServiceBuilder(geckodriver))
    .build();
});

after(async () => {
  await driver?.quit();
  await backend?.stop();
});

/** A fresh page: a new origin state each time (cookies and storage cleared first). */
async function open(path) {
  await driver.get(backend.url + "/pages/embed.html");
  await driver.manage().deleteAllCookies();
  await driver.executeScript("localStorage.clear(); sessionStorage.clear();");
  await driver.get(backend.url + path);
}

/** `text` as an XPath string literal: XPath has no escapes, so `"` goes in through concat(). */
const xpathText = (text) =>
  text.includes('"') ? `concat(${text.split('"').map((part) => `"${part}"`).join(`, '"', `)})` : `"${text}"`;

async function button(name, within = "") {
  const locator = By.xpath(`${within}//button[normalize-space(.)=${xpathText(name)} or @aria-label=${xpathText(name)}]`);
  const element = await driver.wait(until.elementLocated(locator), WAIT_MS, `a button "${name}"`);
  await driver.wait(until.elementIsEnabled(element), WAIT_MS, `the button "${name}" enabled`);
  return element;
}

/** Waits until the element at `css` shows `text`, and returns what it shows. */
async function waitForText(css, text) {
  const element = await driver.wait(until.elementLocated(By.css(css)), WAIT_MS);
  await driver.wait(async () => (await element.getText()).includes(text), WAIT_MS, `"${text}" in ${css}`);
  return element.getText();
}

const DIALOG = `//*[@role="dialog"][@aria-label="Plaid Link"]`;

/** Clicks through the stand-in's Link: bank, credentials (then, if right, accounts are offered). */
async function linkThrough({ bank = "First Platypus Bank", password = "pass_good" } = {}) {
  await (await button(bank, DIALOG)).click();
  const field = async (label) => driver.wait(until.elementLocated(By.css(`[role=dialog] input[aria-label=${label}]`)), WAIT_MS);
  await (await field("Username")).sendKeys("user_good");
  await (await field("Password")).sendKeys(password);
  await (await button("Submit", DIALOG)).click();
}

async function connect(path, { bank, within = "" } = {}) {
  await open(path);
  await (await button("Connect a bank account", within)).click();
  await linkThrough({ bank });
  await (await button("Continue", DIALOG)).click();
}

/** No public token is left in the page's DOM, storage, cookies or address. */
async function assertNoPublicToken() {
  const leftovers = await driver.executeScript(() =>
    [document.documentElement.outerHTML, JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }),
      document.cookie, location.href].join("\n"));
  assert.ok(!leftovers.includes("public-sandbox-"), "a public token was left in the page");
}

test("Firefox: the demo page connects a bank; the backend stores it; no public token is left", async () => {
  const before = backend.items().length;
  await connect("/");
  const message = await waitForText(".plaid-link [role=status]", "Connected to First Platypus Bank (3 accounts).");
  assert.equal(message, "Connected to First Platypus Bank (3 accounts).");
  const items = backend.items();
  assert.equal(items.length, before + 1);
  assert.equal(items.at(-1).institution_name, "First Platypus Bank");
  await assertNoPublicToken();
  // Under the strict policy the bundle had to run with, as in Chromium.
  const policy = (await fetch(backend.url + "/")).headers.get("content-security-policy");
  assert.match(policy, /script-src 'nonce-[^']+' 'wasm-unsafe-eval'/);
});

test("Firefox: a plain HTML page embeds the bundle with one script tag and connects", async () => {
  const before = backend.items().length;
  await connect("/pages/embed.html");
  await waitForText("[role=status]", "Connected to First Platypus Bank");
  assert.equal(backend.items().length, before + 1);
  await assertNoPublicToken();
});

test("Firefox: a Link session that ends in an error is explained, and Try again reopens Link", async () => {
  const before = backend.items().length;
  await open("/");
  await (await button("Connect a bank account")).click();
  await linkThrough({ password: "pass_wrong" });
  await driver.wait(until.elementLocated(By.css("[role=dialog] [role=alert]")), WAIT_MS);
  await (await button("Close", DIALOG)).click();
  await waitForText(".plaid-link [role=status]", "The provided credentials were not correct");
  await (await button("Try again")).click();
  await driver.wait(until.elementLocated(By.xpath(DIALOG)), WAIT_MS, "Link open again");
  assert.equal(backend.items().length, before, "nothing was exchanged");
});

test("Firefox: an institution name holding markup and a script is shown as text and never runs", async () => {
  await connect("/", { bank: HOSTILE });
  const message = await waitForText(".plaid-link [role=status]", "Connected to");
  assert.equal(message, `Connected to ${HOSTILE} (3 accounts).`);
  assert.equal(await driver.executeScript("return window.__pwned"), null);
  assert.equal((await driver.findElements(By.css(".plaid-link img, .plaid-link script"))).length, 0);
});

test("Firefox: injected markup chooses neither the script nor the endpoints, its inline script is blocked, the page's own component connects", async () => {
  await connect("/pages/injected.html", { within: `//*[@id="real"]` });
  await waitForText("#real [role=status]", "Connected to First Platypus Bank");
  await waitForText("#evil-script [role=status]", "not Plaid's");
  await waitForText("#evil-exchange [role=status]", "another site");
  await waitForText("#evil-token [role=status]", "another site");
  assert.equal(await driver.executeScript("return window.__evil"), null, "the injected script never ran");
  assert.equal((await driver.findElements(By.css(`script[src^="http://127.0.0.1:9"]`))).length, 0);
  assert.equal(await driver.executeScript("return window.__injectedInline"), null, "the injected inline script ran");
  await assertNoPublicToken();
});
