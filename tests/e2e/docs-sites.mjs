// The documentation sites of docs.test.mjs: a MkDocs site (Material theme) and a Sphinx site,
// built by their own tools from the README's snippet for each, with five elements (the last far
// below the fold), and a plain static server for a built site with the probe in every HTML page.
// docs-loop.mjs loads the same pages many times.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { startServer } from "./harness.mjs";
import { injectProbe, probedServer, serveProbe } from "./webdriver.mjs";

export const VENV = "target/docs-venv/bin";
const PLACEHOLDER = "https://you.github.io/playground/";

/** The fenced blocks of `lang` after the paragraph that starts with `**<tool>**`. */
function snippets(readme, tool, lang, count) {
  const section = readme.slice(readme.indexOf("### In documentation tools"));
  const from = section.indexOf(`**${tool}**`);
  assert.ok(from >= 0, `README's "In documentation tools" has no **${tool}** paragraph`);
  const blocks = [...section.slice(from).matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)]
    .slice(0, count)
    .map((m) => ({ lang: m[1], text: m[2] }));
  assert.deepEqual(
    blocks.map((b) => b.lang),
    lang,
    `README's ${tool} snippet: the blocks after **${tool}**`,
  );
  return blocks.map((b) => b.text);
}

/** The four elements each site adds to its snippet's own (a threads one or model="all"). */
const MORE = {
  all: `<async-vs-threads model="all" tasks="3" delay="300"></async-vs-threads>`,
  threads: `<async-vs-threads model="threads" tasks="4" delay="300" threads="2"></async-vs-threads>`,
  factor: `<async-vs-threads view="factor" factor="io"></async-vs-threads>`,
  fetch: `<async-vs-threads model="async" workload="fetch" tasks="100" delay="300"></async-vs-threads>`,
  below: `<async-vs-threads model="async" tasks="3" delay="300"></async-vs-threads>`,
};
// Far below the fold: the element there loads nothing until it comes near the viewport.
const SPACER = `<div style="height: 5000px"></div>`;

/** Runs a command; rejects with its output if it fails. */
async function run(cmd, args, cwd) {
  const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c) => (out += c));
  child.stderr.on("data", (c) => (out += c));
  const [code] = await once(child, "exit");
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${code}):\n${out}`);
  return out;
}

/** Builds the MkDocs site embedding the playground at `url`; resolves to its HTML folder. */
export async function buildMkdocs(readme, url, dir) {
  const [yaml, markdown] = snippets(readme, "MkDocs", ["yaml", "markdown"], 2);
  const at = (text) => text.replaceAll(PLACEHOLDER, url);
  await mkdir(join(dir, "docs"), { recursive: true });
  // font: false: Material loads Google Fonts otherwise, which this closed network cannot reach.
  await writeFile(
    join(dir, "mkdocs.yml"),
    `site_name: Concurrency docs\ntheme:\n  name: material\n  font: false\n${at(yaml)}`,
  );
  const page = [
    "# Concurrency, explained",
    at(markdown),
    "Threads, two at a time:",
    MORE.threads,
    "Where each model fits I/O:",
    MORE.factor,
    "A hundred requests of 300 ms:",
    MORE.fetch,
    SPACER,
    "Far below:",
    MORE.below,
  ].join("\n\n");
  await writeFile(join(dir, "docs", "index.md"), page + "\n");
  await run(join(process.cwd(), VENV, "mkdocs"), ["build", "--strict", "--quiet"], dir);
  return join(dir, "site");
}

/** Builds the Sphinx site embedding the playground at `url`; resolves to its HTML folder. */
export async function buildSphinx(readme, url, dir) {
  const [rst] = snippets(readme, "Sphinx", ["rst"], 1);
  const raw = (html) => `.. raw:: html\n\n   ${html}`;
  await mkdir(join(dir, "src"), { recursive: true });
  // A favicon, as a site has (else the browser's request for /favicon.ico is a 404 error).
  await writeFile(
    join(dir, "src", "conf.py"),
    `project = "Concurrency docs"\nhtml_favicon = "${join(process.cwd(), "www", "favicon.svg")}"\n`,
  );
  const page = [
    "Concurrency, explained\n======================",
    rst.replaceAll(PLACEHOLDER, url).trimEnd(),
    "All three models:",
    raw(MORE.all),
    "Where each model fits I/O:",
    raw(MORE.factor),
    "A hundred requests of 300 ms:",
    raw(MORE.fetch),
    raw(SPACER),
    "Far below:",
    raw(MORE.below),
  ].join("\n\n");
  await writeFile(join(dir, "src", "index.rst"), page + "\n");
  await run(
    join(process.cwd(), VENV, "sphinx-build"),
    ["-q", "-W", "-b", "html", "src", "html"],
    dir,
  );
  return join(dir, "html");
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain",
};

/**
 * A built site's folder as a plain static host (no isolation headers, as documentation hosts),
 * with the probe in every HTML page; resolves to `{ port, problems, close }`.
 */
export async function siteServer(root, { html = injectProbe } = {}) {
  const problems = [];
  const missed = [];
  const server = createServer(async (req, res) => {
    if (serveProbe(req, res, problems)) return;
    let path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path.endsWith("/")) path += "index.html";
    const type = TYPES[extname(path)] ?? "application/octet-stream";
    try {
      let body = await readFile(join(root, path));
      if (type.startsWith("text/html")) body = html(body.toString("utf8"));
      res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" }).end(body);
    } catch {
      missed.push(path);
      res.writeHead(404).end();
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { port: server.address().port, problems, missed, close: () => server.close() };
}

/**
 * The playground served both ways (scripts/serve.mjs with its headers, and dist/ on a plain
 * static host, each behind the probe's proxy) and the four sites that embed it (MkDocs and Sphinx
 * x both hosts), each on a static server of its own; `html` is passed to siteServer. Resolves to
 * `{ sites, close }`, sites by "<tool> <host>" (`{ port, problems, missed, host }`).
 */
export async function docsSites(readme, { html } = {}) {
  for (const bin of ["mkdocs", "sphinx-build"]) {
    if (!existsSync(join(VENV, bin))) {
      throw new Error(`${VENV}/${bin} is missing: ./build.sh test installs it (setup_docs)`);
    }
  }
  const [headers, plain] = await Promise.all([
    startServer({ root: "dist" }),
    startServer({ root: "dist", args: ["--plain"] }),
  ]);
  const [headersProbed, plainProbed] = await Promise.all([
    probedServer(headers.url),
    probedServer(plain.url),
  ]);
  const servers = [headers, plain, headersProbed, plainProbed];
  const work = await mkdtemp(join(tmpdir(), "playground-docs-"));
  const hosts = { headers: headersProbed, plain: plainProbed };
  const sites = {};
  const builds = [];
  for (const [host, server] of Object.entries(hosts)) {
    for (const [tool, build] of Object.entries({ MkDocs: buildMkdocs, Sphinx: buildSphinx })) {
      builds.push(
        build(readme, server.url, join(work, `${tool}-${host}`)).then(async (dir) => {
          const site = await siteServer(dir, { html });
          servers.push(site);
          sites[`${tool} ${host}`] = { ...site, host: server };
        }),
      );
    }
  }
  const close = async () => {
    for (const s of servers) s.close();
    await rm(work, { recursive: true, force: true });
  };
  await Promise.all(builds).catch(async (e) => {
    await close();
    throw e;
  });
  return { sites, close };
}
