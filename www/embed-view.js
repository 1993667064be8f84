// The embed view and the sharing actions.
//
// `?embed=1` shows the page without its chrome, for a documentation page's <iframe> (embed.js's
// <async-vs-threads> element makes one). `view=` says what it shows (run, factor, full) and
// `theme=dark|light` fixes its colours (else it follows the system); with `link=host` the page
// around it shows "Open in the playground" instead of the embed. The embed tells the page
// around it its height, as `{ type: "playground:height", height }` (CSS pixels), whenever that
// changes, so the host can size the iframe without scrollbars. The host may ask for it again with
// `{ type: "playground:request-height" }`, or change the colours with
// `{ type: "playground:theme", theme: "dark" | "light" }`; any other message, or one from another
// window or origin than the host's, is ignored.
//
// The full page's "Copy embed code" and "Copy link" build their text from the URL, which
// form.js keeps in step with the form, so they carry the current settings.
//
// A classic script loaded in <head>, not a module: the embed and theme classes must be on <html>
// before the first paint, or the chrome would flash.
"use strict";
(() => {
  // The snippet's first guess at the embed's height per view; hosts that listen get the exact
  // figure (embed.js does).
  const EMBED_HEIGHTS = { run: 480, factor: 200, full: 640 };
  const TITLE = "Async vs threads: concurrency playground";
  // URL parameters that are not run options: the element has attributes of its own for them.
  const NOT_OPTIONS = new Set(["embed", "autorun", "view", "factor", "theme", "link"]);
  const root = document.documentElement;
  const params = new URLSearchParams(location.search);
  const embedded = params.get("embed") === "1";
  root.classList.toggle("embed", embedded);

  /** Fixes the colours to `theme`, or lets them follow the system for anything else. */
  function setTheme(theme) {
    if (theme === "dark" || theme === "light") root.dataset.theme = theme;
    else delete root.dataset.theme;
  }
  if (embedded) setTheme(params.get("theme"));
  // What the embed shows: `run` (the run controls, the live figure, the output and one line of
  // result), `factor` (one row of the comparison table) or `full` (the page less its chrome). A
  // link that names a row (`factor=`) but no view means that row.
  if (embedded) {
    const view = params.get("view") ?? (params.has("factor") ? "factor" : null);
    root.dataset.view = view === "run" || view === "factor" ? view : "full";
    if (view === "factor") showOneFactor(params.get("factor"));
  }

  /**
   * The factor view's one row (`key`): the comparison table's rows are in the page's HTML
   * (scripts/dist.mjs writes them), and the others are hidden as the parser adds them, before the
   * first paint, so the row is painted with the page's first text and nothing moves after. Where
   * factors.js makes the rows (www/ served as it is), it hides them as it adds them, and a last
   * pass at DOMContentLoaded makes sure.
   */
  function showOneFactor(key) {
    const pick = (node) => {
      if (node instanceof HTMLTableRowElement && node.dataset.factorRow !== undefined) {
        node.hidden = node.dataset.factorRow !== key;
      }
    };
    const observer = new MutationObserver((records) => {
      for (const r of records) r.addedNodes.forEach(pick);
    });
    observer.observe(root, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", () => {
      observer.disconnect();
      document.querySelectorAll("tr[data-factor-row]").forEach(pick);
    });
  }

  /** The page's URL for sharing: the current settings, as an embed (of `view`) or the page. */
  function shareUrl(embed, view = "full", factor = "") {
    const url = new URL(location.href);
    url.hash = "";
    for (const name of NOT_OPTIONS) url.searchParams.delete(name);
    if (embed) {
      url.searchParams.set("embed", "1");
      url.searchParams.set("view", view);
      if (view === "factor" && factor) url.searchParams.set("factor", factor);
    }
    return url.href;
  }

  const escapeAttribute = (text) =>
    text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

  function iframeCode(view, factor) {
    // What the embed needs from the page around it for threads is allow="cross-origin-isolated";
    // without it (or where the browser cannot isolate the frame) it still runs async and
    // sequential.
    return (
      `<iframe src="${escapeAttribute(shareUrl(true, view, factor))}" ` +
      `title="${TITLE}" width="100%" height="${EMBED_HEIGHTS[view]}" ` +
      `loading="lazy" allow="cross-origin-isolated"></iframe>`
    );
  }

  /** The one-line form: embed.js once per page, then the element with the current settings. */
  function elementCode(view, factor) {
    const url = new URL(shareUrl(false));
    const script = new URL("embed.js", url).href;
    const attributes = [`view="${view}"`];
    if (view === "factor" && factor) attributes.push(`factor="${escapeAttribute(factor)}"`);
    for (const [name, value] of url.searchParams) {
      // Only names an attribute can have; the element ignores names that are not options.
      if (/^[a-zA-Z][\w-]*$/.test(name)) attributes.push(`${name}="${escapeAttribute(value)}"`);
    }
    return (
      `<script type="module" src="${escapeAttribute(script)}"></script>\n` +
      `<async-vs-threads ${attributes.join(" ")}></async-vs-threads>`
    );
  }

  /** The host's origin, or null if it cannot be known (then no host message is accepted). */
  function hostOrigin() {
    let origin = location.ancestorOrigins?.[0];
    if (origin === undefined && document.referrer) origin = new URL(document.referrer).origin;
    return origin && origin !== "null" ? origin : null;
  }

  /** Whether `data` is a plain object with exactly the keys `keys`. */
  const plain = (data, keys) =>
    data !== null &&
    typeof data === "object" &&
    Object.getPrototypeOf(data) === Object.prototype &&
    Object.keys(data).sort().join() === keys;

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
    // Posted from a task after anything that may have changed the height: the page's DOM
    // (elements, text, attributes, a canvas drawn at a new size), its viewport (the host sized
    // the iframe, or the window changed), a resource that loaded. One post covers every change
    // made before its task runs. Not from a ResizeObserver on the root: WebKitGTK now and then
    // delivers the root at a height that leaves out changes the page made in a task before that
    // rendering update, lays them out within the same delivery, and then reports the root's
    // new height as an uncaught "ResizeObserver loop completed with undelivered notifications",
    // though the page wrote nothing meanwhile (seen with the embed's callback posting the height
    // itself, and posting it from a task; tests/e2e/docs.test.mjs's pages in a loop). Safari
    // reports the same: github.com/davidjbradshaw/iframe-resizer/issues/1339.
    let queued = false;
    const soon = () => {
      if (queued) return;
      queued = true;
      setTimeout(() => {
        queued = false;
        postHeight(false);
      });
    };
    new MutationObserver(soon).observe(root, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
    window.addEventListener("resize", soon);
    // Capture: a resource's load event does not bubble.
    window.addEventListener("load", soon, true);
    soon();
    window.addEventListener("message", (event) => {
      if (!framed || host === null || event.source !== window.parent || event.origin !== host) {
        return;
      }
      const data = event.data;
      if (plain(data, "type") && data.type === "playground:request-height") postHeight(true);
      if (plain(data, "theme,type") && data.type === "playground:theme") {
        if (data.theme === "dark" || data.theme === "light") setTheme(data.theme);
      }
    });

    const full = document.getElementById("open-full");
    // `link=host`: the page around it (embed.js's element) shows the link under the iframe.
    if (full && params.get("link") !== "host") {
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
    const viewSelect = /** @type {HTMLSelectElement} */ (document.getElementById("embed-view"));
    const alternative = document.getElementById("share-alternative");
    const iframeText = /** @type {HTMLTextAreaElement} */ (document.getElementById("share-iframe"));
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
    const factorSelect = /** @type {HTMLSelectElement} */ (document.getElementById("embed-factor"));
    /** Offers the comparison table's rows (`data-factor`) the page has, for view=factor. */
    function offerFactors() {
      if (!viewSelect || !factorSelect) return;
      const rows = [...document.querySelectorAll("[data-factor]")].filter(
        (row) => row instanceof HTMLElement,
      );
      const known = new Set([...factorSelect.options].map((o) => o.value));
      for (const row of rows) {
        const key = /** @type {HTMLElement} */ (row).dataset.factor;
        if (known.has(key)) continue;
        known.add(key);
        // The row's heading names it (the element with the key may be its "Show me" button).
        const heading = row.closest("tr")?.querySelector("th")?.childNodes[0]?.textContent;
        factorSelect.add(new Option((heading ?? key).trim().slice(0, 60), key));
      }
      factorSelect.parentElement.hidden = viewSelect.value !== "factor";
    }
    viewSelect?.addEventListener("change", offerFactors);
    viewSelect?.addEventListener("focus", offerFactors);
    offerFactors();
    /** The view the author chose, and for "factor" the comparison row. */
    function chosen() {
      const value = viewSelect?.value ?? "run";
      const view = value in EMBED_HEIGHTS ? value : "run";
      return { view, factor: view === "factor" ? (factorSelect?.value ?? "") : "" };
    }
    document.getElementById("copy-embed").addEventListener("click", () => {
      const { view, factor } = chosen();
      if (alternative && iframeText) {
        iframeText.value = iframeCode(view, factor);
        alternative.hidden = false;
      }
      share("Embed code", elementCode(view, factor));
    });
    document.getElementById("copy-link").addEventListener("click", () => {
      if (alternative) alternative.hidden = true;
      share("Link", shareUrl(false));
    });
  }

  function start() {
    if (embedded) setUpEmbed();
    else setUpSharing();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
