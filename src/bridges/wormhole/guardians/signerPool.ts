import { Worker } from "node:worker_threads";
import { signDigest } from "../vaa.ts";

interface Request {
  digest: Uint8Array;
  guardianIndices: number[];
  resolve: (signatures: Uint8Array[]) => void;
}

/**
 * Guardian signatures made on a worker thread, so the main thread — which dispatches the
 * load and observes every hop — does not pay for them. If the thread cannot start or
 * fails, signing falls back to the main thread (nothing waiting is lost).
 */
export class SignerPool {
  private worker: Worker | undefined;
  /** Shared with the thread: 1 once the pool stops. */
  private readonly stopping = new Int32Array(new SharedArrayBuffer(4));
  private exited = false;
  private nextId = 0;
  private readonly pending = new Map<number, Request>();

  /** @param keys TEST-ONLY guardian private keys, by guardian index. */
  constructor(private readonly keys: Uint8Array[]) {}

  /** True while signatures are made on the thread (false before start, after stop, or once it fell back). */
  get onThread(): boolean {
    return this.worker !== undefined;
  }

  start(): void {
    Atomics.store(this.stopping, 0, 0);
    this.exited = false;
    try {
      const worker = new Worker(new URL("./signWorker.mjs", import.meta.url), { workerData: { keys: this.keys, stopping: this.stopping } });
      worker.unref();
      worker.once("exit", () => {
        this.exited = true;
        if (this.worker === worker) this.fallBack();
      });
      worker.on("message", ({ id, signatures }: { id: number; signatures: Uint8Array[] }) => {
        const request = this.pending.get(id);
        this.pending.delete(id);
        request?.resolve(signatures);
      });
      worker.on("error", () => this.fallBack());
      this.worker = worker;
    } catch {
      this.worker = undefined;
    }
  }

  /**
   * Ends the thread by asking it to close, not with terminate(): terminating a thread while it
   * is inside libsecp256k1 aborts the whole process (node-addon-api cannot throw into a
   * terminating environment: "terminate called after throwing an instance of 'Napi::Error'"),
   * which a stop with signatures still in flight — the end of a run, Ctrl-C — would hit.
   * terminate() stays the last resort for a thread that does not close within 5 s.
   */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.pending.clear();
    if (!worker || this.exited) return;
    Atomics.store(this.stopping, 0, 1);
    // An unref'd thread awaited alone would let the process exit under us.
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage({ stop: true });
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** The listed guardians' signatures of `digest`, in the order asked. */
  sign(digest: Uint8Array, guardianIndices: number[]): Promise<Uint8Array[]> {
    return new Promise((resolve) => {
      if (!this.worker) return resolve(this.signHere(digest, guardianIndices));
      const id = this.nextId++;
      this.pending.set(id, { digest, guardianIndices, resolve });
      this.worker.postMessage({ id, digest, guardianIndices });
    });
  }

  private signHere(digest: Uint8Array, guardianIndices: number[]): Uint8Array[] {
    return guardianIndices.map((index) => signDigest(this.keys[index]!, digest));
  }

  /** The thread died: sign what it still owed here, and everything from now on. */
  private fallBack(): void {
    this.worker = undefined;
    for (const request of this.pending.values()) request.resolve(this.signHere(request.digest, request.guardianIndices));
    this.pending.clear();
  }
}
