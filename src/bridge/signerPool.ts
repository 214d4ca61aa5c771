import { Worker } from "node:worker_threads";
import { signDigest } from "./vaa.ts";

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
  private nextId = 0;
  private readonly pending = new Map<number, Request>();

  /** @param keys TEST-ONLY guardian private keys, by guardian index. */
  constructor(private readonly keys: Uint8Array[]) {}

  start(): void {
    try {
      const worker = new Worker(new URL("./signWorker.mjs", import.meta.url), { workerData: { keys: this.keys } });
      worker.unref();
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

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.pending.clear();
    await worker?.terminate();
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
