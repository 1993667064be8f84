// Writes www/pkg/modules.js for build.sh: each wasm build's glue and the modules it imports
// (wasm-bindgen's snippets, whose folder names carry a hash), so that www/engine.js can fetch
// them together with the glue instead of one round trip after it.
import { readFileSync, writeFileSync } from "node:fs";

const modules = {};
for (const kind of ["mt", "st"]) {
  const glue = readFileSync(`www/pkg/${kind}/playground.js`, "utf8");
  const imports = [...glue.matchAll(/^import [^;]*?from ['"]\.\/([^'"]+)['"]/gm)].map((m) => m[1]);
  if (imports.length === 0) {
    throw new Error(
      `no imports found in www/pkg/${kind}/playground.js: review scripts/module-list.mjs`,
    );
  }
  modules[kind] = ["playground.js", ...imports].map((path) => `./${kind}/${path}`);
}
writeFileSync(
  "www/pkg/modules.js",
  "// Written by build.sh (scripts/module-list.mjs): each build's glue and the modules it imports.\n" +
    `export const modules = ${JSON.stringify(modules, null, 2)};\n`,
);
