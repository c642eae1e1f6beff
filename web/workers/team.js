// The helper workers of the worker that owns the session: started when a job
// asks for them (data parallelism: pynet/browser/team.py), kept warm for the next job
// for a while, then released. Each is a WorkerClient on replica.js. A helper
// that crashes fails its pending requests with a message naming it and is
// dropped; the job decides what that means (pynet/browser/jobs.py).
import { WorkerClient } from "../shared/worker-client.js";
import { transferables } from "./python.js";

const KEEP_WARM_MS = 60_000; // a second run or an evaluation soon after reuses them (start-up ~3 s each)
const ANSWER_MS = 120_000; // a shard takes well under a second; a helper silent this long is lost

export class Team {
  constructor() {
    this.helpers = []; // {client, number, dead, bootMs}
    this.releaseTimer = 0;
  }

  get size() {
    return this.helpers.length;
  }

  // `count` helpers with the network `architecture` (ModelConfig.to_dict()),
  // starting those missing (in parallel); onProgress({started, count, boot_ms}).
  async ensure(count, architecture, onProgress = () => {}) {
    clearTimeout(this.releaseTimer);
    this.helpers = this.helpers.filter((h) => !h.dead);
    while (this.helpers.length > count) this.helpers.pop().client.worker.terminate();
    const fresh = [];
    while (this.helpers.length < count) {
      const helper = { number: this.helpers.length + 2, dead: false, bootMs: null }; // worker 1 is this one
      helper.client = new WorkerClient(new URL("./replica.js", import.meta.url), {
        onCrash: () => { // its memory goes with it; the job learns of it through its failed request
          helper.dead = true;
          helper.client.worker.terminate();
        },
      });
      this.helpers.push(helper);
      fresh.push(helper);
    }
    let started = count - fresh.length;
    onProgress({ started, count });
    await Promise.all(this.helpers.map(async (helper) => {
      await helper.client.request("setup", { architecture });
      if (helper.bootMs == null) {
        helper.bootMs = (await helper.client.request("memory")).boot_ms;
        started += 1;
        onProgress({ started, count, boot_ms: helper.bootMs });
      }
    }));
  }

  // Posts each request ({replica, method, args}) to its helper, moving its
  // arrays; resolves with the replies in request order.
  send(requests) {
    return Promise.all(requests.map(async ({ replica, method, args }) => {
      const helper = this.helpers[replica];
      if (!helper || helper.dead) throw new Error(`helper worker ${replica + 2} is not running`);
      let timer = 0;
      const silence = new Promise((resolve, reject) => {
        timer = setTimeout(() => {
          helper.dead = true; // silent: lost, and its memory freed
          helper.client.worker.terminate();
          reject(new Error(`no answer in ${ANSWER_MS / 1000} s`));
        }, ANSWER_MS);
      });
      try {
        return await Promise.race([helper.client.request(method, args, transferables(args)), silence]);
      } catch (err) {
        throw new Error(`helper worker ${helper.number} ${helper.dead ? "stopped" : "failed"} (${err.message})`);
      } finally {
        clearTimeout(timer);
      }
    }));
  }

  // Python's memory in each helper: [{worker, wasm_bytes, boot_ms}].
  async memory() {
    return Promise.all(this.helpers.filter((h) => !h.dead).map(async (h) => ({
      worker: h.number, ...(await h.client.request("memory")),
    })));
  }

  releaseSoon() {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => this.release(), KEEP_WARM_MS);
  }

  release() {
    for (const h of this.helpers) h.client.worker.terminate();
    this.helpers = [];
  }
}
