// The UI state: the form's fields, kept in step with the URL so a link reproduces a setup, and
// the messages next to fields. The engine decides what is valid (src/params.rs); this module only
// carries values to it and shows its verdicts.

/** Text fields, as typed. */
const TEXT = ["tasks", "delay", "threads", "fail"];
/** Choices: `<select>`s. */
const CHOICES = ["workload", "timers", "failMode"];
/** Switches: checkboxes, 1 or 0 in URLs. */
const SWITCHES = ["gil", "blocking"];
export const FIELDS = [...TEXT, ...CHOICES, ...SWITCHES];
export const MODELS = ["async", "threads", "sequential", "processes", "all"];

const el = (id) => document.getElementById(id);

/** The form's values, as typed (text), chosen, or switched (booleans). */
export function readForm() {
  const out = {};
  for (const f of TEXT) out[f] = el(f).value;
  for (const f of CHOICES) out[f] = el(f).value;
  for (const f of SWITCHES) out[f] = el(f).checked;
  return out;
}

/** The form as `run()` options for `model`. */
export function runOptions(model) {
  const v = readForm();
  return {
    model,
    tasks: v.tasks,
    delayMs: v.delay,
    threads: v.threads,
    workload: v.workload,
    timers: v.timers,
    gil: v.gil,
    blocking: v.blocking,
    fail: v.fail,
    failMode: v.failMode,
  };
}

/**
 * Applies URL parameters to the form. Values only ever go into inputs as values (never into the
 * page as markup). Text fields take what the link says, and the engine's check then reports
 * anything odd next to the field; a choice or switch the link gets wrong keeps its default and
 * is reported in `notes` ([{ field, message }]). A repeated parameter takes its last value, as
 * most servers do. Returns `{ model, autorun, notes }`.
 */
export function applyUrl(search = location.search) {
  const params = new URLSearchParams(search);
  const last = (name) => params.getAll(name).pop();
  const notes = [];
  const shown = (v) => JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}…` : v);
  for (const f of TEXT) {
    const v = last(f);
    if (v !== undefined) el(f).value = v.slice(0, 64);
  }
  for (const f of CHOICES) {
    const v = last(f);
    if (v === undefined) continue;
    const options = [...el(f).options].map((o) => o.value);
    if (options.includes(v)) el(f).value = v;
    else {
      notes.push({
        field: f,
        message: `The link's ${f} ${shown(v)} is not one of ${options.join(", ")}; using ${el(f).value}.`,
      });
    }
  }
  for (const f of SWITCHES) {
    const v = last(f);
    if (v === undefined) continue;
    if (v === "1" || v === "0") el(f).checked = v === "1";
    else notes.push({ field: f, message: `The link's ${f} ${shown(v)} is not 0 or 1; using 0.` });
  }
  const model = last("model");
  if (model !== undefined && !MODELS.includes(model)) {
    notes.push({
      field: "model",
      message: `The link's model ${shown(model)} is not one of ${MODELS.join(", ")}; using async.`,
    });
  }
  return {
    model: MODELS.includes(model) ? model : "async",
    autorun: last("autorun") === "1",
    notes,
  };
}

/** Writes the form (and the model last chosen) into the URL without reloading. */
export function syncUrl(model) {
  const params = new URLSearchParams(location.search);
  params.set("model", model);
  const v = readForm();
  for (const f of [...TEXT, ...CHOICES]) {
    const isDefault = el(f).tagName === "SELECT" && el(f).selectedIndex === 0;
    if (v[f] === "" || isDefault) params.delete(f);
    else params.set(f, v[f]);
  }
  for (const f of SWITCHES) {
    if (v[f]) params.set(f, "1");
    else params.delete(f);
  }
  params.delete("autorun");
  history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
}

/** Shows `errors` ([{ field, message }]) next to their fields and clears the others. */
export function showErrors(errors, fields = FIELDS) {
  for (const f of fields) {
    const input = el(f);
    const messages = errors.filter((e) => e.field === f).map((e) => e.message);
    el(`${f}-error`).textContent = messages.join(" ");
    if (messages.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}
