// @ts-check
// "You are the scheduler": the panel that lets the learner choose which of two real threads takes
// its next step. The engine keeps the game, performs each step on its threads and writes every
// sentence; this module only renders the state it hands back and forwards the clicks. It loads
// with its panel (www/main.js, www/panels.js): the controls are in the page before it, Start
// disabled.

/** @typedef {import("./playground").Playground} Playground */
/** @typedef {import("./playground").SchedulerState} SchedulerState */

/** @param {string} id @returns {any} the element: this module knows what each id is. */
const $ = (id) => document.getElementById(id);

/** Shows the game as the engine hands it back. @param {SchedulerState} s */
function render(s) {
  $("sched-game").hidden = false;
  $("sched-challenge").textContent = s.challenge;
  for (const t of s.threads) renderThread(t, s.shared !== null);
  $("sched-shared-row").hidden = s.shared === null;
  $("sched-shared").textContent = s.shared === null ? "" : String(s.shared);
  $("sched-locks").textContent = s.locks.map((l) => `${l.name}: ${l.holder ?? "free"}`).join(" · ");
  $("sched-steps").textContent = String(s.steps);
  $("sched-history").replaceChildren(
    ...s.history.map((h) => {
      const li = document.createElement("li");
      li.textContent = h;
      return li;
    }),
  );
  $("sched-result").textContent = s.result ?? "";
  $("sched-verdict").textContent = s.verdict ?? "";
  $("sched-section").dataset.over = String(s.over);
}

/**
 * One thread's box: its program with the next line marked, its local and what it waits for.
 * @param {SchedulerState["threads"][number]} t
 * @param {boolean} shared whether the game has a shared counter (then each thread shows its tmp)
 */
function renderThread(t, shared) {
  const box = $(`sched-thread-${t.thread}`);
  box.querySelector(".sched-name").textContent = t.name[0].toUpperCase() + t.name.slice(1);
  $(`sched-step-${t.thread}`).textContent = `Step ${t.name}`;
  const list = box.querySelector("ol");
  list.replaceChildren(
    ...t.lines.map((line, i) => {
      const li = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = line;
      li.append(code);
      if (i < t.next) li.className = "done";
      if (i === t.next) {
        li.className = "next";
        li.setAttribute("aria-current", "step");
      }
      return li;
    }),
  );
  box.querySelector(".sched-next").textContent = t.nextLine ?? "finished";
  box.querySelector(".sched-tmp").textContent = t.tmp === null ? "—" : String(t.tmp);
  box.querySelector(".sched-tmp-row").hidden = !shared;
  box.querySelector(".sched-wait").textContent = t.waitsFor ? `waits for ${t.waitsFor}` : "";
}

/** @param {Playground} playground */
export function wireScheduler(playground) {
  const { scheduler } = playground;
  let busy = false;

  /** @param {boolean} on */
  function setBusy(on) {
    busy = on;
    const state = scheduler.state();
    for (const t of [1, 2]) $(`sched-step-${t}`).disabled = on || !state?.offered.includes(t);
    $("sched-random").disabled = on || !state?.offered.length;
    $("sched-start").disabled = on;
  }

  /** @param {() => Promise<SchedulerState>} action */
  async function act(action) {
    if (busy) return;
    setBusy(true);
    $("sched-error").textContent = "";
    try {
      render(await action());
    } catch (e) {
      $("sched-error").textContent = String(/** @type {any} */ (e)?.message ?? e);
    }
    setBusy(false);
  }

  $("sched-start").addEventListener("click", () =>
    act(() =>
      scheduler.start({
        model: $("sched-model").value,
        workload: $("sched-workload").value,
        fix: $("sched-fix").checked,
        increments: Number($("sched-increments").value),
      }),
    ),
  );
  for (const t of /** @type {const} */ ([1, 2])) {
    $(`sched-step-${t}`).addEventListener("click", () => act(() => scheduler.step(t)));
  }
  // Only the counter has increments (the reader may have chosen before this module loaded).
  const showIncrements = () => {
    $("sched-increments-field").hidden = $("sched-workload").value !== "counter";
  };
  showIncrements();
  $("sched-workload").addEventListener("change", showIncrements);
  $("sched-random").addEventListener("click", () => act(() => scheduler.step("random")));
  $("sched-stop").addEventListener("click", () => {
    scheduler.stop();
    $("sched-game").hidden = true;
    setBusy(false);
  });
  // Leaving the page ends the game: its threads leave their loops.
  addEventListener("pagehide", () => scheduler.stop());

  playground.ready.then((caps) => {
    setBusy(false);
    if (caps.memory === "shared") return;
    // Threads games need shared memory; async games run anywhere. The engine's sentence says
    // why: asking it to start a threads game is how it says so.
    $("sched-model").value = "async";
    $("sched-model").querySelector('option[value="threads"]').disabled = true;
    scheduler.start({ model: "threads" }).catch((e) => {
      $("sched-off").textContent = String(e?.message ?? e);
      $("sched-off").hidden = false;
    });
  });
}
