// "Cost of the machinery": the engine's figures for the latest run of each model, each with its
// sentence on why it differs (written in src/report/costs.rs); this module only lays them out.

/**
 * Draws the rows into `dl`.
 * @param {HTMLElement} dl
 * @param {import("./playground").CostRow[]} rows
 */
export function showOverhead(dl, rows) {
  const items = rows.flatMap(({ name, value, why }) => {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    const strong = document.createElement("strong");
    strong.textContent = value;
    dd.append(strong, ` — ${why}`);
    return [dt, dd];
  });
  dl.replaceChildren(...items);
}
