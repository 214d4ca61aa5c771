import { join } from "node:path";
import { loadRelayerPreset, relayerPresetNames } from "../config.ts";
import { defineRelayerKind } from "../kind.ts";
import { ProcessRelayer } from "../processRelayer.ts";

/** A scenario with this fault kind needs a relayer it can kill and start again. */
const RESTART_FAULT = "relayer-restart";

/** The reference relayer in its own process with a checkpoint file, chosen when a relayer-restart fault will kill it. */
export const processRelayer = defineRelayerKind({
  name: "process",
  summary: `a preset of fixtures/relayers/ in a scenario with a "${RESTART_FAULT}" fault: the reference relayer as its own process`,
  signsInProcess: false,
  values: relayerPresetNames,
  select(value, { faults, runDir }) {
    if (!faults.some((f) => f.kind === RESTART_FAULT) || !relayerPresetNames().includes(value)) return undefined;
    const config = loadRelayerPreset(value);
    return {
      make: (endpoints, integration) => new ProcessRelayer(endpoints, config, join(runDir, "relayer-checkpoint.json"), integration.modulePath),
      batchSize: config.batchSize,
    };
  },
});
