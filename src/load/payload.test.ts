import test from "ava";
import { decodeTrigger, encodeTrigger, PayloadError, type Trigger } from "./payload.ts";

const trigger: Trigger = {
  triggerId: 2n ** 63n + 5n,
  kind: "cancel",
  positionId: `0x${"11".repeat(32)}`,
  account: "0x00000000000000000000000000000000000000aa",
  price: 2n ** 127n + 3n,
  deadlineMs: 1_800_000_000_000n,
  destinationChain: 30,
  padding: new Uint8Array([9, 9, 9]),
};

test("round trip, with the documented offsets", (t) => {
  const bytes = encodeTrigger(trigger);
  t.is(bytes.length, 88 + 3);
  t.is(bytes[0], 1);
  t.is(bytes[1], 3);
  t.is(new DataView(bytes.buffer).getUint16(86), 30);
  t.deepEqual(decodeTrigger(bytes), trigger);
});

test("bad payloads name the field", (t) => {
  t.throws(() => decodeTrigger(new Uint8Array(10)), { instanceOf: PayloadError, message: /payload length: 10 bytes/ });
  const wrongVersion = encodeTrigger(trigger);
  wrongVersion[0] = 2;
  t.throws(() => decodeTrigger(wrongVersion), { message: /payload version: is 2/ });
  const wrongKind = encodeTrigger(trigger);
  wrongKind[1] = 9;
  t.throws(() => decodeTrigger(wrongKind), { message: /payload kind: code 9 is unknown/ });
  t.throws(() => encodeTrigger({ ...trigger, destinationChain: 70_000 }), { message: /destinationChain: 70000 does not fit in uint16/ });
});
