import { loadRelayerPreset, relayerPresetNames } from "../config.ts";
import { defineRelayerKind } from "../kind.ts";
import { ReferenceRelayer } from "../referenceRelayer.ts";

/** The reference relayer in this process, with a preset of fixtures/relayers/<name>.json. */
export const reference = defineRelayerKind({
  name: "reference",
  summary: "a preset of fixtures/relayers/ (the default): the reference relayer in the harness's process",
  signsInProcess: true,
  values: relayerPresetNames,
  select(value) {
    if (!relayerPresetNames().includes(value)) return undefined;
    const config = loadRelayerPreset(value);
    return { make: (endpoints, integration) => new ReferenceRelayer(endpoints, config, integration), batchSize: config.batchSize };
  },
});
