// @ts-check
// Presentation mode: the run shown to a room. The live figure and the program's output fill the
// screen in large type and high contrast (style.css, `:root.present`), and the keyboard drives
// it: space runs the current model, r replays the last run (again: pauses), Escape stops a run
// and, when nothing runs, leaves the mode. Keys do nothing while a form field has the focus, and
// space on a focused button presses that button, as it always does.
//
// The mode is the schema's `present` option (src/params/schema.rs), so a link, an embed or the
// form's checkbox turns it on; the "Present" button toggles that same checkbox. This module only
// shows and presses what the page already has: the Run buttons, Stop and Replay.

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
const root = document.documentElement;

/** @param {string} text */
const announce = (text) => {
  $("announce").textContent = text;
};

/** The model the page runs next: the one the URL names (main.js writes it there), else async. */
function currentButton() {
  const model = new URLSearchParams(location.search).get("model") ?? "async";
  /** @type {HTMLButtonElement[]} */
  const buttons = [...document.querySelectorAll("button[data-model]")].map(
    (b) => /** @type {HTMLButtonElement} */ (b),
  );
  return buttons.find((b) => b.dataset.model === model) ?? buttons[0];
}

const running = () => !$("stop").disabled;

function run() {
  const button = currentButton();
  if (running()) announce("A run is under way: Escape stops it.");
  else if (!button.disabled && !button.hidden) button.click();
  else if ($("caps").textContent.startsWith("Loading")) announce("The engine is still loading.");
  else announce(`${button.textContent.trim()} cannot run here. ${$("threads-off").textContent}`);
}

function replay() {
  if (running()) announce("A run is under way: r replays it once it has ended.");
  else if ($("replay").hidden) announce("Nothing to replay yet: space runs.");
  else $("replay-play").click();
}

/** A field that takes typing (or a choice from the keyboard), where keys are the field's. */
const typing = (/** @type {EventTarget | null} */ t) =>
  t instanceof HTMLElement &&
  (t.isContentEditable || t.closest("input, select, textarea, [contenteditable]") !== null);

/** Wires the mode to the `present` checkbox (made by form.js, set from the URL by then). */
export function wirePresent() {
  /** @type {HTMLInputElement} */
  const box = $("present");
  const toggle = $("present-toggle");
  const keys = "space runs, r replays, Escape stops a run and, with nothing running, leaves";
  /** @param {boolean} on @param {boolean} say */
  const show = (on, say) => {
    root.classList.toggle("present", on);
    toggle.setAttribute("aria-pressed", String(on));
    if (!say) return;
    announce(on ? `Presentation mode: ${keys}.` : "Presentation mode off.");
    // Keys go to the page, not to the button just pressed (space would press it again).
    if (on) $("watch").focus({ preventScroll: true });
  };
  /** Sets the checkbox as the user would, so the URL (main.js) follows. */
  const set = (/** @type {boolean} */ on) => {
    box.checked = on;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  };
  box.addEventListener("change", () => show(box.checked, true));
  toggle.addEventListener("click", () => set(!box.checked));
  toggle.title = `Presentation mode: ${keys}`;
  show(box.checked, false);

  document.addEventListener("keydown", (e) => {
    if (!box.checked || e.defaultPrevented || e.repeat) return;
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    const onControl = e.target instanceof Element && e.target.closest("button, a, summary");
    if (e.key === " " && !onControl) run();
    else if (e.key === "r" || e.key === "R") replay();
    else if (e.key === "Escape") {
      if (running()) $("stop").click();
      else set(false);
    } else return;
    e.preventDefault();
  });
}
