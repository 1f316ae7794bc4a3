// Writes `<path>.br` (brotli 11) and `<path>.gz` (gzip 9) beside a file, for servers that send
// precompressed files (the reference backend does). One place, so that our bundle (scripts/post-build.mjs)
// and the bench's React peer (bench/peer/build.mjs) are compressed alike.
import { writeFileSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

export function writePrecompressed(path, contents) {
  const bytes = Buffer.from(contents);
  const brotli = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length };
  writeFileSync(`${path}.br`, brotliCompressSync(bytes, { params: brotli }));
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
}
