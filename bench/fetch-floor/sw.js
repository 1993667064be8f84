// The minimal latency endpoint for floor.js: a 204 after `ms`, nothing else.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (!url.pathname.endsWith("/api/latency")) return;
  const ms = Number(url.searchParams.get("ms")) || 0;
  event.respondWith(
    new Promise((resolve) => setTimeout(() => resolve(new Response(null, { status: 204 })), ms)),
  );
});
