import test from "ava";
import { searchCapacity } from "./search.ts";
import type { StageConfig } from "./scenario.ts";
import { validateScenario } from "../scenarios.ts";
import { Ledger } from "../measure/ledger.ts";
import type { JudgedAs, StageJudgement } from "../measure/capacity.ts";

test("the search acts on each probe's one judgement: a probe under fault is made again, a harness-limited one bounds it from above", async (t) => {
  const search = { from: 10, factor: 2, max: 100, duration: 0.05, refine: 2 };
  const scenario = validateScenario({ routes: [{ from: "Ethereum", to: ["Base"] }], search }, "test");
  // What each probe is judged, in order: under fault, then sustained at 10; harness-limited at 20; bisection: 15 passes, 17.5 fails.
  const script: Array<[JudgedAs, string[]]> = [
    ["under-fault", ["drops"]],
    ["capacity", []],
    ["harness-limited", ["harness-limited"]],
    ["capacity", []],
    ["capacity", ["backlog-growing"]],
  ];
  const probes: StageConfig[] = [];
  const judged: number[] = [];
  await searchCapacity({
    scenario: { ...scenario, search: scenario.search! },
    ledger: new Ledger(),
    recorder: {
      judge: (stage) => {
        judged.push(stage);
        const [judgedAs, failed] = script[stage]!;
        return { stage, offeredRate: probes[stage]!.rate, judgedAs, failed, judgedAtMs: 0, faults: "", figures: {} } as unknown as StageJudgement;
      },
    },
    send: () => {},
    signal: new AbortController().signal,
    probes,
    progress: () => {},
  });
  t.deepEqual(
    probes.map((p) => p.rate),
    [10, 10, 20, 15, 17.5],
  );
  t.deepEqual(judged, [0, 1, 2, 3, 4], "each probe judged once");
});
