// A small static server for development and tests. Hand-written (about 60 lines, Node's own
// `http` only) because what it must do is specific to this page: send the cross-origin-isolation
// headers that SharedArrayBuffer needs (or leave them out, to test the fallback), the wasm MIME
// type, and a strict Content-Security-Policy.
//
//   node scripts/serve.mjs [--root www] [--port 8000] [--no-isolation]
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, resolve, sep } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: "www" },
    port: { type: "string", default: process.env.PORT ?? "8000" },
    host: { type: "string", default: "127.0.0.1" },
    "no-isolation": { type: "boolean", default: false },
  },
});

const root = resolve(values.root);
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

function headers(type) {
  const h = {
    "Content-Type": type,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    "Cross-Origin-Resource-Policy": "same-origin",
  };
  if (!values["no-isolation"]) {
    h["Cross-Origin-Opener-Policy"] = "same-origin";
    h["Cross-Origin-Embedder-Policy"] = "require-corp";
  }
  return h;
}

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  let path = normalize(join(root, decodeURIComponent(url.pathname)));
  if (path !== root && !path.startsWith(root + sep)) {
    res.writeHead(403).end("forbidden");
    return;
  }
  try {
    if (statSync(path).isDirectory()) path = join(path, "index.html");
    statSync(path);
  } catch {
    res.writeHead(404, headers("text/plain; charset=utf-8")).end("not found");
    return;
  }
  res.writeHead(200, headers(types[extname(path)] ?? "application/octet-stream"));
  createReadStream(path).pipe(res);
});

server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  const mode = values["no-isolation"] ? "without cross-origin isolation" : "cross-origin isolated";
  console.log(`serving ${root} on http://${values.host}:${port}/ (${mode})`);
});
