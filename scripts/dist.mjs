// dist/: the page as users get it, for any static host, from www/ as built.
//
// www/ is plain ES modules, one file per concern, which is what the page is developed, served
// (`./build.sh serve`) and type-checked as. Shipped that way, a first visit made a request per
// module, and on a slow phone every one of them stood between the page and its first paint, as
// Lighthouse's simulation of one showed (BENCHMARKS.md, "Figures behind design choices").
// esbuild (npm, pinned) bundles the modules into their entry points and a few shared chunks with
// content-hashed names, and minifies them, the classic scripts and the stylesheet. The tests and
// the bench run this folder.
//
// Entry points are the modules something loads by URL, whose names stay: main.js and engine.js
// (index.html), playground.js (the public API, typed by playground.d.ts), embed.js (the
// `<async-vs-threads>` element a documentation page loads) and process.js (the worker of the
// processes model). The wasm-bindgen glue under pkg/ stays as it is: the thread pool's workers
// import it by URL, and the page must share that one instance of it.
//
// Usage: node scripts/dist.mjs [www] [dist]
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { extname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { brotliCompressSync, constants as zlib } from "node:zlib";

const [from = "www", to = "dist"] = process.argv.slice(2);
const ENTRIES = ["main.js", "engine.js", "playground.js", "embed.js", "process.js"];
/** Classic scripts of index.html's head (not modules); minified, kept as they are. */
const CLASSIC = ["coi.js", "coi-serviceworker.js", "embed-view.js"];

rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
// GitHub Pages would otherwise run the folder through Jekyll.
writeFileSync(join(to, ".nojekyll"), "");

const { metafile } = await esbuild.build({
  absWorkingDir: resolve(from),
  entryPoints: ENTRIES,
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  // Browsers the page supports: the three engines the tests drive, and their recent peers.
  target: ["es2022", "chrome110", "firefox115", "safari16"],
  outdir: resolve(to),
  chunkNames: "[name]-[hash]",
  external: ["./pkg/*"],
  allowOverwrite: true,
  metafile: true,
  logLevel: "warning",
});

// The metafile's paths are relative to `from`; here they are made relative to `to`. (An input's
// path is the same in both: dist/ is a copy of www/.)
const inTo = (path) => relative(resolve(to), resolve(from, path));
const outputs = Object.entries(metafile.outputs).map(([path, o]) => ({ file: inTo(path), ...o }));
const produced = new Set(outputs.map((o) => o.file));
// Each module that went into a bundle is no longer served on its own, nor its type declarations:
// leave them out of dist/ (an entry point keeps its name, and playground.d.ts with it).
for (const input of Object.keys(metafile.inputs)) {
  if (produced.has(input)) continue;
  rmSync(join(to, input), { force: true });
  rmSync(join(to, input.replace(/\.js$/, ".d.ts")), { force: true });
}

// coi.js preloads the threaded glue's imports as it starts the glue's import (on a page that
// will load that build): their names, from the glue itself.
{
  const file = join(to, "coi.js");
  const code = readFileSync(file, "utf8");
  const glueSource = readFileSync(join(to, "pkg/mt/playground.js"), "utf8");
  const imports = [...glueSource.matchAll(/^import\b[^;]*?from\s*["'](\.\/[^"']+)["']/gm)].map(
    ([, path]) => `pkg/mt/${path.slice(2)}`,
  );
  const marker = "const GLUE_IMPORTS = [];";
  if (!code.includes(marker) || !imports.length) {
    throw new Error(`scripts/dist.mjs: cannot write the glue's imports into ${from}/coi.js`);
  }
  writeFileSync(file, code.replace(marker, `const GLUE_IMPORTS = ${JSON.stringify(imports)};`));
}
for (const name of CLASSIC) {
  const file = join(to, name);
  const { code } = await esbuild.transform(readFileSync(file, "utf8"), {
    minify: true,
    target: "es2022",
  });
  writeFileSync(file, code);
}
// The wasm-bindgen glue and its snippets under pkg/ keep their names and modules (the pool's
// workers import them by URL), but not their comments and spaces: minified in place, whitespace
// and local names only, so the code's literals and exports stay as wasm-bindgen wrote them.
const glue = (dir) =>
  readdirSync(join(to, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? glue(`${dir}/${e.name}`) : e.name.endsWith(".js") ? [`${dir}/${e.name}`] : [],
  );
for (const name of glue("pkg")) {
  const file = join(to, name);
  const { code } = await esbuild.transform(readFileSync(file, "utf8"), {
    minifyWhitespace: true,
    minifyIdentifiers: true,
    format: "esm",
    target: "es2022",
  });
  writeFileSync(file, code);
}
const css = join(to, "style.css");
writeFileSync(
  css,
  (await esbuild.transform(readFileSync(css, "utf8"), { loader: "css", minify: true })).code,
);

// index.html preloads every module the page's two module scripts import, so they are fetched at
// once rather than discovered one import after another: the bundles' chunks replace www's list.
const byFile = new Map(outputs.map((o) => [o.file, o]));
const preload = new Set();
const walk = (file) => {
  for (const i of byFile.get(file).imports) {
    if (i.kind !== "import-statement" || i.external) continue;
    const dep = inTo(i.path);
    if (preload.has(dep)) continue;
    preload.add(dep);
    walk(dep);
  }
};
walk("engine.js");
walk("main.js");
const page = join(to, "index.html");
const html = readFileSync(page, "utf8");
const anchor = '<script type="module" async src="engine.js"></script>';
if (!html.includes(anchor) || !/<link rel="modulepreload"/.test(html)) {
  throw new Error(`scripts/dist.mjs: ${from}/index.html no longer has ${anchor} and its preloads`);
}
// The comparison table's rows and verdicts, written from factors.js (its factorsHtml) into the
// page, so they are in the HTML as first painted rather than made by the module after it: the
// factor view's largest paint is its row, and Lighthouse counted the engine's download, begun
// before the module ran, as holding it up (BENCHMARKS.md). factors.js only wires them.
const { factorsHtml } = await import(pathToFileURL(resolve(from, "factors.js")).href);
const factors = factorsHtml();
const FACTOR_ROWS = /(<table id="factors">[\s\S]*?<tbody>)(<\/tbody>)/;
const VERDICT_LIST = /(<ul id="verdicts" class="verdicts">)(<\/ul>)/;
if (!FACTOR_ROWS.test(html) || !VERDICT_LIST.test(html)) {
  throw new Error(
    `scripts/dist.mjs: ${from}/index.html no longer has the empty factor table and verdicts`,
  );
}
// The page's comments are for its developers, who read www/: each stands on lines of its own,
// which go, so no text or element ends up nearer its neighbour.
writeFileSync(
  page,
  html
    .replace(FACTOR_ROWS, (_, open, close) => `${open}\n${factors.rows}\n${close}`)
    .replace(VERDICT_LIST, (_, open, close) => `${open}\n${factors.verdicts}\n${close}`)
    .replace(/\n[ \t]*<!--[\s\S]*?-->(?=\n)/g, "")
    .replace(/\n\s*<link rel="modulepreload" href="[^"]*" \/>/g, "")
    .replace(
      anchor,
      anchor + [...preload].map((f) => `\n    <link rel="modulepreload" href="${f}" />`).join(""),
    ),
);

// Which of www's modules each bundle holds, largest first, for the bench's trace of a load
// (bench/load-trace.mjs names the modules behind a bundle's time); kept out of dist/.
const chunks = Object.fromEntries(
  outputs.map((o) => [
    o.file,
    Object.entries(o.inputs)
      .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
      .map(([input]) => input),
  ]),
);
mkdirSync("target", { recursive: true });
writeFileSync("target/dist-chunks.json", JSON.stringify(chunks, null, 1));
// The offline cache's list (scripts/offline-sw.js): every file of the build a page or a run may
// load, written into the service worker with the release and a hash of the files, which names
// its cache, so that any change to the build is a new worker and a new cache.
const listed = (dir) =>
  readdirSync(join(to, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) return path === "api" ? [] : listed(path);
    return e.name.startsWith(".") || e.name.endsWith(".d.ts") ? [] : [path];
  });
const files = listed("").sort();
const hash = createHash("sha256");
for (const f of files)
  hash
    .update(f)
    .update("\0")
    .update(readFileSync(join(to, f)));
const release = readFileSync(join(from, "version.js"), "utf8").match(/version = "([^"]+)"/)?.[1];
if (!release) throw new Error(`scripts/dist.mjs: no version in ${from}/version.js`);
const worker = join(to, "coi-serviceworker.js");
const offline = { version: release, build: hash.digest("hex").slice(0, 12), files };
writeFileSync(
  worker,
  `const PLAYGROUND_OFFLINE=${JSON.stringify(offline)};\n${readFileSync(worker, "utf8")}`,
);

// Each text file and the wasm modules compressed once, at brotli's highest level, next to the
// file (name.br): what a host that serves precompressed files sends (scripts/serve.mjs does when
// the browser accepts brotli), rather than the quicker level a server affords on the fly. Last,
// after the offline cache's list, which leaves them out: a browser asks for the file, never the
// .br. A host that compresses on the fly (GitHub Pages: gzip) ignores them.
const COMPRESSED = new Set([".html", ".js", ".mjs", ".css", ".json", ".wasm", ".svg", ".txt"]);
let precompressed = 0;
for (const f of files) {
  if (!COMPRESSED.has(extname(f))) continue;
  const raw = readFileSync(join(to, f));
  const br = brotliCompressSync(raw, {
    params: {
      [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
      [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  if (br.length >= raw.length) continue;
  writeFileSync(join(to, `${f}.br`), br);
  precompressed += 1;
}

// Every file a page or worker loads by name must still be there.
for (const name of [...ENTRIES, ...CLASSIC, "style.css", "index.html"]) {
  if (!existsSync(join(to, name))) throw new Error(`scripts/dist.mjs: ${to}/${name} is missing`);
}
console.error(
  `dist: ${ENTRIES.length} entry points, ${outputs.length - ENTRIES.length} shared or lazy chunks; ` +
    `index.html preloads ${[...preload].join(", ")}; ${precompressed} files precompressed (.br)`,
);
