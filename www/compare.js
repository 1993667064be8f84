// "Compare with Python": the project's last benchmark run (bench/run.mjs writes
// bench-results.json next to the page), so a learner sees what the same programs do in native
// CPython and in Pyodide. Figures are shown as measured, with the date and machine.

const fmt = (s) => (typeof s === "number" ? `${s.toFixed(3)} s` : String(s ?? "—"));

/**
 * Fills `table` from bench-results.json, and says where the figures come from in `intro`, once
 * the table comes near the screen: the figures are fetched on first use, so a visit that never
 * scrolls to them (or an embed, which hides them) does not download them.
 * @param {HTMLElement} table
 * @param {HTMLElement} intro
 */
export function showComparison(table, intro) {
  if (typeof IntersectionObserver !== "function") return fill(table, intro);
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      fill(table, intro);
    },
    // About a screen ahead, so the rows are there by the time the reader is.
    { rootMargin: "800px 0px" },
  );
  observer.observe(table);
}

/** @param {HTMLElement} table @param {HTMLElement} intro */
async function fill(table, intro) {
  let data;
  try {
    const response = await fetch(new URL("bench-results.json", import.meta.url));
    data = await response.json();
  } catch {
    intro.textContent = "No benchmark results are published with this copy of the page.";
    return;
  }
  const m = data.machine ?? {};
  intro.textContent =
    `Measured by ./build.sh bench on ${new Date(data.date).toISOString().slice(0, 10)}: ` +
    `${m.cores} cores (${m.cpu}), Chromium ${m.chromium}, CPython ${m.python}, Pyodide ${m.pyodide}. ` +
    `Each figure is the median of several runs.`;
  const head = document.createElement("tr");
  for (const h of ["Scenario", "This playground", "CPython (native)", "Pyodide", "Ideal"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    head.append(th);
  }
  const rows = (data.rows ?? []).map((r) => {
    const tr = document.createElement("tr");
    tr.dataset.id = String(r.id);
    for (const text of [
      r.scenario,
      fmt(r.playgroundS),
      fmt(r.cpythonS),
      fmt(r.pyodideS),
      fmt(r.idealS),
    ]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...rows);
}
