// @ts-check
// The one-line embed for documentation pages:
//
//   <script type="module" src="https://you.github.io/playground/embed.js"></script>   (once)
//   <async-vs-threads model="all" tasks="3" delay="1000" view="run"></async-vs-threads>
//
// The element makes an <iframe> of the playground page next to this file (`embed=1`), sizes it
// from the embed's `playground:height` messages (only from its own iframe's window and the
// playground's origin), and links to the full page with the same settings. Its attributes are a
// public interface, kept from one release to the next (`AsyncVsThreads.version`, and
// `data-version` on every element, say which release this is):
//
// - every run option of the schema (www/schema.js), by its name or an alias: `model`, `tasks`,
//   `delay`, `threads`, `workload`, `failMode`, `predict`...; a switch present with no value
//   (`gil`, `predict`) is on; anything else is ignored;
// - `view`: `run` (the default: setup, Run, timeline, output), `factor` (one row of the
//   comparison table, named by `factor`; the default when `factor` is given) or `full` (the
//   whole page without its chrome);
// - `theme`: `dark`, `light`, or `auto` (follow the page around it, also when it changes);
//   without it the embed follows the reader's system;
// - `autorun`: present (and not "0" or "false"): the run starts when the embed has loaded.
//
// Lazy: the iframe is made only when the element comes within a screen of the viewport (and then
// loads at once), and the embed starts no worker thread until a run needs one, so a page may hold
// many.
import { schema } from "./schema.js";
import { version } from "./version.js";

const NAME = "async-vs-threads";
const TITLE = "Async vs threads: concurrency playground";
/** The page the embed shows: the playground's index, next to this script. */
const PAGE = new URL("./", import.meta.url);
/** First guesses at each view's height, before the embed reports its own. */
const HEIGHTS = { run: 480, factor: 200, full: 640 };
/** Attribute names (HTML lower-cases them) to the schema's option names, aliases included. */
const OPTIONS = new Map(
  schema.options.flatMap((o) => [o.name, ...o.aliases].map((n) => [n.toLowerCase(), n])),
);
/** The switches, by option name: present with no value (`<async-vs-threads predict>`) is on. */
/** @type {Set<string>} */
const SWITCHES = new Set(schema.options.filter((o) => o.kind === "switch").map((o) => o.name));
const OWN = ["view", "factor", "theme", "autorun"];
// The height the embed may ask for: anything larger is a bug or a hostile page, not a layout.
const MAX_HEIGHT = 20_000;

/** Whether a CSS colour (as getComputedStyle gives it) is dark; null if transparent or unknown. */
function isDark(color) {
  const m = color.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
  if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return null;
  const [r, g, b] = [m[1], m[2], m[3]].map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
}

/** The host page's scheme where the element sits: its nearest painted background decides. */
function hostTheme(element) {
  for (let node = element.parentElement; node; node = node.parentElement) {
    const dark = isDark(getComputedStyle(node).backgroundColor);
    if (dark !== null) return dark ? "dark" : "light";
  }
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

const STYLE = `
:host { display: block; margin: 1rem 0; }
iframe { display: block; width: 100%; border: 1px solid rgb(128 128 128 / 40%); border-radius: 6px; }
a { display: inline-block; margin-top: 0.25rem; font-size: 0.85em; }
`;

export class AsyncVsThreads extends HTMLElement {
  /** The release of this script and of the page it embeds. */
  static version = version;
  static observedAttributes = [...OPTIONS.keys(), ...OWN];

  /** @type {HTMLIFrameElement | null} */
  #frame = null;
  /** @type {HTMLAnchorElement | null} */
  #link = null;
  /** @type {IntersectionObserver | null} */
  #near = null;
  /** @type {MutationObserver | null} */
  #hostWatch = null;
  #theme = "";

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    // A constructed sheet, not a <style>: a host page's CSP may forbid inline styles.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    this.onMessage = this.onMessage.bind(this);
    this.onHostChange = this.onHostChange.bind(this);
  }

  /** The view asked for; else "factor" if a row is named, else "run". */
  get view() {
    const view = this.getAttribute("view") ?? (this.hasAttribute("factor") ? "factor" : "run");
    return view in HEIGHTS ? view : "run";
  }

  /** The embed's last reported height in CSS pixels, or null before its first message. */
  get height() {
    const h = this.dataset.height;
    return h === undefined ? null : Number(h);
  }

  /** The iframe, once the element has come near the viewport. */
  get frame() {
    return this.#frame;
  }

  /** The URL of the page with this element's options: the embed (`embed`) or the full page. */
  url(embed) {
    const url = new URL(PAGE);
    for (const { name, value } of this.attributes) {
      const option = OPTIONS.get(name);
      if (option) url.searchParams.set(option, SWITCHES.has(option) && value === "" ? "1" : value);
    }
    if (!embed) return url.href;
    url.searchParams.set("embed", "1");
    url.searchParams.set("view", this.view);
    const factor = this.getAttribute("factor");
    if (this.view === "factor" && factor) url.searchParams.set("factor", factor);
    if (this.#theme) url.searchParams.set("theme", this.#theme);
    // The element shows "Open in the playground" under the iframe, so the embed need not.
    url.searchParams.set("link", "host");
    const autorun = this.getAttribute("autorun");
    if (autorun !== null && autorun !== "0" && autorun !== "false") {
      url.searchParams.set("autorun", "1");
    }
    return url.href;
  }

  connectedCallback() {
    this.dataset.version = version;
    window.addEventListener("message", this.onMessage);
    if (this.#frame) return;
    // Nothing is loaded until the element is within a screen of the viewport.
    this.#near = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          this.#near?.disconnect();
          this.#near = null;
          this.build();
        }
      },
      { rootMargin: "100% 0px" },
    );
    this.#near.observe(this);
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.onMessage);
    this.#near?.disconnect();
    this.#near = null;
    this.#hostWatch?.disconnect();
    this.#hostWatch = null;
  }

  attributeChangedCallback() {
    if (!this.#frame) return;
    this.#theme = this.themeWanted();
    const src = this.url(true);
    if (this.#frame.src !== src) this.#frame.src = src;
    this.#link.href = this.url(false);
  }

  /** "dark", "light" or "" (follow the system), from the `theme` attribute. */
  themeWanted() {
    const theme = this.getAttribute("theme");
    if (theme === "dark" || theme === "light") return theme;
    return theme === "auto" ? hostTheme(this) : "";
  }

  build() {
    this.#theme = this.themeWanted();
    const frame = document.createElement("iframe");
    frame.title = TITLE;
    // Not loading="lazy": the element's own observer has already waited until it is near, and a
    // lazy iframe would wait again by the engine's own measure. WebKit's is the viewport itself,
    // and, with no scroll anchoring, a page that grows above the element (an embed there
    // reporting its height) pushes it back out: its iframe stayed about:blank until the reader
    // scrolled again (tests/e2e/docs-loop.mjs counts such pages).
    // Lets the embed be cross-origin isolated (threads) where the browser allows it.
    frame.allow = "cross-origin-isolated";
    frame.style.height = `${HEIGHTS[this.view]}px`;
    frame.src = this.url(true);
    const link = document.createElement("a");
    link.textContent = "Open in the playground";
    link.target = "_blank";
    link.rel = "noopener";
    link.href = this.url(false);
    this.shadowRoot.replaceChildren(frame, link);
    this.#frame = frame;
    this.#link = link;
    if (this.getAttribute("theme") === "auto") {
      // The host page's own theme switch changes a class or attribute on <html> or <body>.
      this.#hostWatch = new MutationObserver(this.onHostChange);
      for (const node of [document.documentElement, document.body]) {
        this.#hostWatch.observe(node, { attributes: true });
      }
      matchMedia("(prefers-color-scheme: dark)").addEventListener("change", this.onHostChange);
    }
  }

  onHostChange() {
    const theme = this.themeWanted();
    if (!this.#frame || theme === this.#theme) return;
    this.#theme = theme;
    this.#frame.contentWindow?.postMessage({ type: "playground:theme", theme }, PAGE.origin);
  }

  /** @param {MessageEvent} event */
  onMessage(event) {
    if (!this.#frame || event.source !== this.#frame.contentWindow) return;
    if (event.origin !== PAGE.origin) return;
    const data = event.data;
    if (data?.type !== "playground:height") return;
    const height = data.height;
    if (!Number.isFinite(height) || height < 0 || height > MAX_HEIGHT) return;
    this.#frame.style.height = `${Math.ceil(height)}px`;
    this.dataset.height = String(Math.ceil(height));
    this.dispatchEvent(new CustomEvent("resize", { detail: { height } }));
  }
}

if (!customElements.get(NAME)) customElements.define(NAME, AsyncVsThreads);
