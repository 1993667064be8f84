// @ts-check
// Panels below the first screen load their code (and data) when first needed, not with the page:
// when the panel comes near the viewport (a reader scrolling down), when a link opens it
// (`#its-id`, or an element inside it), or when the page asks for it (a button that uses it).
// The section stays in the page with its heading and hint meanwhile, its space reserved by
// style.css, so nothing shifts when it fills.
//
// Each panel's section carries `data-panel` (its name) and `data-panel-state`: "waiting",
// "loading", "loaded" or "failed". The tests and the bench read them.

/** How far ahead of the viewport a panel starts loading: about a screen, so it is there in time. */
const MARGIN = "800px 0px";

/**
 * Panels start watching the viewport once the page has loaded and the browser is idle: one near
 * the first screen (a tall window) then loads after the page's own start, not during it.
 */
const settled = new Promise((resolve) => {
  const idle = () =>
    typeof requestIdleCallback === "function"
      ? requestIdleCallback(() => resolve(undefined), { timeout: 1000 })
      : setTimeout(resolve, 0);
  if (document.readyState === "complete") idle();
  else addEventListener("load", idle, { once: true });
});

/**
 * @template M
 * @typedef {object} Panel
 * @property {() => Promise<M>} get Loads the panel (once) and resolves to its module.
 * @property {() => void} refresh Fills it again if it is loaded (new data); else nothing yet.
 */

/**
 * Makes `section` a panel named `name` whose module `load()` imports; `fill(module)` draws it,
 * once loaded and at each `refresh()`.
 * @template M
 * @param {HTMLElement} section
 * @param {string} name
 * @param {() => Promise<M>} load
 * @param {(module: M) => void | Promise<void>} [fill]
 * @returns {Panel<M>}
 */
export function lazyPanel(section, name, load, fill = () => {}) {
  section.dataset.panel = name;
  section.dataset.panelState = "waiting";
  /** @type {Promise<M> | null} */
  let loading = null;
  /** @type {M | null} */
  let loaded = null;

  const get = () =>
    (loading ??= (async () => {
      section.dataset.panelState = "loading";
      try {
        loaded = await load();
      } catch (error) {
        // A module that failed to load stays failed for this document (the browser keeps the
        // failure in its module map), so only a reload retries; the section says so.
        section.dataset.panelState = "failed";
        notice(
          section,
          "notice",
          `This part of the page could not load (${error.message}); reload to try again.`,
        );
        throw error;
      }
      section.dataset.panelState = "loaded";
      fillSafely(loaded);
      return loaded;
    })());
  /**
   * Fills the loaded panel; what it fetches to fill itself (the code panel's excerpts, the
   * comparison's figures) may fail, on a reader's network as anywhere: the section then says so
   * and the next refresh tries again, instead of a rejection nobody handles.
   * @param {M} module
   */
  const fillSafely = async (module) => {
    section.querySelector(":scope > .notice.fill-failed")?.remove();
    try {
      await fill(module);
    } catch (error) {
      const text = `This part of the page could not be filled (${error.message}); a reload tries again.`;
      notice(section, "notice fill-failed", text);
    }
  };
  loadWhenWanted(section, () => get().catch(() => {}));

  return {
    get,
    refresh() {
      if (loaded) fillSafely(loaded);
    },
  };
}

/**
 * Calls `load` when a link names the section or something inside it (now and on later hash
 * changes), or when the section comes near the view once the first screen has settled.
 * @param {HTMLElement} section
 * @param {() => void} load
 */
function loadWhenWanted(section, load) {
  // A link to the panel, or to something inside it: load at once (now and on later hash changes).
  const linked = () => {
    let id = "";
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch {
      return; // a malformed hash names no element
    }
    const target = id && document.getElementById(id);
    if (target && section.contains(target)) load();
  };
  linked();
  addEventListener("hashchange", linked);

  if (typeof IntersectionObserver !== "function") load();
  else
    settled.then(() => {
      const observer = new IntersectionObserver(
        (entries) => {
          if (!entries.some((e) => e.isIntersecting)) return;
          observer.disconnect();
          load();
        },
        { rootMargin: MARGIN },
      );
      observer.observe(section);
    });
}

/**
 * Appends a notice paragraph of `className` saying `text` to `section`.
 * @param {HTMLElement} section
 * @param {string} className
 * @param {string} text
 */
function notice(section, className, text) {
  const note = document.createElement("p");
  note.className = className;
  note.textContent = text;
  section.append(note);
}
