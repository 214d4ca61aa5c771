import type { AnyFaultKind } from "../../../load/faultKinds.ts";
import { blockTime } from "./blockTime.ts";
import { congestion } from "./congestion.ts";
import { gasSpike } from "./gasSpike.ts";
import { gossipPartition } from "./gossipPartition.ts";
import { guardianDelay } from "./guardianDelay.ts";
import { guardiansEquivocate } from "./guardiansEquivocate.ts";
import { guardiansOffline } from "./guardiansOffline.ts";
import { guardiansWithhold } from "./guardiansWithhold.ts";
import { relayerRestart } from "./relayerRestart.ts";
import { regionCut } from "./regionCut.ts";
import { regionSlow } from "./regionSlow.ts";
import { reorg } from "./reorg.ts";
import { rpcBandwidth } from "./rpcBandwidth.ts";
import { rpcLatency } from "./rpcLatency.ts";
import { rpcOutage } from "./rpcOutage.ts";
import { rpcReset } from "./rpcReset.ts";
import { rpcTimeout } from "./rpcTimeout.ts";

/** The Wormhole bridge's fault kinds, in the order errors and the README list them: a new kind is its file plus one line here. */
export const WORMHOLE_FAULTS: readonly AnyFaultKind[] = [
  guardiansOffline,
  guardianDelay,
  guardiansWithhold,
  guardiansEquivocate,
  gossipPartition,
  regionSlow,
  regionCut,
  rpcLatency,
  rpcBandwidth,
  rpcTimeout,
  rpcReset,
  rpcOutage,
  gasSpike,
  blockTime,
  reorg,
  congestion,
  relayerRestart,
];

/** Kinds that act on links through the fault proxy: a run with one starts the proxy. */
export const NETWORK_FAULTS: ReadonlySet<string> = new Set([rpcLatency, rpcBandwidth, rpcTimeout, rpcReset, rpcOutage].map((k) => k.kind));
