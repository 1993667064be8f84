// A "process" of the processes model: a worker with a wasm instance and memory of its own (the
// plain build: it shares nothing, so needs no shared memory). It runs the tasks it is sent, one
// at a time, and sends each result back. See src/runner/processes.rs. A thread of separate memory
// (the threads model where the page has no shared memory: src/runner/separate_threads.rs) is the
// same worker.
import init, { gilMessage, processTask } from "./pkg/st/playground.js";

init().then(
  (wasm) => {
    // The GIL's messages (src/runner/gil_worker.rs) go to the task under way.
    self.onmessage = async ({ data }) =>
      data.gil ? gilMessage(data) : postMessage(await processTask(data));
    postMessage({ ready: true, memoryBytes: wasm.memory.buffer.byteLength });
  },
  (err) => postMessage({ error: String(err) }),
);
