// A small static server for development and tests. Hand-written (Node's own `http` and `zlib`
// only) because what it must do is specific to this page: send the cross-origin-isolation
// headers that SharedArrayBuffer needs (or leave them out, to test the fallback), the wasm MIME
// type, and a strict Content-Security-Policy. It compresses as static hosts do (brotli when the
// browser asks for it, else gzip), so what the bench counts is what a visitor downloads.
//
//   node scripts/serve.mjs [--root www] [--port 8000] [--no-isolation | --plain] [--prefix /a/b/]
//
// --no-isolation: a host where threads cannot be had at all: no COOP/COEP, and the library that
//   would add them with a service worker (coi-serviceworker.js) is served empty. (Refusing the
//   worker's script instead would make the browser log an error on the page.)
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
 * within a second or two of the page, and without this each of them asks again (a 304 of about
 * 650 bytes of headers, three per worker). A rebuild takes longer than 10 s, so a reload after
 * one still gets the new files. Static hosts cache longer (GitHub Pages: 10 minutes).
 */
const cacheControl = (type) => (type.startsWith("text/html") ? "no-cache" : "max-age=10");

function headers(type) {
  if (values.plain) return { "Content-Type": type, "Cache-Control": cacheControl(type) };
  const h = {
    "Content-Type": type,
    "Cache-Control": cacheControl(type),
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    // cross-origin, not same-origin: a cross-origin-isolated documentation page on another
    // origin may only frame the embed view (and let it use threads) if the embed allows it.
    "Cross-Origin-Resource-Policy": "cross-origin",
  };
  if (!values["no-isolation"]) {
    h["Cross-Origin-Opener-Policy"] = "same-origin";
    h["Cross-Origin-Embedder-Policy"] = "require-corp";
  }
  return h;
}

let latencyRequests = 0;

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
  // The fetch workload's latency endpoint: answers after `ms` milliseconds, so every
  // task's request really crosses the browser's network stack. A plain static host has none.
  if (!values.plain && url.pathname === `${prefix}api/latency`) {
    const ms = Math.min(60_000, Math.max(0, Number(url.searchParams.get("ms")) || 0));
    latencyRequests += 1;
    setTimeout(() => {
      res.writeHead(200, headers(types[".json"])).end(`{"ms":${ms}}`);
    }, ms);
    return;
  }
  // The page reads this file to learn whether the endpoint exists; on a static host the real
  // file says it does not (a 404 probe would log a console error).
  if (!values.plain && url.pathname === `${prefix}api/status.json`) {
    res.writeHead(200, headers(types[".json"])).end('{"latency":true}');
    return;
  }
  if (!values.plain && url.pathname === `${prefix}api/latency/count`) {
    res.writeHead(200, headers(types[".json"])).end(`{"requests":${latencyRequests}}`);
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
 * hosts send), else gzip, else raw. Images that are compressed already go out raw.
 */
function encoded(path, etag, type, accept) {
  const raw = readFileSync(path);
  const kind = /\bbr\b/.test(accept) ? "br" : /\bgzip\b/.test(accept) ? "gzip" : null;
  if (!kind || type === "image/png" || raw.length < 256) return { body: raw, encoding: null };
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

server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  const mode = values.plain
    ? "plain: no special headers"
    : values["no-isolation"]
      ? "without cross-origin isolation"
      : "cross-origin isolated";
  console.log(`serving ${root} on http://${values.host}:${port}${prefix} (${mode})`);
});
