// @ts-check
// Predict first (the `predict` option: a link's `predict=1`, the form's "Predict first", an
// embed's `predict` attribute). Before a run the page asks for the run's headline figure, which
// the engine names (`playground.questions`): the elapsed time for waits, requests and CPU work,
// the lost updates for the counter, whether it deadlocks for the deadlock workload, one per
// model for the three of `all`, one per run for a comparison row's Show me. Its Run button stays
// disabled until a figure is given or the question skipped. After the run the engine's sentence
// (`playground.judge`, src/report/predict.rs) compares the two and says why. The count of close
// predictions is kept for the visit in sessionStorage: nothing leaves the browser.
//
// This module only renders: what to ask, what counts as close and every sentence come from the
// engine. The page loads it only while the option is on (www/main.js), and hands it the form's
// options (`page.options`) rather than have it import form.js, which would then leave the page's
// bundle for a chunk of its own, one more request on every first visit.
import { number } from "./format.js";

/** @typedef {import("./playground").Playground} Playground */
/** @typedef {import("./playground").Question} Question */
/** @typedef {import("./playground").Prediction} Prediction */
/** @typedef {import("./playground").Record} Record */
/** @typedef {import("./playground").RunOptions} RunOptions */

const SCORE_KEY = "playground:predictions";

/** The visit's count of predictions judged and of close ones (sessionStorage, else memory). */
class Score {
  made = 0;
  close = 0;
  constructor() {
    try {
      const saved = JSON.parse(sessionStorage.getItem(SCORE_KEY) ?? "{}");
      if (Number.isInteger(saved.made) && Number.isInteger(saved.close)) {
        this.made = saved.made;
        this.close = saved.close;
      }
    } catch {
      // Storage may be refused (a sandboxed or partitioned frame): the count lives in memory.
    }
  }
  /** @param {boolean} close */
  add(close) {
    this.made += 1;
    if (close) this.close += 1;
    try {
      sessionStorage.setItem(SCORE_KEY, JSON.stringify({ made: this.made, close: this.close }));
    } catch {
      // As above: kept in memory.
    }
  }
  text() {
    return this.made
      ? `Close predictions this visit: ${number(this.close)} of ${number(this.made)}.`
      : "No prediction judged yet this visit.";
  }
}

/** @param {string} tag @param {string} [className] @param {string} [text] */
function make(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

let prompts = 0;

/**
 * One prompt: a form with a labelled input per question, Predict (Enter) and Skip, its state,
 * the visit's score and, after the run, the engine's sentences.
 */
class Prompt {
  /** @type {Question[]} */
  questions = [];
  /** @type {(Prediction | null)[]} the answer to each question; null: not given */
  answers = [];
  /** "pending" (asking), "answered" or "skipped". */
  state = "pending";

  /**
   * @param {HTMLElement} box where the prompt lives
   * @param {Score} score
   * @param {() => void} changed called when the state changes (the buttons follow it)
   * @param {boolean} live whether its sentences are a live region of their own (where the page's
   *   #announce is not shown, as in the embed views)
   */
  constructor(box, score, changed, live) {
    this.box = box;
    this.score = score;
    this.changed = changed;
    this.id = `predict-${++prompts}`;
    this.form = /** @type {HTMLFormElement} */ (make("form", "predict"));
    this.form.noValidate = true;
    this.form.setAttribute("aria-labelledby", `${this.id}-title`);
    const title = make("p", "predict-title", "Predict first. ");
    title.id = `${this.id}-title`;
    this.scoreLine = make("span", "predict-score", score.text());
    title.append(this.scoreLine);
    this.fields = make("div", "predict-questions");
    const submit = /** @type {HTMLButtonElement} */ (make("button", "", "Predict"));
    submit.type = "submit";
    const skip = /** @type {HTMLButtonElement} */ (make("button", "secondary", "Skip"));
    skip.type = "button";
    skip.dataset.predictSkip = "";
    this.status = make("p", "predict-state");
    this.status.id = `${this.id}-state`;
    this.results = make("ul", "predict-result");
    if (live) this.results.setAttribute("aria-live", "polite");
    const actions = make("div", "predict-actions");
    actions.append(submit, skip);
    this.form.append(title, this.fields, actions, this.status, this.results);
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    skip.addEventListener("click", () => this.set("skipped"));
    box.replaceChildren(this.form);
  }

  /** @param {string} state */
  set(state) {
    this.state = state;
    if (state === "skipped") this.answers = this.questions.map(() => null);
    this.status.textContent =
      state === "skipped"
        ? "Skipped: run it without a prediction."
        : state === "answered"
          ? `Your prediction is in (${this.answered().join(", ")}): run it.`
          : "Give your figure, or skip, to run.";
    this.changed();
  }

  /** The models (or runs) answered, as the status names them. */
  answered() {
    return this.questions.filter((_, i) => this.answers[i]).map((q) => q.model);
  }

  /**
   * Asks `questions`, from scratch: empty inputs, state pending.
   * @param {Question[]} questions
   */
  ask(questions) {
    this.questions = questions;
    this.answers = questions.map(() => null);
    this.fields.replaceChildren(...questions.map((q, i) => this.field(q, i)));
    this.box.hidden = false;
    this.set("pending");
  }

  /** @param {Question} q @param {number} i */
  field(q, i) {
    const id = `${this.id}-${i}`;
    const wrap = make("div", "field predict-question");
    wrap.dataset.model = q.model;
    wrap.dataset.figure = q.figure;
    const label = /** @type {HTMLLabelElement} */ (make("label", "", q.prompt));
    label.htmlFor = id;
    /** @type {HTMLInputElement | HTMLSelectElement} */
    let control;
    const line = make("span", "predict-line");
    if (q.figure === "deadlock") {
      const select = document.createElement("select");
      select.add(new Option("choose…", ""));
      select.add(new Option("yes, it deadlocks", "yes"));
      select.add(new Option("no, it finishes", "no"));
      control = select;
      line.append(select);
    } else {
      const input = document.createElement("input");
      input.inputMode = q.figure === "elapsedMs" ? "decimal" : "numeric";
      input.autocomplete = "off";
      control = input;
      line.append(input);
      if (q.figure === "elapsedMs") {
        const unit = document.createElement("select");
        unit.add(new Option("s", "s"));
        unit.add(new Option("ms", "ms"));
        unit.id = `${id}-unit`;
        unit.setAttribute("aria-label", "unit");
        line.append(unit);
      } else line.append(" updates lost");
    }
    control.id = id;
    control.setAttribute("aria-describedby", `${this.id}-state`);
    wrap.append(label, line);
    return wrap;
  }

  /** Reads each question's answer; an empty one stays unanswered. */
  read() {
    return this.questions.map((q, i) => {
      const value = /** @type {HTMLInputElement} */ (
        document.getElementById(`${this.id}-${i}`)
      ).value
        .trim()
        .replace(/,/g, "");
      if (value === "") return null;
      if (q.figure === "deadlock") return { deadlock: value === "yes" };
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) return undefined;
      if (q.figure === "lostUpdates") return { lostUpdates: n };
      const unit = /** @type {HTMLSelectElement} */ (
        document.getElementById(`${this.id}-${i}-unit`)
      );
      return { elapsedMs: unit.value === "s" ? n * 1000 : n };
    });
  }

  submit() {
    const read = this.read();
    if (read.includes(undefined)) {
      this.status.textContent = "A prediction is a number of 0 or more (a figure, or skip).";
      return;
    }
    if (!read.some((a) => a)) {
      this.status.textContent = "Give a figure first, or skip.";
      return;
    }
    this.answers = /** @type {(Prediction | null)[]} */ (read);
    this.set("answered");
  }

  /**
   * Shows the engine's sentences for the runs just made and counts them; then asks again.
   * @param {{ sentence: string, close: boolean }[]} judged
   * @returns {string} the sentences, for the page to announce
   */
  show(judged) {
    for (const j of judged) this.score.add(j.close);
    this.results.replaceChildren(
      ...judged.map((j) => {
        const li = make("li", j.close ? "close" : "far", j.sentence);
        return li;
      }),
    );
    this.ask(this.questions);
    return judged.map((j) => j.sentence).join(" ");
  }
}

/**
 * The page's predictions: a prompt for the Run buttons and one for the comparison table's Show me
 * buttons, both on only while the form's `predict` is.
 */
export class Predictor {
  /**
   * @param {Playground} playground
   * @param {{ announce: (text: string) => void, changed: () => void,
   *   options: (model: string) => RunOptions }} page the page's announcer, what follows a
   *   prompt's state (the buttons), and the form's options for a model
   */
  constructor(playground, page) {
    this.playground = playground;
    this.page = page;
    this.score = new Score();
    const announced = document.getElementById("announce")?.checkVisibility?.() ?? false;
    const runBox = /** @type {HTMLElement} */ (document.getElementById("predict-run"));
    const demoBox = /** @type {HTMLElement} */ (document.getElementById("predict-demo"));
    this.run = new Prompt(runBox, this.score, page.changed, !announced);
    this.demo = new Prompt(demoBox, this.score, page.changed, !announced);
    /** @type {string[]} the models the Run prompt asks for */
    this.models = [];
    /** @type {HTMLButtonElement | null} the Show me the demo prompt asks for */
    this.demoButton = null;
    this.asking = 0;
    /** Whether the Run prompt has had its questions once. */
    this.asked = false;
  }

  /** Whether the form's "Predict first" is on. */
  get on() {
    const box = /** @type {HTMLInputElement | null} */ (document.getElementById("predict"));
    return box?.checked ?? false;
  }

  /**
   * Starts asking (once the engine is ready) for the Run buttons of `models`, and follows the
   * form: a changed option asks again, "Predict first" turns it all on or off.
   * @param {string[]} models
   */
  start(models) {
    this.models = models;
    const setup = document.getElementById("setup");
    setup?.addEventListener("change", () => this.refresh());
    setup?.addEventListener("input", () => this.refresh());
    return this.refresh();
  }

  /** Asks again for the form's current options, or hides the prompts when predict is off. */
  async refresh() {
    const asking = ++this.asking;
    if (!this.on) {
      this.run.box.hidden = this.demo.box.hidden = true;
      this.page.changed();
      return;
    }
    const lists = await Promise.all(
      this.models.map((m) => this.playground.questions(this.page.options(m))),
    );
    // A later change asked again meanwhile: its questions win.
    if (asking !== this.asking) return;
    const questions = lists.flat();
    const same =
      JSON.stringify(questions) === JSON.stringify(this.run.questions) && !this.run.box.hidden;
    if (!same) this.run.ask(questions);
    this.asked = true;
    if (this.demoButton) this.demo.box.hidden = false;
    this.page.changed();
  }

  /**
   * Whether the Run button of `model` (or "all") must wait for a prediction.
   * @param {string | undefined} model
   */
  holds(model) {
    if (!this.on) return false;
    // Until the engine has named the figures, nothing runs unasked.
    if (!this.asked) return true;
    if (this.run.box.hidden || this.run.state === "skipped") return false;
    const models = model === "all" ? this.playground.schema.allModels : [model];
    return models.some((m) => {
      const i = this.run.questions.findIndex((q) => q.model === m);
      return i >= 0 && !this.run.answers[i];
    });
  }

  /**
   * Whether a Show me button must wait: the one the demo prompt asks for, until it is answered.
   * @param {Element} button
   */
  holdsDemo(button) {
    return this.on && button === this.demoButton && this.demo.state === "pending";
  }

  /**
   * After a Run button's run: the engine's sentence for each model predicted.
   * @param {Record | import("./playground").AllRecord} result
   */
  afterRun(result) {
    if (!this.on || this.run.box.hidden || this.run.state === "pending") return;
    const records = "runs" in result ? result.runs : [result];
    const judged = records.flatMap((r) => {
      const i = this.run.questions.findIndex((q) => q.model === r.model);
      const answer = this.run.answers[i];
      const j = answer ? this.playground.judge(r, answer) : null;
      return j ? [j] : [];
    });
    this.finish(this.run, judged);
  }

  /** @param {Prompt} prompt @param {{ sentence: string, close: boolean }[]} judged */
  finish(prompt, judged) {
    const text = prompt.show(judged);
    for (const p of [this.run, this.demo]) p.scoreLine.textContent = this.score.text();
    if (text) this.page.announce(text);
  }

  /**
   * Asks for the runs of the Show me `button`: its prompt goes next to it (under the table, or
   * in the verdict's line).
   * @param {HTMLButtonElement} button
   * @param {RunOptions[]} runs
   */
  async askDemo(button, runs) {
    this.demoButton = button;
    const place = button.closest("li") ?? button.closest(".table-wrap");
    if (place?.tagName === "LI") place.append(this.demo.box);
    else place?.after(this.demo.box);
    const lists = await Promise.all(runs.map((o) => this.playground.questions(o)));
    this.demo.ask(lists.flat());
    if (!this.on) this.demo.box.hidden = true;
  }

  /**
   * `show(runs)`, the page's way to run a demonstration, asking first when predict is on. Resolves
   * to the records, null if a run failed, or undefined if it asked instead of running.
   * @param {(runs: RunOptions[]) => Promise<Record[] | null>} show
   * @returns {(runs: RunOptions[], button: HTMLButtonElement) => Promise<Record[] | null | undefined>}
   */
  demos(show) {
    return async (runs, button) => {
      if (!this.on) return show(runs);
      if (button !== this.demoButton || this.demo.state === "pending") {
        await this.askDemo(button, runs);
        /** @type {HTMLElement | null} */ (
          this.demo.fields.querySelector("input, select")
        )?.focus();
        return undefined;
      }
      const skipped = this.demo.state === "skipped";
      const records = await show(runs);
      if (!records || skipped) {
        if (records) this.demo.ask(this.demo.questions);
        return records;
      }
      const judged = records.flatMap((r, i) => {
        const answer = this.demo.answers[i];
        const j = answer ? this.playground.judge(r, answer) : null;
        return j ? [j] : [];
      });
      this.finish(this.demo, judged);
      return records;
    };
  }
}
