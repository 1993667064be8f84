// A node:test reporter that counts the end-to-end tests per browser engine, for the summary that
// ./build.sh test prints last. Tests in engines.test.mjs, docs.test.mjs and present.test.mjs name
// their engine first ("firefox: ...", "webkit, ..."); every other file runs in Chromium. Used next to the usual reporter:
//   node --test --test-reporter=spec --test-reporter-destination=stdout \
//     --test-reporter=./tests/e2e/per-engine-reporter.mjs --test-reporter-destination=FILE ...
export default async function* perEngine(source) {
  const counts = new Map();
  const skipped = new Map();
  const count = (engine, key) => {
    const c = counts.get(engine) ?? { passed: 0, failed: 0 };
    c[key]++;
    counts.set(engine, c);
  };
  for await (const { type, data } of source) {
    if (type !== "test:pass" && type !== "test:fail") continue;
    const inEngines = /(engines|docs|present)\.test\.mjs$/.test(data.file ?? "");
    const engine = inEngines ? data.name.split(/[:,]/)[0] : "chromium";
    if (data.details?.type === "suite") {
      if (data.skip && inEngines) skipped.set(engine, data.skip);
      continue;
    }
    if (data.skip || data.todo) continue;
    count(engine, type === "test:pass" ? "passed" : "failed");
  }
  const lines = [];
  for (const engine of ["chromium", "firefox", "webkit"]) {
    const c = counts.get(engine);
    if (skipped.has(engine)) lines.push(`${engine}: skipped (${skipped.get(engine)})`);
    else if (c)
      lines.push(`${engine}: ${c.passed + c.failed} tests, ${c.passed} passed, ${c.failed} failed`);
    else lines.push(`${engine}: no tests ran`);
  }
  yield `${lines.join("\n")}\n`;
}
