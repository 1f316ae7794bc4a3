// Trunk's post-build hook, release builds only: the size stage (scripts/shrink/stage.mjs), unless
// PLAID_LINK_SHRINK=0 asks for Trunk's plain output; then, either way, a brotli (.br) and a gzip
// (.gz) copy beside each of the bundle's files, for servers that send precompressed files (the
// reference backend does), at levels too slow to use per request.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writePrecompressed } from "./precompress.mjs";
import { shrink, TEXT_FILES, WASM } from "./shrink/stage.mjs";

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== "release" || !dir) process.exit(0);

const files = [...TEXT_FILES, WASM];
if (process.env.PLAID_LINK_SHRINK === "0") {
  console.log("[post-build] PLAID_LINK_SHRINK=0: Trunk's plain output, no size stage");
  for (const name of files) writePrecompressed(join(dir, name), await readFile(join(dir, name)));
} else {
  const { output, index } = await shrink(dir);
  for (const name of files) {
    const contents = output.get(name) ?? (await readFile(join(dir, name)));
    await writeFile(join(dir, name), contents);
    writePrecompressed(join(dir, name), contents);
  }
  await writeFile(join(dir, "index.html"), index);
}
