import test from "ava";
import type { Hex } from "viem";
import { WormholePath } from "../src/bridges/wormhole/path.ts";
import type { WormholeScenario } from "../src/bridges/wormhole/scenario.ts";
import type { Ledger } from "../src/measure/ledger.ts";
import type { RunRecorder } from "../src/report/runReport.ts";
import { validateScenario } from "../src/scenarios.ts";
import { percentile } from "../src/measure/histogram.ts";
import { p50Between, runLocal, tempReports } from "./helpers/run.ts";

// rpc-* faults with a `guardians` selector: only the selected guardians' own link to the source
// chain is faulted (their own poller through their own proxy); the shared poller, the other
// guardians and the relayer are not. Three 2-second stages at 10 msgs/s, the fault on the middle one.

const fields = (fault: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: `guardian-${fault.kind}`,
  seed: 5,
  stages: [
    { rate: 10, duration: "2s" },
    { rate: 10, duration: "2s" },
    { rate: 10, duration: "2s" },
  ],
  drain: "15s",
  faults: [{ at: "2s", for: "2s", target: "Ethereum", ...fault }],
  ...extra,
});

/** A Wormhole path that records every guardian's observation of every message (run-clock ms). */
class RecordingPath extends WormholePath {
  readonly seen = new Map<Hex, Map<number, number>>();

  override async attach(ledger: Ledger, recorder: RunRecorder): Promise<void> {
    this.stack.guardianNetwork.on("observed", ({ digest, guardianIndex, at }) => {
      const byGuardian = this.seen.get(digest) ?? new Map<number, number>();
      byGuardian.set(guardianIndex, ledger.elapsed(at));
      this.seen.set(digest, byGuardian);
    });
    return super.attach(ledger, recorder);
  }
}

test.serial("an rpc fault with `guardians` delays only those guardians' observations; quorum and deliveries keep their pace", async (t) => {
  const scenario = fields({ kind: "rpc-latency", ms: 500, guardians: 6 });
  const path = new RecordingPath(
    validateScenario(
      { chains: { Ethereum: { blockTimeMs: 200 }, Base: { blockTimeMs: 200 } }, routes: [{ from: "Ethereum", to: ["Base"] }], senders: 2, ...scenario },
      "test",
    ) as WormholeScenario,
    tempReports(),
  );
  const { result, rows, survivors } = await runLocal(scenario, { path });
  t.deepEqual(survivors, []);
  t.is(result.stats.total.delivered, result.stats.total.offered, "nothing lost");
  t.deepEqual(
    rows("events.csv").map((e) => e.event),
    ["fault-start", "fault-end"],
  );
  // Per message first seen well inside the fault (2.3 s – 3.5 s): each guardian's lateness behind the first.
  const late = { selected: [] as number[], others: [] as number[] };
  for (const byGuardian of path.seen.values()) {
    const first = Math.min(...byGuardian.values());
    if (first < 2300 || first >= 3500) continue;
    for (const [g, at] of byGuardian) (g >= 13 ? late.selected : late.others).push(at - first);
  }
  t.true(late.selected.length >= 6 * 8, `${late.selected.length} observations of selected guardians`);
  t.true(late.others.length >= 13 * 8);
  const p = (xs: number[], q: number) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      q,
    )!;
  t.true(p(late.selected, 10) >= 400, `selected guardians' lateness p10 ${p(late.selected, 10)} ms`);
  t.true(p(late.others, 90) < 100, `other guardians' lateness p90 ${p(late.others, 90)} ms`);
  // The skew shows it; quorum (13 of the 13 unaffected) and delivery do not.
  const steps = rows("steps.csv");
  const skew = steps.map((s) => Number(s.observation_skew_p99_ms));
  t.true(skew[0]! < 100 && skew[1]! >= 400, `observation skew p99 ${skew.join(", ")} ms`);
  const quorum = rows("hops.csv")
    .filter((h) => h.hop === "guardian_quorum")
    .map((h) => Number(h.p50_ms));
  t.true(quorum[1]! < quorum[0]! + 60, `guardian_quorum p50 ${quorum.join(", ")} ms`);
  const messages = rows("messages.csv");
  const [clean, faulted] = [p50Between(messages, 0, 2000), p50Between(messages, 2000, 4000)];
  t.true(faulted < clean + 150, `delivery p50 ${clean} ms clean, ${faulted} ms under the fault`);
});

test.serial("a stalled view: guardians cut from their chain fall behind, and the heartbeat head spread shows it in steps.csv", async (t) => {
  const { result, rows, survivors } = await runLocal(
    fields({ kind: "rpc-outage", guardians: [17, 18] }, { guardianNetwork: { heartbeatMs: 250, maxHeadSpread: 3 } }),
  );
  t.deepEqual(survivors, []);
  t.is(result.stats.total.delivered, result.stats.total.offered, "17 guardians keep quorum: nothing lost");
  const steps = rows("steps.csv");
  const spread = steps.map((s) => Number(s.height_skew_max));
  // 2 s cut off on 200 ms blocks: the shared view moves ~10 blocks past the stalled ones.
  t.true(spread[0]! <= 1, `head spread ${spread.join(", ")} blocks`);
  t.true(spread[1]! >= 5, `head spread ${spread.join(", ")} blocks`);
  t.deepEqual(
    steps.map((s) => s.failed_criteria.split(";").includes("desync")),
    [false, true, spread[2]! > 3],
  );
});
