// How a step of the size stage (stage.mjs) stops the build when its assumption no longer holds.

/** A step's assumption broke: stop the build, and say what to do. */
export class StageError extends Error {
  constructor(step, what) {
    super(
      `size stage, step "${step}": ${what}\n` +
        "  The toolchain's output no longer has the shape this step patches (a wasm-bindgen, Leptos or\n" +
        "  esbuild upgrade?). Build without the size stage to go on: PLAID_LINK_SHRINK=0 make test\n" +
        `  (or make bench, make demo). Then see docs/size-stage.md, step "${step}".`,
    );
  }
}

