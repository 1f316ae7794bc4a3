// Shared set-up for the end-to-end suite: a backend (with Plaid's stand-in) on a free loopback port,
// with its own database and key, and headless Chromium. Everything started here is stopped in `after`.
import { createServer } from "node:net";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash, randomBytes } from "node:crypto";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "../..");
export const artifacts = join(root, "e2e/artifacts");
const binary = process.env.PLAID_LINK_DEV_BIN || join(root, "target/debug/plaid-link-dev");

/** Starts the backend serving the release bundle (dist/) and the plain host pages. */
/**
 * Starts a server of ours (`binary`, with `env`) and waits for the address it prints first
 * (`listening on http://127.0.0.1:…`); its stderr is kept in `logs`. `stop()` ends it (SIGTERM,
 * then waits) and removes `dir`, its own.
 */
export async function listening(binary, env, dir) {
  const child = spawn(binary, [], { env, stdio: ["ignore", "pipe", "pipe"] });
  const logs = [];
  child.stderr.on("data", (d) => logs.push(d.toString()));
  const url = await new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d.toString();
      const m = out.match(/listening on (https?:\/\/127\.0\.0\.1:\d+)/);
      if (m) ok(m[1]);
    });
    child.on("exit", (code) => fail(new Error(`${binary} exited with ${code}: ${logs.join("")}`)));
  });
  async function stop() {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return { child, url, logs, stop };
}

/**
 * The full-stack example (examples/fullstack, built by scripts/fullstack.sh) on a free loopback
 * port, with a database of its own; `extraEnv` besides (its bench members, its rate limits).
 */
export async function startFullstack(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), "plaid-link-fullstack-"));
  const env = {
    ...process.env, ADDR: "127.0.0.1:0", SITE_ROOT: process.env.PLAID_LINK_FULLSTACK_SITE,
    DATABASE_URL: join(dir, "app.db"), RUST_BACKTRACE: "0", ...extraEnv,
  };
  const { url, logs, stop } = await listening(process.env.PLAID_LINK_FULLSTACK_BIN, env, dir);
  return {
    url,
    logs,
    stop,
  };
}

export async function startBackend(extraEnv = {}, { tls = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "plaid-link-e2e-"));
  const certificate = tls ? makeCertificate(dir) : null;
  const env = {
    ...process.env,
    PLAID_ENV: "local",
    PLAID_LINK_ADDR: "127.0.0.1:0",
    PLAID_LINK_DB: join(dir, "items.db"),
    PLAID_LINK_STATIC_DIR: join(root, "dist"),
    PLAID_LINK_PAGES_DIR: join(root, "e2e/pages"),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    // The suite and the bench drive hundreds of sessions from one address, faster than any person:
    // the rate limits have tests of their own (backend/tests/standin.rs).
    PLAID_LINK_RATE_PER_CLIENT: "1000000",
    PLAID_LINK_RATE_PER_SESSION: "1000000",
    ...(certificate ? { PLAID_LINK_TLS_CERT: certificate.cert, PLAID_LINK_TLS_KEY: certificate.key } : {}),
    ...extraEnv,
  };
  const { child, url, logs, stop } = await listening(binary, env, dir);
  return {
    url,
    logs,
    pid: child.pid,
    /** The certificate's public-key hash, for Chromium's --ignore-certificate-errors-spki-list. */
    spki: certificate?.spki,
    dbPath: env.PLAID_LINK_DB,
    /** The items the backend stored, as `plaid-link-dev items` lists them. */
    items() {
      return JSON.parse(execFileSync(binary, ["items"], { env }).toString());
    },
    databaseBytes() {
      return readFileSync(env.PLAID_LINK_DB);
    },
    stop,
  };
}

/** A certificate for 127.0.0.1 made for this run, and its public key's SHA-256 (base64). */
function makeCertificate(dir) {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  // A server certificate (CA:FALSE), not openssl's default CA one: TLS clients refuse a CA as a server.
  const config = join(dir, "openssl.cnf");
  writeFileSync(config, [
    "[req]", "distinguished_name = dn", "x509_extensions = server", "prompt = no",
    "[dn]", "CN = 127.0.0.1",
    "[server]", "basicConstraints = critical, CA:FALSE", "keyUsage = critical, digitalSignature",
    "extendedKeyUsage = serverAuth", "subjectAltName = IP:127.0.0.1",
  ].join("\n"));
  execFileSync("openssl", [
    "req", "-x509", "-config", config, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", key, "-out", cert, "-days", "1",
  ], { stdio: "ignore" });
  const publicKey = execFileSync("openssl", ["x509", "-in", cert, "-pubkey", "-noout"]);
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: publicKey });
  const spki = createHash("sha256").update(der).digest("base64");
  return { cert, key, spki };
}

export async function launchBrowser({ trustSpki } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      // Trust exactly the certificate made for this run, nothing else.
      ...(trustSpki ? [`--ignore-certificate-errors-spki-list=${trustSpki}`] : []),
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * A fresh page that records what a token could leak into: console lines, and the requests it makes.
 * `setup` runs before the page loads (to route faults, say).
 */
export async function openPage(browser, url, setup = async () => {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const console = [];
  const requests = [];
  page.on("console", (m) => console.push(m.text()));
  page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
  // Run before the page's own scripts, outside its Content-Security-Policy.
  await page.addInitScript(captureWasmMemories);
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await setup(page);
  const response = await page.goto(url, { waitUntil: "domcontentloaded" });
  const headers = response.headers();
  const policy = headers["content-security-policy"] || "";
  return { page, context, console, requests, policy, headers };
}

/** An init script: keeps a handle on every WebAssembly memory (`window.__wasmMemories`). */
export function captureWasmMemories() {
  window.__wasmMemories = [];
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const original = WebAssembly[name];
    WebAssembly[name] = async function (...args) {
      const result = await original.apply(this, args);
      const instance = result.instance || result;
      for (const value of Object.values(instance.exports || {})) {
        if (value instanceof WebAssembly.Memory) window.__wasmMemories.push(value);
      }
      return result;
    };
  }
}

/**
 * An init script: watches `window.Plaid.create` from the moment Link's script defines it. Each
 * call's config is handed to the functions in `window.__plaid.onConfig` (which may wrap its
 * callbacks) before Link sees it, and the handler Link returns to `window.__plaid.onHandler`.
 * Add it before the init script that registers them: `page.addInitScript(watchPlaid)`.
 */
export function watchPlaid() {
  window.__plaid = { onConfig: [], onHandler: [] };
  let plaid;
  Object.defineProperty(window, "Plaid", {
    configurable: true,
    get: () => plaid,
    set(value) {
      const create = value.create;
      value.create = function (config) {
        for (const f of window.__plaid.onConfig) f(config);
        const handler = create.call(this, config);
        for (const f of window.__plaid.onHandler) f(handler);
        return handler;
      };
      plaid = value;
    },
  });
}

export function exchangeRequests(requests) {
  return requests.filter((r) => r.url.endsWith("/api/exchange_public_token"));
}

/** Clicks through the stand-in's Link: bank, credentials, accounts. */
export async function linkThrough(page, { bank = "First Platypus Bank", username = "user_good", password = "pass_good" } = {}) {
  const dialog = page.getByRole("dialog", { name: "Plaid Link" });
  await dialog.getByRole("button", { name: bank }).click();
  await dialog.getByLabel("Username").fill(username);
  await dialog.getByLabel("Password").fill(password);
  await dialog.getByRole("button", { name: "Submit" }).click();
  return dialog;
}

/** Waits (bounded: 10 s) until `condition()` holds; fails naming `what` otherwise. */
export async function eventually(what, condition) {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

export function screenshotPath(name) {
  mkdirSync(artifacts, { recursive: true });
  return join(artifacts, name);
}

/** Asserts `token` is in none of the page's storage, cookies, URL, DOM or console lines. */
export async function assertTokenGone({ page, context, console }, token, assert) {
  const leftovers = await pageLeftovers(page, context);
  for (const [where, text] of Object.entries(leftovers)) {
    assert.ok(!text.includes(token), `public token found in ${where}`);
  }
  assert.ok(!console.some((line) => line.includes(token)), "public token found in the console");
}

/** Everything in the page a token could have been left in. */
async function pageLeftovers(page, context) {
  const inPage = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
    url: location.href,
    dom: document.documentElement.outerHTML,
  }));
  const cookies = JSON.stringify(await context.cookies());
  return { ...inPage, cookies };
}

/**
 * The policy is strict: scripts by nonce only, no `'unsafe-eval'`, and `'unsafe-inline'` only in
 * `style-src-attr` (Link's inline style attributes, which Plaid documents; a nonce never covers an
 * attribute).
 */
export function assertStrictPolicy(policy, assert) {
  assert.match(policy, /script-src 'nonce-[^']+' 'wasm-unsafe-eval'/);
  const unsafeInline = policy.split(";").map((d) => d.trim()).filter((d) => d.includes("'unsafe-inline'"));
  assert.deepEqual(unsafeInline.map((d) => d.split(" ")[0]), unsafeInline.length ? ["style-src-attr"] : [], policy);
  assert.ok(!/'unsafe-eval'/.test(policy), policy);
}

/** The page was served under a strict policy and broke none of it. */
export async function assertStrictCsp(page, policy, assert) {
  assertStrictPolicy(policy, assert);
  const violations = await page.evaluate(() => window.__cspViolations);
  assert.deepEqual(violations, [], "Content-Security-Policy violations");
}

/** How many times `text` occurs in the page's WebAssembly memory, as UTF-8 or as UTF-16. */
export async function occurrencesInWasmMemory(page, text) {
  return page.evaluate((text) => {
    const utf8 = new TextEncoder().encode(text);
    const utf16 = new Uint8Array([...text].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]));
    const count = (haystack, needle) => {
      let n = 0;
      outer: for (let i = haystack.indexOf(needle[0]); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(needle[0], i + 1)) {
        for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
        n++;
      }
      return n;
    };
    if (window.__wasmMemories.length === 0) throw new Error("no WebAssembly memory was captured");
    return window.__wasmMemories.reduce((n, m) => {
      const bytes = new Uint8Array(m.buffer);
      return n + count(bytes, utf8) + count(bytes, utf16);
    }, 0);
  }, text);
}

/**
 * One backend and one browser for a test file, started before its first test and stopped after its
 * last: `const ctx = useServers(); … ctx.backend.url … ctx.browser`.
 */
export function useServers(extraEnv = {}, { tls = false } = {}) {
  const ctx = {};
  before(async () => {
    ctx.backend = await startBackend(extraEnv, { tls });
    ctx.browser = await launchBrowser({ trustSpki: ctx.backend.spki });
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.backend?.stop();
  });
  return ctx;
}

/** A loopback port that was free a moment ago, for a server that must be named before it starts
 * (trunk takes a port number, not 0; a redirect URI names the backend's address). */
export function freePort() {
  return new Promise((ok) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}
