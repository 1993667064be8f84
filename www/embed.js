// The embed view and the sharing actions.
//
// `?embed=1` shows the page without its chrome, for a documentation page's <iframe>. The embed
// tells the page around it its height, as `{ type: "playground:height", height }` (CSS pixels),
// whenever that changes, so the host can size the iframe without scrollbars. The host may ask
// for it again with `{ type: "playground:request-height" }`; any other message, or one from
// another window or origin than the host's, is ignored.
//
// The full page's "Copy embed code" and "Copy link" build their text from the URL, which
// form.js keeps in step with the form, so they carry the current settings.
//
// A classic script loaded in <head>, not a module: the embed class must be on <html> before the
// first paint, or the chrome would flash.
"use strict";
(() => {
  // The snippet's first guess at the embed's height; hosts that listen get the exact figure.
  const EMBED_HEIGHT = 640;
  const root = document.documentElement;
  const embedded = new URLSearchParams(location.search).get("embed") === "1";
  root.classList.toggle("embed", embedded);

  /** The page's URL for sharing: the current settings, as an embed or as the full page. */
  function shareUrl(embed) {
    const url = new URL(location.href);
    url.hash = "";
    url.searchParams.delete("embed");
    url.searchParams.delete("autorun");
    if (embed) url.searchParams.set("embed", "1");
    return url.href;
  }

  const escapeAttribute = (text) =>
    text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

  function embedCode() {
    // What the embed needs from the page around it for threads is allow="cross-origin-isolated";
    // without it (or in a host that is not isolated) the embed still runs async and sequential.
    return (
      `<iframe src="${escapeAttribute(shareUrl(true))}" ` +
      `title="Async vs threads: concurrency playground" width="100%" height="${EMBED_HEIGHT}" ` +
      `loading="lazy" allow="cross-origin-isolated"></iframe>`
    );
  }

  /** The host's origin, or null if it cannot be known (then no host message is accepted). */
  function hostOrigin() {
    let origin = location.ancestorOrigins?.[0];
    if (origin === undefined && document.referrer) origin = new URL(document.referrer).origin;
    return origin && origin !== "null" ? origin : null;
  }

  function setUpEmbed() {
    const host = hostOrigin();
    const framed = window.parent !== window;
    let sent = -1;
    const postHeight = (always) => {
      const height = Math.ceil(root.getBoundingClientRect().height);
      if (!framed || (height === sent && !always)) return;
      sent = height;
      // The height says nothing private, so it may go to "*" when the host's origin is unknown.
      window.parent.postMessage({ type: "playground:height", height }, host ?? "*");
    };
    new ResizeObserver(() => postHeight(false)).observe(root);
    window.addEventListener("message", (event) => {
      if (!framed || host === null || event.source !== window.parent || event.origin !== host) {
        return;
      }
      const data = event.data;
      const valid =
        data !== null &&
        typeof data === "object" &&
        Object.getPrototypeOf(data) === Object.prototype &&
        Object.keys(data).length === 1 &&
        data.type === "playground:request-height";
      if (valid) postHeight(true);
    });

    const full = document.getElementById("open-full");
    if (full) {
      full.hidden = false;
      const link = full.querySelector("a");
      const update = () => (link.href = shareUrl(false));
      update();
      for (const type of ["click", "focus", "pointerenter"]) link.addEventListener(type, update);
    }
  }

  function setUpSharing() {
    const output = document.getElementById("share-output");
    const text = /** @type {HTMLTextAreaElement} */ (document.getElementById("share-text"));
    const label = document.getElementById("share-label");
    const status = document.getElementById("share-status");
    if (!output) return;
    async function share(what, value) {
      label.textContent = what;
      text.value = value;
      output.hidden = false;
      try {
        await navigator.clipboard.writeText(value);
        status.textContent = `${what} copied to the clipboard.`;
      } catch {
        // No clipboard here (permission, an insecure page): the box holds it, selected.
        text.focus();
        text.select();
        status.textContent = `${what} is in the box below, selected: copy it from there.`;
      }
    }
    document
      .getElementById("copy-embed")
      .addEventListener("click", () => share("Embed code", embedCode()));
    document.getElementById("copy-link").addEventListener("click", () => share("Link", shareUrl()));
  }

  function start() {
    if (embedded) setUpEmbed();
    else setUpSharing();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
