// A program that uses the public API as a documentation author would. It is only type-checked
// (`./build.sh lint`), against the generated www/playground.d.ts: if an option or a record field
// is renamed in the engine, this stops compiling.
import { playground, type Record, type TraceFile } from "../../www/playground.js";

export async function seedExample(): Promise<string> {
  await playground.ready;
  const options = { model: "async", tasks: 3, delay: 1000 } as const;
  const verdict = await playground.check(options);
  if (!verdict.ok) return verdict.errors.map((e) => `${e.field}: ${e.message}`).join("\n");
  const r: Record = await playground.run(options);
  const firstLane = r.lanes[0]?.label ?? "none";
  const longest = Math.max(...r.spans.map((s) => s.endMs - s.startMs));
  return `${r.model}: ${r.finished}/${r.tasks} in ${r.elapsedMs.toFixed(0)} ms (ideal ${r.idealMs}), ${firstLane}, ${longest}`;
}

export async function allThree(): Promise<number[]> {
  const all = await playground.run({ model: "all", tasks: 3, delay: 100, workload: "cpu" });
  return all.runs.map((r) => r.speedup ?? 0);
}

export function optionNames(): string[] {
  return playground.schema.options.map((o) => `${o.name} (${o.hint})`);
}

export async function traceOfThreads(): Promise<string> {
  const r = await playground.run({ model: "threads", tasks: 8, delay: 100, threads: 2 });
  const file: TraceFile = await playground.trace(r);
  const tasks = file.traceEvents.filter((e) => e.ph === "X" && e.name.startsWith("task "));
  return `${tasks.length} tasks on ${new Set(tasks.map((e) => e.tid)).size} threads`;
}

export async function predictFirst(): Promise<string> {
  const options = { model: "threads", tasks: 3, delay: 1000, threads: 3 } as const;
  const [question] = await playground.questions(options);
  const figure: "elapsedMs" | "lostUpdates" | "deadlock" = question.figure;
  const r = await playground.run(options);
  const judged = playground.judge(r, { elapsedMs: 3000 });
  return `${question.prompt} (${figure}): ${judged?.close ? "close" : "far"}, ${judged?.sentence}`;
}

export async function loseAnUpdate(): Promise<string> {
  const { scheduler } = playground;
  await scheduler.start({ workload: "counter", increments: 1 });
  let s = await scheduler.step(1);
  for (const t of [2, 1, 2] as const) s = await scheduler.step(t);
  const who = s.writes.map(
    (w) => `thread ${w.thread} wrote ${w.wrote} over ${w.overwrote ?? "nothing"}`,
  );
  scheduler.stop();
  return `${s.lost ?? 0} lost (${who.join("; ")}): ${s.result ?? ""}`;
}
