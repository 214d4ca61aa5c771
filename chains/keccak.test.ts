import test from "ava";
import { randomBytes } from "node:crypto";
import { keccak256 as viemKeccak256 } from "viem";
import { keccak256, keccakImplementation } from "./keccak.ts";

test("Keccak-256 matches viem's on every length around the 136-byte rate, reusing one sponge", (t) => {
  for (const length of [0, 1, 31, 32, 135, 136, 137, 271, 272, 273, 1100, 70_000]) {
    const data = randomBytes(length);
    t.is(Buffer.from(keccak256(data)).toString("hex"), viemKeccak256(data).slice(2), `${length} bytes`);
    // A Uint8Array view into a larger buffer hashes only its own bytes.
    const whole = Buffer.concat([Buffer.from([9, 9]), data, Buffer.from([7])]);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 2, length);
    t.is(Buffer.from(keccak256(view)).toString("hex"), viemKeccak256(data).slice(2), `${length} bytes through a view`);
  }
  t.is(Buffer.from(keccak256(new Uint8Array())).toString("hex"), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
});

test("the native binding loads on linux-x64 (the keccak package ships it prebuilt)", (t) => {
  if (`${process.platform}-${process.arch}` !== "linux-x64") return t.pass("other platforms may fall back to the JS hash");
  t.is(keccakImplementation, "native");
});
