// The files that say which release a folder of the page is, written by build.sh next to the page:
//
//   node scripts/release.mjs <folder>        (PUBLIC_URL=https://you.github.io/playground/)
//
// - version.js: the crate's version (Cargo.toml), which the page's footer shows and embed.js
//   exposes, so a documentation author can pin the release they embed;
// - oembed.json: the oEmbed description (type "rich", the iframe of the embed view), which the
//   page links to with <link rel="alternate" type="application/json+oembed">. oEmbed consumers
//   copy its `html` as it is, so the iframe needs the page's public address: PUBLIC_URL when the
//   build knows it, else a relative one that only works on the page's own site.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [folder] = process.argv.slice(2);
if (!folder) throw new Error("usage: node scripts/release.mjs <folder>");

const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
// The [package] table's version: the first `version = "..."` line, before any other table.
const version = cargo.split(/^\[(?!package\])/m)[0].match(/^version\s*=\s*"([^"]+)"/m)?.[1];
if (!version) throw new Error("no version in Cargo.toml's [package]");

const TITLE = "Async vs threads: concurrency playground";
// The height the run view fits in at 720 px wide; the embed tells a listening host its exact one.
const WIDTH = 720;
const HEIGHT = 480;

const base = process.env.PUBLIC_URL ? new URL(process.env.PUBLIC_URL).href : null;
const src = `${base ?? ""}index.html?embed=1&view=run`;
const escape = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
const oembed = {
  version: "1.0",
  type: "rich",
  title: TITLE,
  provider_name: "Async vs threads",
  ...(base ? { provider_url: base } : {}),
  width: WIDTH,
  height: HEIGHT,
  html:
    `<iframe src="${escape(src)}" title="${TITLE}" width="${WIDTH}" height="${HEIGHT}" ` +
    `loading="lazy" allow="cross-origin-isolated"></iframe>`,
};

writeFileSync(
  join(folder, "version.js"),
  "// Written by scripts/release.mjs from Cargo.toml: do not edit.\n" +
    `/** The release of this page and of embed.js. */\nexport const version = ${JSON.stringify(version)};\n`,
);
writeFileSync(join(folder, "oembed.json"), `${JSON.stringify(oembed, null, 2)}\n`);
console.log(`${folder}: version ${version}, oembed.json ${base ? `for ${base}` : "(relative)"}`);
