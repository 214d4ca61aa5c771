import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { defineFault } from "../load/faultKinds.ts";
import { Ledger } from "../measure/ledger.ts";
import { FaultRunner } from "./faultRunner.ts";

/** A fault kind of no bridge: it switches a flag, so the timeline's timing is all that is tested. */
const flag = defineFault({
  kind: "flag",
  models: "sets `on` while active",
  fields: () => ({}),
  async set(_fault, on, targets: { on: boolean; released: number }) {
    targets.on = on;
    return undefined;
  },
});
const targets = () => ({
  on: false,
  released: 0,
  release: async function (this: { released: number }) {
    this.released++;
  },
});

test("a fault's `at` counts from the run clock's start (stage 0), not from when the timeline was attached", async (t) => {
  const ledger = new Ledger();
  const parts = targets();
  const runner = new FaultRunner([{ kind: "flag", atS: 0.05, forS: 10 }], [flag], parts, ledger, Math.random);
  runner.start();
  // Attaching the rest of the path takes a while: twice the fault's `at`.
  await sleep(100);
  t.deepEqual(runner.events, [], "nothing applied before the clock starts");
  t.false(parts.on);
  ledger.start();
  while (!runner.events.length) await sleep(5);
  t.like(runner.events[0], { event: "fault-start", kind: "flag", fault: "flag()@0.05s+10s" });
  t.true(runner.events[0]!.at >= 50, `applied at ${runner.events[0]!.at} ms on the run clock, not before its 50 ms`);
  t.true(parts.on);
  await runner.stop();
  t.false(parts.on, "healed at stop");
  t.is(parts.released, 1, "the bridge's targets released once at stop");
});

test("a timeline stopped before the clock starts never applies", async (t) => {
  const ledger = new Ledger();
  const parts = targets();
  const runner = new FaultRunner([{ kind: "flag", atS: 0, forS: 1 }], [flag], parts, ledger, Math.random);
  runner.start();
  await runner.stop();
  ledger.start();
  await sleep(50);
  t.deepEqual(runner.events, []);
  t.false(parts.on);
});

test("a fault of a kind the bridge does not have is refused when the timeline is made", (t) => {
  const error = t.throws(() => new FaultRunner([{ kind: "meteor", atS: 0, forS: 1 }], [flag], targets(), new Ledger(), Math.random));
  t.regex(error.message, /fault kinds meteor are not faults of this bridge/);
});
