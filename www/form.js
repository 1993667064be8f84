// @ts-check
// The setup form, made from the engine's schema (schema.js, generated from src/params/schema.rs)
// and kept in step with the URL so a link reproduces a setup. Every option the schema lists gets
// a field here, its label, hint and choices, with no list of names of its own: an option added to
// the schema appears in the form, the URL and the API without an edit to this file. The engine
// decides what is valid; this module carries values to it and shows its verdicts.
import { schema } from "./schema.js";

/** @typedef {import("./playground").SchemaOption} SchemaOption */

/** The options that are form fields (the model is chosen by the Run buttons). */
export const FIELDS = schema.options.filter((o) => o.group !== "buttons");
/** Every model name a link may give, `all` included. */
const MODELS = schema.options.find((o) => o.name === "model")?.choices?.map((c) => c.value) ?? [];

/** @param {string} id */
const el = (id) =>
  /** @type {HTMLInputElement & HTMLSelectElement} */ (document.getElementById(id));

/**
 * A whole number's default as the field shows it: "cores" (one per core) is this device's core
 * count, within the option's fixed range.
 * @param {SchemaOption} o
 */
function defaultText(o) {
  if (o.default === "cores") {
    const cores = navigator.hardwareConcurrency || 1;
    return String(Math.min(cores, o.max ?? cores));
  }
  return typeof o.default === "number" ? String(o.default) : "";
}

/**
 * One field: label, control, hint and the place for its message, ids named after the option.
 * @param {SchemaOption} o
 */
function field(o) {
  const wrap = document.createElement("div");
  wrap.className = o.kind === "switch" ? "field check" : "field";
  wrap.dataset.option = o.name;
  const label = document.createElement("label");
  label.htmlFor = o.name;
  label.textContent = o.label;
  /** @type {HTMLInputElement | HTMLSelectElement} */
  let control;
  if (o.kind === "choice") {
    control = document.createElement("select");
    for (const c of o.choices ?? []) control.add(new Option(c.label, c.value));
  } else {
    control = document.createElement("input");
    if (o.kind === "switch") control.type = "checkbox";
    else {
      control.inputMode = o.kind === "decimal" ? "decimal" : "numeric";
      control.autocomplete = "off";
      control.value = defaultText(o);
      if (o.default === null) control.placeholder = "none";
    }
  }
  control.id = control.name = o.name;
  control.setAttribute("aria-describedby", `${o.name}-hint ${o.name}-error`);
  const hint = document.createElement("small");
  hint.id = `${o.name}-hint`;
  hint.className = "hint";
  hint.textContent = o.hint;
  const error = document.createElement("small");
  error.id = `${o.name}-error`;
  error.className = "error";
  error.setAttribute("role", "alert");
  if (o.kind === "switch") {
    const line = document.createElement("span");
    line.className = "check-line";
    line.append(control, label);
    wrap.append(line, hint, error);
  } else wrap.append(label, control, hint, error);
  return wrap;
}

/**
 * Renders every form option into its group's container (`[data-group=basic]`, `[data-group=more]`).
 * @param {ParentNode} root
 */
export function renderForm(root = document) {
  for (const group of ["basic", "more"]) {
    const box = root.querySelector(`[data-group="${group}"]`);
    box?.replaceChildren(...FIELDS.filter((o) => o.group === group).map(field));
  }
}

/** @param {SchemaOption} o */
// A default that depends on the device ("one per core") is written out whenever the field has a
// value: a link must reproduce the run on a device with another core count.
const isDefault = (o) => {
  const v = read(o);
  if (o.kind === "switch") return v === false;
  return v === "" || (o.default !== "cores" && v === defaultText(o));
};

/** @param {SchemaOption} o */
function read(o) {
  return o.kind === "switch" ? el(o.name).checked : el(o.name).value;
}

/** The form's values by option name: as typed (text), chosen, or switched (booleans). */
export function readForm() {
  /** @type {Record<string, string | boolean>} */
  const out = {};
  for (const o of FIELDS) out[o.name] = read(o);
  return out;
}

/**
 * The form as `run()` options for `model`: the values as the form holds them (text, choices,
 * booleans), which the engine checks and converts.
 * @param {string} model
 * @returns {import("./playground").RunOptions}
 */
export function runOptions(model) {
  return /** @type {any} */ ({ model, ...readForm() });
}

/**
 * Sets a field to a value from a link: text fields take it as typed (the engine's check then
 * reports anything odd next to the field); a choice or switch the link gets wrong keeps its
 * default and is reported. Values only ever go into inputs as values, never into the page as
 * markup.
 * @param {SchemaOption} o
 * @param {string} v
 * @returns {string | null} a message if the value was not taken
 */
function applyValue(o, v) {
  const shown = JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}…` : v);
  if (o.kind === "whole" || o.kind === "decimal") {
    el(o.name).value = v.slice(0, 64);
    return null;
  }
  if (o.kind === "switch") {
    if (v === "1" || v === "0") {
      el(o.name).checked = v === "1";
      return null;
    }
    return `The link's ${o.name} ${shown} is not 0 or 1; using 0.`;
  }
  const values = (o.choices ?? []).map((c) => c.value);
  if (values.includes(v)) {
    el(o.name).value = v;
    return null;
  }
  return `The link's ${o.name} ${shown} is not one of ${values.join(", ")}; using ${el(o.name).value}.`;
}

/**
 * Applies URL parameters to the form: each option by its name or an old alias (the name wins).
 * A repeated parameter takes its last value, as most servers do. Returns `{ model, autorun,
 * notes, more, set }`: `notes` are `[{ field, message }]` for values not taken, `more` whether the
 * link set an option that sits behind "More options", `set` the options it set.
 */
export function applyUrl(search = location.search) {
  const params = new URLSearchParams(search);
  /** @param {SchemaOption} o */
  const given = (o) =>
    [o.name, ...o.aliases].map((n) => params.getAll(n).pop()).find((v) => v !== undefined);
  const notes = [];
  let more = false;
  /** @type {string[]} */
  const set = [];
  for (const o of FIELDS) {
    const v = given(o);
    if (v === undefined) continue;
    set.push(o.name);
    more ||= o.group === "more";
    const message = applyValue(o, v);
    if (message) notes.push({ field: o.name, message });
  }
  const model = params.getAll("model").pop();
  if (model !== undefined && !MODELS.includes(model)) {
    const shown = JSON.stringify(model.length > 24 ? `${model.slice(0, 24)}…` : model);
    notes.push({
      field: "model",
      message: `The link's model ${shown} is not one of ${MODELS.join(", ")}; using async.`,
    });
  }
  return {
    model: model !== undefined && MODELS.includes(model) ? model : "async",
    autorun: params.get("autorun") === "1",
    notes,
    more,
    set,
  };
}

/**
 * Writes the form (and the model last chosen) into the URL without reloading: options at their
 * default are left out, old aliases are replaced by the current names.
 * @param {string} model
 */
export function syncUrl(model) {
  const params = new URLSearchParams(location.search);
  params.set("model", model);
  for (const o of FIELDS) {
    for (const alias of o.aliases) params.delete(alias);
    if (isDefault(o)) params.delete(o.name);
    else params.set(o.name, o.kind === "switch" ? "1" : String(read(o)));
  }
  params.delete("autorun");
  history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
}

/**
 * Shows `errors` next to their fields and clears the others of `fields`.
 * @param {{ field: string, message: string }[]} errors
 * @param {string[]} [fields]
 */
export function showErrors(errors, fields = FIELDS.map((o) => o.name)) {
  for (const f of fields) {
    const input = el(f);
    if (!input) continue;
    const messages = errors.filter((e) => e.field === f).map((e) => e.message);
    el(`${f}-error`).textContent = messages.join(" ");
    if (messages.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}
