// Shortens the names the WebAssembly imports its JavaScript glue by: wasm-bindgen names each one
// `__wbg_<method>_<16 hex digits>`, 161 of them in our bundle, written once in the .wasm and once
// in the glue; the hex digits do not compress. Both files get the same short names ("a", "b", …,
// "ba", …): about 5 KB less gzip. wasm-opt's --minify-imports does this only for imports from
// "env", so it leaves wasm-bindgen's alone. Also drops the custom sections no browser reads.
//
// Only the import section is rewritten (names are data there, not code), and a name is renamed in
// the glue only where it occurs exactly once, as the key that defines it; anything else stops the
// build rather than ship a bundle whose imports do not match.

import { StageError } from "./stage-error.mjs";

const UNREAD_SECTIONS = new Set(["producers", "target_features", "__wasm_split_unstable"]);
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** The `i`-th short name: a … Z, then aa, ab, … (bijective base 52). */
function shortName(i) {
  let name = "";
  do {
    name = LETTERS[i % 52] + name;
    i = Math.floor(i / 52) - 1;
  } while (i >= 0);
  return name;
}

/** Reads an unsigned LEB128 number at `at`: [value, next offset]. */
export function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

const name = (text) => {
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([leb(bytes.length), bytes]);
};

/** Reads a name at `at`: [text, next offset]. */
function readName(bytes, at) {
  const [length, start] = readLeb(bytes, at);
  return [bytes.subarray(start, start + length).toString("utf8"), start + length];
}

/** Skips an import's descriptor (function, table, memory or global) at `at`. */
function skipDescriptor(bytes, at) {
  const kind = bytes[at++];
  const limits = (j) => {
    const flags = bytes[j++];
    [, j] = readLeb(bytes, j);
    if (flags & 1) [, j] = readLeb(bytes, j);
    return j;
  };
  if (kind === 0) return readLeb(bytes, at)[1]; // function: type index
  if (kind === 1) return limits(at + 1); // table: element type, limits
  if (kind === 2) return limits(at); // memory: limits
  if (kind === 3) return at + 2; // global: value type, mutability
  throw new StageError("import names", `unknown import kind ${kind}`);
}

/** Returns `{wasm, glue, renamed}` with short import names in both. */
export function shortenImports(wasm, glue) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new StageError("import names", "not a WebAssembly module");
  const parts = [wasm.subarray(0, 8)];
  const renames = new Map();
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at];
    const [size, start] = readLeb(wasm, at + 1);
    const end = start + size;
    const body = wasm.subarray(start, end);
    if (id === 0 && UNREAD_SECTIONS.has(readName(body, 0)[0])) {
      at = end;
      continue;
    }
    if (id !== 2) {
      parts.push(wasm.subarray(at, end));
      at = end;
      continue;
    }
    let [count, j] = readLeb(body, 0);
    const imports = [leb(count)];
    for (let k = 0; k < count; k++) {
      let module, field;
      [module, j] = readName(body, j);
      [field, j] = readName(body, j);
      const descriptor = j;
      j = skipDescriptor(body, j);
      if (!renames.has(field)) renames.set(field, shortName(renames.size));
      imports.push(name(module), name(renames.get(field)), body.subarray(descriptor, j));
    }
    const section = Buffer.concat(imports);
    parts.push(Buffer.from([2]), leb(section.length), section);
    at = end;
  }
  for (const [old, short] of renames) {
    const pattern = new RegExp(`\\b${old}\\b`, "g");
    const found = glue.match(pattern)?.length ?? 0;
    if (found !== 1) throw new StageError("import names", `${old} occurs ${found} times in the glue, not once`);
    glue = glue.replace(pattern, short);
  }
  return { wasm: Buffer.concat(parts), glue, renamed: renames.size };
}
