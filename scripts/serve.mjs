// A small static server for development and tests. Hand-written (Node's own `http` and `zlib`
// only) because what it must do is specific to this page: send the cross-origin-isolation
// headers that SharedArrayBuffer needs (COOP/COEP, and Document-Isolation-Policy for embeds), or
// leave them out to test the fallback, the wasm MIME type, and a strict Content-Security-Policy.
// It compresses as static hosts do (brotli when the browser asks for it, from the build's
// precompressed .br files where dist/ has them, else gzip), so what the bench counts is what a
// visitor downloads from a host that serves precompressed files.
//
//   node scripts/serve.mjs [--root www] [--port 8000] [--no-isolation | --plain] [--prefix /a/b/]
//
// --no-isolation: a host where threads cannot be had at all: no isolation headers, and the
//   library that would add them with a service worker (coi-serviceworker.js) is served empty.
//   (Refusing the worker's script instead would make the browser log an error on the page.)
// --plain: an ordinary static host (GitHub Pages and the like): no special headers at all, so
//   the page's own service worker has to make it cross-origin isolated.
// --prefix: serve the root under a sub-path, as a project site is (/docs/playground/).
// --log-bytes: print a line per response, `sent <status> <bytes with headers> <path>`, so the
//   bench counts what a visit really downloads (workers included, cache hits excluded).
import { createServer } from "node:http";
import { readFileSync, statSync } from "node:fs";
import { extname, join, normalize, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: "www" },
    port: { type: "string", default: process.env.PORT ?? "8000" },
    host: { type: "string", default: "127.0.0.1" },
    "no-isolation": { type: "boolean", default: false },
    plain: { type: "boolean", default: false },
    prefix: { type: "string", default: "/" },
    "log-bytes": { type: "boolean", default: false },
  },
});

const root = resolve(values.root);
const prefix = `/${values.prefix}/`.replace(/\/+/g, "/");
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors *",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join("; ");

/**
 * The page itself is revalidated on every visit (so a rebuild shows at once); the files it loads
 * may be reused for 10 s without asking: the pool's workers load the same glue and worker helper
 * within a second or two of the page, and without this each of them asks again (a 304 with its
 * headers, three per worker). A rebuild takes longer than 10 s, so a reload after one still gets
 * the new files. Static hosts cache longer (GitHub Pages: 10 minutes).
 */
const cacheControl = (type) => (type.startsWith("text/html") ? "no-cache" : "max-age=10");

function headers(type) {
  // Access-Control-Allow-Origin: documentation pages on other origins load embed.js (a module
  // script, fetched with CORS) and oembed.json; GitHub Pages sends the same for every file.
  const common = {
    "Content-Type": type,
    "Cache-Control": cacheControl(type),
    "Access-Control-Allow-Origin": "*",
  };
  if (values.plain) return common;
  const h = {
    ...common,
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    // cross-origin, not same-origin: a cross-origin-isolated documentation page on another
    // origin may only frame the embed view (and let it use threads) if the embed allows it.
    "Cross-Origin-Resource-Policy": "cross-origin",
  };
  if (!values["no-isolation"]) {
    h["Cross-Origin-Opener-Policy"] = "same-origin";
    h["Cross-Origin-Embedder-Policy"] = "require-corp";
    // Isolates the document by itself, whatever page frames it (Chromium 137+): an embed on an
    // ordinary documentation page gets threads. COOP/COEP stay for Firefox and Safari, which
    // isolate a top-level page (or a frame in an isolated page) only with them.
    h["Document-Isolation-Policy"] = "isolate-and-require-corp";
  }
  return h;
}

// The latency endpoint's counters: every request it received, the requests under way now and the
// most under way at once since the last `api/latency/count?reset=1`, which proves how many requests
// really reached this server at the same moment (the browser queues the rest).
const latency = { requests: 0, inFlight: 0, peak: 0 };

/**
 * The fetch workload's latency endpoint: answers after `ms` milliseconds, so every task's
 * request really crosses the browser's network stack. `fail` makes this request fail for real:
 * `http500` answers 500 after the delay, `drop` sends the headers and part of the body and then
 * destroys the connection, `stall` never answers (the task's own timeout ends it; a client that
 * gives up closes the connection, which frees it here). Every response says who answered
 * (`X-Answered-By`) and when the request arrived (`X-Received-At`, ms since the epoch).
 */
function answerLatency(req, res, url) {
  const ms = Math.min(60_000, Math.max(0, Number(url.searchParams.get("ms")) || 0));
  const fail = url.searchParams.get("fail");
  const receivedAt = Date.now();
  latency.requests += 1;
  latency.inFlight += 1;
  latency.peak = Math.max(latency.peak, latency.inFlight);
  let open = true;
  const done = () => {
    if (open) latency.inFlight -= 1;
    open = false;
  };
  res.on("close", done);
  // Never from a cache: a page's run numbers its URLs from 0 (src/workload.rs's request_url), so
  // a second page of the same origin within max-age asks for the same URLs, and Firefox answered
  // them from its HTTP cache (100 requests of 300 ms in 91 ms, tests/e2e/docs.test.mjs).
  const head = (status) =>
    res.writeHead(status, {
      ...headers(types[".json"]),
      "Cache-Control": "no-store",
      "X-Answered-By": "server",
      "X-Received-At": String(receivedAt),
    });
  if (fail === "stall") {
    // Never answered; a stalled request is dropped after two minutes so nothing piles up.
    const timer = setTimeout(() => res.destroy(), 120_000);
    res.on("close", () => clearTimeout(timer));
    return;
  }
  setTimeout(() => {
    if (!open) return;
    if (fail === "http500") {
      head(500);
      res.end(`{"error":"the server failed this request on purpose (fail=http500)"}`);
    } else if (fail === "drop") {
      // A body longer than what is sent, then the connection closes: the client sees a
      // network error while reading the response.
      res.writeHead(200, {
        ...headers(types[".json"]),
        "Content-Length": "1000",
        "X-Answered-By": "server",
        "X-Received-At": String(receivedAt),
      });
      res.write(`{"ms":${ms},"partial":`);
      setTimeout(() => res.destroy(), 20);
    } else {
      head(200);
      res.end(`{"ms":${ms}}`);
    }
  }, ms);
}

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (values["log-bytes"]) {
    const socket = req.socket;
    res.on("finish", () => {
      // bytesWritten counts the whole connection: log the growth since its last response.
      const sent = socket.bytesWritten - (socket.loggedBytes ?? 0);
      socket.loggedBytes = socket.bytesWritten;
      console.log(`sent ${res.statusCode} ${sent} ${url.pathname}`);
    });
  }
  if (`${url.pathname}/` === prefix) {
    res.writeHead(301, { Location: prefix + url.search }).end();
    return;
  }
  if (!url.pathname.startsWith(prefix)) {
    res.writeHead(404, headers("text/plain; charset=utf-8")).end("not found");
    return;
  }
  if (values["no-isolation"] && url.pathname === `${prefix}coi-serviceworker.js`) {
    res.writeHead(200, headers(types[".js"])).end("// served empty: --no-isolation\n");
    return;
  }
  if (!values.plain && url.pathname === `${prefix}api/latency`) {
    answerLatency(req, res, url);
    return;
  }
  // The page reads this file to learn whether the endpoint exists; on a static host the real
  // file says it does not (a 404 probe would log a console error).
  if (!values.plain && url.pathname === `${prefix}api/status.json`) {
    res.writeHead(200, headers(types[".json"])).end('{"latency":true,"answeredBy":"server"}');
    return;
  }
  if (!values.plain && url.pathname === `${prefix}api/latency/count`) {
    const body = JSON.stringify(latency);
    if (url.searchParams.get("reset") === "1") latency.peak = latency.inFlight;
    res.writeHead(200, { ...headers(types[".json"]), "Cache-Control": "no-store" }).end(body);
    return;
  }
  let path = normalize(join(root, decodeURIComponent(url.pathname.slice(prefix.length - 1))));
  if (path !== root && !path.startsWith(root + sep)) {
    res.writeHead(403).end("forbidden");
    return;
  }
  let stat;
  try {
    if (statSync(path).isDirectory()) path = join(path, "index.html");
    stat = statSync(path);
  } catch {
    res.writeHead(404, headers("text/plain; charset=utf-8")).end("not found");
    return;
  }
  const type = types[extname(path)] ?? "application/octet-stream";
  const etag = `W/"${stat.size}-${stat.mtimeMs}"`;
  const vary = { ETag: etag, Vary: "Accept-Encoding" };
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { ...headers(type), ...vary }).end();
    return;
  }
  const { body, encoding } = encoded(
    path,
    etag,
    type,
    String(req.headers["accept-encoding"] ?? ""),
  );
  res.writeHead(200, {
    ...headers(type),
    ...vary,
    ...(encoding && { "Content-Encoding": encoding }),
    "Content-Length": body.length,
  });
  res.end(req.method === "HEAD" ? undefined : body);
});

/** Compressed copies by path and version: each file is compressed once per build. */
const compressed = new Map();

/**
 * The file's bytes as the browser asked for them: brotli where accepted (as CDNs and most static
 * hosts send), else gzip, else raw. Images that are compressed already go out raw. Brotli comes
 * from the build's precompressed copy (name.br, scripts/dist.mjs) when there is one at least as
 * new as the file, as a host that serves precompressed files sends it; else it is compressed
 * here, at the level a server affords on the fly.
 */
function encoded(path, etag, type, accept) {
  const raw = readFileSync(path);
  const kind = /\bbr\b/.test(accept) ? "br" : /\bgzip\b/.test(accept) ? "gzip" : null;
  if (!kind || type === "image/png" || raw.length < 256) return { body: raw, encoding: null };
  if (kind === "br") {
    const pre = precompressed(path);
    if (pre) return { body: pre, encoding: kind };
  }
  const key = `${kind} ${path} ${etag}`;
  let body = compressed.get(key);
  if (!body) {
    body =
      kind === "br"
        ? brotliCompressSync(raw, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: 9,
              [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
            },
          })
        : gzipSync(raw, { level: 9 });
    compressed.set(key, body);
  }
  return { body, encoding: kind };
}

/** The build's brotli copy of `path` (path.br), if there is one no older than the file. */
function precompressed(path) {
  try {
    if (statSync(`${path}.br`).mtimeMs < statSync(path).mtimeMs) return null;
    return readFileSync(`${path}.br`);
  } catch {
    return null;
  }
}

server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  const mode = values.plain
    ? "plain: no special headers"
    : values["no-isolation"]
      ? "without cross-origin isolation"
      : "cross-origin isolated";
  console.log(`serving ${root} on http://${values.host}:${port}${prefix} (${mode})`);
});
