// Builds the bench's pages into target/bench/pages: the React peer (esbuild, minified, production
// React) and the small pages that expose each component's mount() for the mount/unmount cycles.
import { build } from "esbuild";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { writePrecompressed } from "../../scripts/precompress.mjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "../../target/bench/pages");
mkdirSync(out, { recursive: true });
cpSync(join(here, "../pages"), out, { recursive: true });

await build({
  entryPoints: [join(here, "src/app.jsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  outfile: join(out, "peer.js"),
  logLevel: "warning",
});
// react-plaid-link always loads Link from Plaid's CDN; offline, both pages load the same local
// stand-in from the page's origin instead (the same number of bytes to within a few).
const peer = join(out, "peer.js");
const code = readFileSync(peer, "utf8");
const cdn = "https://cdn.plaid.com/link/v2/stable/link-initialize.js";
if (!code.includes(cdn)) throw new Error("react-plaid-link's script URL not found in the peer bundle");
const bundle = Buffer.from(code.replaceAll(cdn, "/plaid/link/v2/stable/link-initialize.js"));
writeFileSync(peer, bundle);
// Served precompressed, as our bundle is.
writePrecompressed(peer, bundle);
