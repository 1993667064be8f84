// A worker of bench/cpu-floor/: one kernel instance of its own; computes the tasks it is sent,
// one at a time, and answers each with its absolute start and end.
import { calibrate, compute, kernelOf } from "./kernels.js";

let kernel = null;
self.onmessage = async ({ data }) => {
  try {
    if (data.kernel) {
      kernel = await kernelOf(data.kernel);
      postMessage({ ready: true });
    } else if (data.calibrate) {
      postMessage({ itersPerMs: await calibrate(kernel, data.warmMs) });
    } else {
      postMessage(await compute(kernel, data.x, data.iters));
    }
  } catch (e) {
    postMessage({ error: String(e?.message ?? e) });
  }
};
