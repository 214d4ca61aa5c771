import test from "ava";
import { chainProfile } from "../../../chains/profiles.ts";
import { loadScenario } from "../../scenarios.ts";
import { chainHistory } from "./longRuns.ts";
import type { WormholeScenario } from "./scenario.ts";

test("chain history: destinations keep 2 past states (a call at latest racing a new block); a source keeps the re-observation look-back only when a fault is scheduled", (t) => {
  const soak = loadScenario("soak") as WormholeScenario;
  const history = chainHistory(soak, ["Ethereum"]);
  // No fault: the 512-block floor (256 s of Ethereum's 500 ms blocks) covers the 60 s catch-up.
  t.deepEqual(history(chainProfile("Ethereum", { blockTimeMs: 500 })), { states: 64, transactionBlocks: 512 });
  t.deepEqual(history(chainProfile("Base", { blockTimeMs: 250 })), { states: 2, transactionBlocks: 512 });
  // A fault: guardians may re-observe at firstRetry (5 min), so the source keeps 5 min + 60 s of transactions.
  const faulted = { ...soak, faults: [{ kind: "relayer-restart", atS: 10, forS: 2 }] } as unknown as WormholeScenario;
  t.deepEqual(chainHistory(faulted, ["Ethereum"])(chainProfile("Ethereum", { blockTimeMs: 500 })), { states: 64, transactionBlocks: 720 });
  t.deepEqual(chainHistory(faulted, ["Ethereum"])(chainProfile("Base", { blockTimeMs: 250 })), { states: 2, transactionBlocks: 512 });
});
