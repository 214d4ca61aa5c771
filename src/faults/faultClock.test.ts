import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import type { GuardianNetwork } from "../bridges/wormhole/guardians/guardianNetwork.ts";
import { Ledger } from "../measure/ledger.ts";
import { FaultRunner } from "./faultRunner.ts";

test("a fault's `at` counts from the run clock's start (stage 0), not from when the timeline was attached", async (t) => {
  const ledger = new Ledger();
  const guardians = [{ index: 0, online: true }];
  const targets = { guardians: { guardians } as unknown as GuardianNetwork };
  const runner = new FaultRunner([{ kind: "guardians-offline", atS: 0.05, forS: 10, count: 1 }], targets, ledger, Math.random);
  runner.start();
  // Attaching the rest of the path takes a while: twice the fault's `at`.
  await sleep(100);
  t.deepEqual(runner.events, [], "nothing applied before the clock starts");
  t.true(guardians[0]!.online);
  ledger.start();
  while (!runner.events.length) await sleep(5);
  t.like(runner.events[0], { event: "fault-start", kind: "guardians-offline" });
  t.true(runner.events[0]!.at >= 49, `applied at ${runner.events[0]!.at} ms on the run clock`);
  t.false(guardians[0]!.online);
  await runner.stop();
  t.true(guardians[0]!.online, "healed at stop");
});

test("a timeline stopped before the clock starts never applies", async (t) => {
  const ledger = new Ledger();
  const guardians = [{ index: 0, online: true }];
  const targets = { guardians: { guardians } as unknown as GuardianNetwork };
  const runner = new FaultRunner([{ kind: "guardians-offline", atS: 0, forS: 1, count: 1 }], targets, ledger, Math.random);
  runner.start();
  await runner.stop();
  ledger.start();
  await sleep(20);
  t.deepEqual(runner.events, []);
  t.true(guardians[0]!.online);
});
