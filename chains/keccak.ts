import { createRequire } from "node:module";
import { dirname } from "node:path";
import { keccak256 as jsKeccak256 } from "viem";

/** The `keccak` package's native sponge (XKCP), without the package's stream wrapper. */
interface KeccakSponge {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  squeeze(length: number): Buffer;
}

/** One native sponge, reused for every hash (hashing is synchronous), or undefined where the binding does not load. */
const sponge: KeccakSponge | undefined = (() => {
  try {
    const packageJson = createRequire(import.meta.url).resolve("keccak/package.json");
    // node-gyp-build as the package itself finds it, then the prebuilt binary it ships.
    const Sponge = (createRequire(packageJson)("node-gyp-build") as (dir: string) => unknown)(dirname(packageJson));
    return typeof Sponge === "function" ? new (Sponge as new () => KeccakSponge)() : undefined;
  } catch {
    return undefined;
  }
})();

/** Which Keccak-256 this process uses: "native" (the `keccak` package's C sponge) or "js" (viem's, @noble/hashes). */
export const keccakImplementation: "native" | "js" = sponge ? "native" : "js";

/**
 * Keccak-256 of some bytes. Native where it loads: several times faster than the pure-JS one
 * on transaction-sized inputs, and every message is hashed several times on the harness's
 * main thread (two transactions signed, a VAA body digest). The package's own entry point
 * wraps each hash in a stream object, which cost more than the hashing: the sponge is used
 * directly (rate 1088, capacity 512; squeezing pads with Keccak's 0x01).
 */
export const keccak256: (data: Uint8Array) => Uint8Array = sponge
  ? (data) => {
      sponge.initialize(1088, 512);
      sponge.absorb(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      const digest = sponge.squeeze(32);
      return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
    }
  : (data) => jsKeccak256(data, "bytes");
