import type { Address } from "viem";
import type { Toxiproxy } from "../../../../chains/toxiproxy.ts";
import type { FaultTargets } from "../../../engine/faultRunner.ts";
import type { FaultSpec } from "../../../load/faultKinds.ts";
import { rpc } from "../../../infra/rpc.ts";
import type { GuardianNetwork } from "../guardians/guardianNetwork.ts";
import type { GossipTopology } from "../guardians/topology.ts";
import type { GuardianLink } from "../guardianViews.ts";
import type { ProcessRelayer } from "../relayer/processRelayer.ts";

export interface FaultChain {
  /** Direct RPC URL (never through the fault proxy). */
  rpcUrl: string;
  /** Normal block time. */
  blockTimeMs: number;
  evmChainId: number;
  gasLimit: bigint;
  /** The GasBurner congestion faults call (deployed when the scenario has one for this chain). */
  gasBurner?: Address;
  /** Sets the block time of a chain the harness's block clock mines (see chains/blockClock.ts); else block-time mines by hand. */
  setBlockTime?: (ms: number) => void;
}

/** The live parts of a Wormhole run that its fault kinds act on. */
export interface WormholeParts {
  guardians?: GuardianNetwork;
  /** Where the guardians sit (guardianNetwork.regions): what the region faults act on. */
  topology?: GossipTopology;
  /** The fault proxy in front of the bridge's links (proxies named by target), when network faults are scheduled. */
  toxiproxy?: Toxiproxy;
  /** The relayer, when it runs as its own process (needed for relayer-restart). */
  relayerProcess?: ProcessRelayer;
  /** The guardians' own links through the fault proxy, for rpc-* faults with a `guardians` selector (guardianViews.ts). */
  guardianLinks?: GuardianLink[];
  /** Each EVM chain as faults on the chain itself need it. */
  chains?: Map<string, FaultChain>;
  /**
   * Runs a reorg of a chain (`reorg` resolves with the first replaced block) with whatever
   * must hold still around it (senders), and finds what it rolled back; returns a summary
   * for events.csv. Without it the reorg just runs.
   */
  aroundReorg?: (chain: string, reorg: () => Promise<bigint>) => Promise<string>;
}

/**
 * The Wormhole run's parts, plus what its faults keep running while they are active: timers
 * that hold a chain fault in place, background senders, chains mined by hand. release() stops
 * them all at the end of the run.
 */
export class WormholeFaultTargets implements FaultTargets, WormholeParts {
  guardians?: GuardianNetwork;
  topology?: GossipTopology;
  toxiproxy?: Toxiproxy;
  relayerProcess?: ProcessRelayer;
  guardianLinks?: GuardianLink[];
  chains?: Map<string, FaultChain>;
  aroundReorg?: WormholeParts["aroundReorg"];
  /** Timers that hold a chain fault in place (a base fee re-set every block), by fault. */
  readonly holders = new Map<FaultSpec, NodeJS.Timeout>();
  /** Background senders of congestion faults, by fault. */
  readonly background = new Map<FaultSpec, { timer: NodeJS.Timeout; sent: number; refused: number }>();
  /** Chains whose blocks are mined by hand (see mineEvery). */
  private readonly handMined = new Map<string, NodeJS.Timeout>();

  constructor(parts: WormholeParts) {
    Object.assign(this, parts);
  }

  chain(name: string): FaultChain {
    const chain = this.chains?.get(name);
    if (!chain) throw new Error(`no chain ${name} in this stack`);
    return chain;
  }

  /**
   * anvil's evm_setIntervalMining takes whole seconds only, so block times are kept by
   * mining on a timer (interval mining off) once a block-time fault touched the chain,
   * until the run ends.
   */
  async mineEvery(name: string, ms: number): Promise<void> {
    const { rpcUrl } = this.chain(name);
    clearInterval(this.handMined.get(name));
    await rpc(rpcUrl, "evm_setIntervalMining", [0]);
    this.handMined.set(
      name,
      setInterval(() => void rpc(rpcUrl, "evm_mine", []).catch(() => undefined), ms),
    );
  }

  async release(): Promise<void> {
    for (const timer of this.holders.values()) clearInterval(timer);
    for (const { timer } of this.background.values()) clearInterval(timer);
    // Hand back block production to anvil (whole seconds at most) so the drain sweep still sees blocks.
    for (const [name, timer] of this.handMined) {
      clearInterval(timer);
      const chain = this.chain(name);
      await rpc(chain.rpcUrl, "evm_setIntervalMining", [Math.max(1, Math.round(chain.blockTimeMs / 1000))]).catch(() => undefined);
    }
    this.handMined.clear();
  }
}
