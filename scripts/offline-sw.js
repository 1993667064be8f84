// The page's files kept for use without the network, by the page's service worker. Built into
// www/coi-serviceworker.js first, ahead of the latency endpoint (scripts/latency-sw.js) and the
// coi-serviceworker library, which both send their requests through `playgroundOffline.fetch`
// (a scope has one service worker, so this cannot be a worker of its own).
//
// Network first, the cache only when the network fails. (Scripts, styles and the wasm, which the
// latency endpoint's part leaves to the browser, come here only while the network is known not
// to answer: see PASS_THROUGH in scripts/latency-sw.js.) Why not stale-while-revalidate: the
// page's files are not all named by their content (index.html, the wasm-bindgen glue and its
// module under pkg/, which the pool's workers import by URL, coi.js, style.css), so a cache that
// answers first and refreshes behind would hand a page of the new release the old release's
// glue beside the new wasm (or the reverse) on the first visit after a release: a page that
// fails to start. Network first serves what the server has whenever there is a server, so a
// release is in effect at once, and `./build.sh serve` still shows an edit on reload; the cache
// only stands in when nothing answers.
//
// The cache is named by the release and the build (scripts/dist.mjs writes both, with the list
// of the build's files, into dist/'s copy of this worker as `PLAYGROUND_OFFLINE`). A new build is
// a new worker script, so the browser installs it; it fills a cache of its own and deletes the
// others when it activates. The page asks for the list once it is ready (www/offline.js), after
// its own first load, so that files a first visit did not load (the processes' worker, the
// panels loaded on demand) are there offline too; of the two wasm builds, the one it uses.
//
// Responses taken from the cache go through the same code as the network's: the library still
// adds COOP/COEP/CORP (and Document-Isolation-Policy) to documents and worker scripts, so a page
// loaded offline is cross-origin isolated and keeps its threads.
/* global PLAYGROUND_OFFLINE */
const playgroundOffline =
  typeof window !== "undefined"
    ? null
    : (() => {
        /** `./build.sh serve` serves www/, which has no list: only what passes is kept. */
        const build =
          typeof PLAYGROUND_OFFLINE === "object"
            ? PLAYGROUND_OFFLINE
            : { version: "dev", build: "www", files: null };
        const PREFIX = "playground-offline-";
        const NAME = `${PREFIX}${build.version}-${build.build}`;
        const scope = self.registration.scope;
        const index = new URL("index.html", scope).href;
        const opened = caches.open(NAME);
        /** URLs put in the cache by this worker: a file is kept once per worker (per build). */
        const kept = new Set();

        /** Whether `request` is one of the page's files: a GET in the scope, not an endpoint. */
        const keepable = (request) =>
          request.method === "GET" &&
          request.url.startsWith(scope) &&
          !request.url.slice(scope.length).startsWith("api/");

        /** The page's document is the same for every query string (the options). */
        const keyOf = (request) => {
          if (request.mode !== "navigate") return request.url;
          const url = new URL(request.url);
          const path = url.origin + url.pathname;
          return path === scope ? index : path;
        };

        const keep = (key, response) => {
          // A redirected response cannot answer a navigation: the page's document is kept as
          // index.html itself (the list has it).
          if (kept.has(key) || response.status !== 200 || response.redirected) return;
          if (response.type !== "basic") return;
          kept.add(key);
          const copy = response.clone();
          opened.then((cache) => cache.put(key, copy)).catch(() => kept.delete(key));
        };

        /**
         * Whether the page's document came from the network when it was last asked for; null
         * before the first in this worker's life. A page learns it before its first script.
         */
        let reachable = null;
        // A worker being installed was just fetched from the server: the pages it claims when it
        // activates (their documents came before it) are online.
        self.addEventListener("install", () => (reachable ??= true));

        /** Network first; the cached copy when the network fails. */
        async function offlineFetch(request) {
          if (!keepable(request)) return fetch(request);
          const key = keyOf(request);
          try {
            const response = await fetch(request);
            if (request.mode === "navigate") reachable = true;
            keep(key, response);
            return response;
          } catch (error) {
            if (request.mode === "navigate") reachable = false;
            const cached = await (await opened).match(key);
            if (cached) return cached;
            throw error;
          }
        }

        /**
         * Fetches every file of the build's list not yet kept, but for the wasm build the page
         * does not use (`wasm`: "mt" or "st"; a browser's pages all load the same one); resolves
         * to how many files are kept.
         */
        const filling = new Map();
        const fill = (wasm) => {
          const other = wasm === "mt" ? "pkg/st/" : wasm === "st" ? "pkg/mt/" : null;
          const files = build.files.filter((f) => !other || !f.startsWith(other));
          if (!filling.has(wasm))
            filling.set(
              wasm,
              fillWith(files).catch((error) => {
                filling.delete(wasm);
                throw error;
              }),
            );
          return filling.get(wasm);
        };
        const fillWith = async (files) => {
          const cache = await opened;
          const have = new Set((await cache.keys()).map((r) => r.url));
          const urls = files.map((f) => new URL(f, scope).href);
          // Revalidated, not taken from the HTTP cache as they are: it may still hold a file of
          // the release before, which this release's cache must not keep.
          for (const url of urls) {
            if (have.has(url)) continue;
            const response = await fetch(url, { cache: "no-cache" });
            if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
            kept.add(url);
            await cache.put(url, response);
          }
          return urls.length;
        };

        self.addEventListener("activate", (event) => {
          event.waitUntil(
            caches
              .keys()
              .then((names) =>
                Promise.all(
                  names
                    .filter((n) => n.startsWith(PREFIX) && n !== NAME)
                    .map((n) => caches.delete(n)),
                ),
              ),
          );
        });

        // The page asks once it is ready: `{ type: "playground:offline", wasm: "mt" | "st" }`.
        // The answer says whether every file is kept, for which release, or why not.
        self.addEventListener("message", (event) => {
          if (event.data?.type !== "playground:offline") return;
          const reply = (answer) =>
            event.source?.postMessage({
              type: "playground:offline",
              version: build.version,
              ...answer,
            });
          if (!build.files) {
            reply({ state: "unlisted" });
            return;
          }
          event.waitUntil(
            fill(event.data.wasm).then(
              (files) => reply({ state: "ready", files }),
              (error) => reply({ state: "failed", reason: String(error.message ?? error) }),
            ),
          );
        });

        return { fetch: offlineFetch, reachable: () => reachable === true };
      })();
