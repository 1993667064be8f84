// The UI state: the form's fields, kept in step with the URL so a link reproduces a setup, and
// the messages next to fields. The engine decides what is valid (see src/params.rs); this module
// only shows its verdicts.

const FIELDS = ["tasks", "delay", "threads"];
const MODELS = ["async", "threads", "sequential", "all"];

/** The form's current values, as typed (strings). */
export function readForm() {
  const out = {};
  for (const f of FIELDS) out[f] = document.getElementById(f).value;
  return out;
}

/**
 * Applies URL parameters to the form. Values go into inputs as text (never as markup), and
 * anything odd is left for the engine's check to report next to its field. Returns
 * `{ model, autorun }`.
 */
export function applyUrl(search = location.search) {
  const params = new URLSearchParams(search);
  for (const f of FIELDS) {
    // A repeated parameter takes its last value, as most servers do.
    const all = params.getAll(f);
    if (all.length) document.getElementById(f).value = all[all.length - 1].slice(0, 64);
  }
  const model = params.getAll("model").pop();
  return {
    model: MODELS.includes(model) ? model : "async",
    badModel: model !== undefined && !MODELS.includes(model),
    autorun: params.get("autorun") === "1",
  };
}

/** Writes the form (and the model last chosen) into the URL without reloading. */
export function syncUrl(model) {
  const params = new URLSearchParams(location.search);
  params.set("model", model);
  const values = readForm();
  for (const f of FIELDS) {
    if (values[f] === "") params.delete(f);
    else params.set(f, values[f]);
  }
  params.delete("autorun");
  history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
}

/** Shows `errors` ([{ field, message }]) next to their fields and clears the others. */
export function showErrors(errors, fields = FIELDS) {
  for (const f of fields) {
    const input = document.getElementById(f);
    const messages = errors.filter((e) => e.field === f).map((e) => e.message);
    document.getElementById(`${f}-error`).textContent = messages.join(" ");
    if (messages.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}
