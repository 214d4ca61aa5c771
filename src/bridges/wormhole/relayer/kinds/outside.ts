import { CommandRelayer, loadCommandRelayer, OUTSIDE_PREFIX, outsideRelayerNames } from "../commandRelayer.ts";
import { defineRelayerKind } from "../kind.ts";

/** Any program run as a command (fixtures/relayers/outside/<name>.json), told the endpoints in its environment. */
export const outside = defineRelayerKind({
  name: "outside",
  summary: `"${OUTSIDE_PREFIX}<name>": a program run as a command, from fixtures/relayers/outside/<name>.json`,
  signsInProcess: false,
  values: outsideRelayerNames,
  select(value) {
    if (!value.startsWith(OUTSIDE_PREFIX)) return undefined;
    const config = loadCommandRelayer(value);
    // It delivers however it likes (by the receiver's functions it was written for); the integration is the harness's.
    return { make: (endpoints) => new CommandRelayer(endpoints, config) };
  },
});
