import { encodeFunctionData, type Address, type Hex } from "viem";
import type { Chain } from "@wormhole-foundation/sdk-base";
import { rpc } from "../../infra/rpc.ts";
import { roleKeys } from "../../../chains/devAccounts.ts";
import { chainProfile } from "../../../chains/profiles.ts";
import { WalletPool } from "../../../chains/walletPool.ts";
import { signTransaction } from "../../../chains/txSigner.ts";
import { deployGasBurner, readContract } from "./deploy.ts";
import { coreAbi } from "./core.ts";
import { FaultRunner } from "../../engine/faultRunner.ts";
import { NETWORK_FAULTS, WORMHOLE_FAULTS } from "./faults/index.ts";
import { WormholeFaultTargets } from "./faults/targets.ts";
import { CONSISTENCY_LEVEL, scenarioMessageFee, type WormholeScenario } from "./scenario.ts";
import { seededRandom } from "../../infra/random.ts";
import type { PlannedMessage } from "../../load/schedule.ts";
import { now } from "../../infra/clock.ts";
import type { Ledger } from "../../measure/ledger.ts";
import type { SourceBlocks } from "../../../chains/sourceBlocks.ts";
import { dropRevertedSends, dropShortOfQuorum, OBSERVATION_POLL_MS, recordMisbehaviour, rollBack, type Watcher, watchRun } from "./watchers.ts";
import { chooseRelayer } from "./relayer/kinds/index.ts";
import type { HarnessLimits, RunRecorder } from "../../report/runReport.ts";
import { privateKeyToAccount } from "viem/accounts";
import { generateGuardianKeys } from "./guardians/guardianKeys.ts";
import { vaaRetentionFor } from "./guardians/guardianNetwork.ts";
import { guardianNetworkOptions } from "./guardians/settings.ts";
import { bodyDigest, quorum, signDigest } from "./vaa.ts";
import { EvmStack } from "./stack.ts";
import { topologyFor } from "./guardians/regions.ts";
import { watchSignatures } from "./guardianReport.ts";
import { chainHistory, chainResources } from "./longRuns.ts";
import { recordHeadSpread, viewStackOptions } from "./guardianViews.ts";
import { triggerDeadlineMs, type DeliveryPath } from "../../engine/bridge.ts";
import { messageOf } from "../../infra/errors.ts";

const NO_PADDING = new Uint8Array();
/** How long the harness's ceiling is sampled before the load. */
const CEILING_SAMPLE_MS = 300;
/** Head polling interval of the harness's own watchers (its observation resolution). */

/** How many times a second `work(count)` runs, timed over `ms`. */
function ratePerS(ms: number, work: (count: number) => void): number {
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < ms) work(count++);
  return count / ((performance.now() - started) / 1000);
}

/**
 * Wormhole between EVM chains: anvil chains, the real core contract, guardians, the VAA
 * API and the relayer under test (EvmStack), the load senders, the harness's own watchers
 * of every hop, and the fault timeline.
 */
export class WormholePath implements DeliveryPath {
  readonly stack: EvmStack;
  readonly limits: HarnessLimits = { observationPollMs: OBSERVATION_POLL_MS };
  readonly description: string;
  private readonly sources: Chain[];
  private readonly destinations: Chain[];
  private readonly senders = new Map<Chain, WalletPool>();
  /** Each source core's messageFee(), read once before the load: every trigger pays it as its value. */
  private readonly messageFees = new Map<Chain, bigint>();
  private watchers: Watcher[] = [];
  private sourceBlocks = new Map<Chain, SourceBlocks>();
  private faults: FaultRunner<WormholeFaultTargets> | undefined;
  private ledger: Ledger | undefined;
  /** Says, once, that submissions went out and no delivery event was recognised (see watchers.ts). */
  private sayUnrecognised: () => void = () => undefined;
  private misbehaviour: { summary(): void } | undefined;
  /** Message ids seen delivered, for the integration's own checks after the run. */
  private readonly deliveredIds = new Set<number>();
  /** What the integration's verify() found after the run. */
  private verified: { problems: string[] } | { error: string } | undefined;
  /** Where the guardians sit (guardianNetwork.regions; flat without) and the signatures guardians.csv is made of. */
  private readonly topology: ReturnType<typeof topologyFor>;
  private signatures: ReturnType<typeof watchSignatures> | undefined;

  constructor(
    private readonly scenario: WormholeScenario,
    runDir: string,
  ) {
    this.topology = topologyFor(scenario.guardianNetwork, scenario.guardians);
    this.sources = [...new Set(scenario.routes.map((r) => r.from))];
    this.destinations = [...new Set(scenario.routes.flatMap((r) => r.to))];
    const profiles = [...new Set([...this.sources, ...this.destinations])].map((name) => {
      const { blockTimeMs, mode, forkBlock } = scenario.chains[name] ?? {};
      return chainProfile(name, { ...(blockTimeMs ? { blockTimeMs } : {}), ...(mode ? { mode } : {}), ...(forkBlock !== undefined ? { forkBlock } : {}) });
    });
    this.stack = new EvmStack({
      chains: profiles,
      sources: this.sources,
      destinations: this.destinations,
      guardians: scenario.guardians,
      integration: scenario.integration,
      relayer: chooseRelayer(scenario.relayer, { faults: scenario.faults, runDir }),
      faultProxy: scenario.faults.some((f) => NETWORK_FAULTS.has(f.kind)),
      // A fault may keep the relayer from the VAA API longer than the usual retention.
      vaaRetentionMs: vaaRetentionFor(scenario.faults.map((f) => f.forS ?? 0)),
      messageFee: scenarioMessageFee(scenario),
      network: { ...guardianNetworkOptions(scenario), topology: this.topology },
      history: chainHistory(scenario, this.sources),
      ...viewStackOptions(scenario),
    });
    this.description = `${profiles.map((p) => p.name).join(", ")}, ${scenario.guardians} guardians, relayer preset "${scenario.relayer}"`;
  }

  endpoints(): Record<string, string> {
    return this.stack.endpoints();
  }

  versions(): Record<string, string> {
    return {};
  }

  /**
   * For the manifest: what the stack found and set on its chains (`evidence`: guardian set index, forks, cores kept or
   * installed, fees) and the integration that ran (its module and hash, its contracts' addresses and code hashes per chain,
   * and its own checks).
   */
  manifest(): Record<string, unknown> {
    const integration = this.stack.integrationEvidence;
    return {
      evidence: this.stack.evidence(),
      ...(integration ? { integration: { ...integration, ...(this.verified ? { verify: this.verified } : {}) } } : {}),
    };
  }

  pids(): number[] {
    return this.stack.pids();
  }

  resources() {
    return chainResources(this.stack);
  }

  start(): Promise<void> {
    return this.stack.start();
  }

  /**
   * Per message this process signs the sender's transaction (viem) and, with the in-process
   * relayer, the delivery transaction on its main thread, and a quorum of guardian signatures
   * (libsecp256k1) on the guardian signing thread. Each part is timed alone; the ceiling is
   * the slower thread's rate (one core each), or both added up when the signing thread is not
   * running and the main thread signs for the guardians. RPC and chains are left out.
   */
  async measureCeiling(): Promise<void> {
    // The network computes only the signatures that go into a VAA: a quorum of them.
    const keys = generateGuardianKeys(this.scenario.guardians).slice(0, quorum(this.scenario.guardians));
    // The same signer and transaction shapes as the load senders and the relayer (WalletPool).
    const key = roleKeys("senders", 1)[0]!;
    const tx = {
      type: "eip1559",
      chainId: 1,
      to: privateKeyToAccount(key).address,
      data: "0x",
      gas: 100_000n,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
    } as const;
    // The reference relayer in this process signs deliveries too; one in its own process does not.
    const inProcessRelayer = this.stack.options.relayer.kind.signsInProcess;
    const mainRate = ratePerS(CEILING_SAMPLE_MS, (count) => {
      signTransaction(key, { ...tx, nonce: count });
      if (inProcessRelayer) signTransaction(key, { ...tx, nonce: count + 1 });
    });
    const signRate = ratePerS(CEILING_SAMPLE_MS, (count) => {
      const digest = bodyDigest(new Uint8Array([count & 255, count >> 8, 1]));
      for (const key of keys) signDigest(key.privateKey, digest);
    });
    const mainWhat = `sender${inProcessRelayer ? " + relayer" : ""} signature`;
    const signWhat = `quorum of ${keys.length} guardian signatures`;
    if (this.stack.guardianNetwork.signsOnThread) {
      this.limits.ceilingMsgsPerS = Math.min(mainRate, signRate);
      this.limits.ceilingWhat = `slower of main thread (${mainWhat}: ${Math.round(mainRate)}/s) and guardian signing thread (${signWhat}: ${Math.round(signRate)}/s), one core each`;
    } else {
      this.limits.ceilingMsgsPerS = 1 / (1 / mainRate + 1 / signRate);
      this.limits.ceilingWhat = `${mainWhat} + ${signWhat} a message, all on the main thread (the signing thread is not running), one core`;
    }
  }

  async attach(ledger: Ledger, recorder: RunRecorder): Promise<void> {
    this.ledger = ledger;
    const { stack, scenario } = this;
    const observed = watchRun(stack, this.sources, this.destinations, ledger, (id) => this.deliveredIds.add(id));
    this.watchers = observed.watchers;
    this.signatures = watchSignatures(stack.guardianNetwork, ledger, (payload) => stack.integration.decode(payload).messageId);
    recorder.guardianDelays = () => this.signatures!.rows();
    this.sourceBlocks = observed.sourceBlocks;
    this.sayUnrecognised = observed.sayUnrecognised;
    await Promise.all(this.watchers.map((w) => w.start()));
    for (const name of this.sources) {
      const c = stack.chain(name);
      const fee = await rpc<Hex>(c.rpcUrl, "eth_call", [
        { to: c.profile.coreAddress, data: encodeFunctionData({ abi: coreAbi, functionName: "messageFee" }) },
        "latest",
      ]);
      this.messageFees.set(name, BigInt(fee));
      const pool = new WalletPool({ rpcUrl: c.rpcUrl, chainId: c.profile.evmChainId, privateKeys: roleKeys("senders", scenario.senders) });
      await pool.init();
      this.senders.set(name, pool);
    }
    // Congestion faults fill blocks with GasBurner calls: deployed before the load starts.
    const burners = new Map<string, Address>();
    for (const target of new Set(scenario.faults.flatMap((f) => (f.kind === "congestion" ? [f.target as string] : [])))) {
      burners.set(target, await deployGasBurner(stack.chain(target as Chain).rpcUrl));
    }
    const faults = new FaultRunner(
      scenario.faults,
      WORMHOLE_FAULTS,
      new WormholeFaultTargets({
        guardians: stack.guardianNetwork,
        topology: this.topology,
        toxiproxy: stack.toxiproxy,
        relayerProcess: stack.relayerProcess,
        guardianLinks: stack.options.guardianLinks,
        chains: new Map(
          [...stack.chains].map(([name, c]) => [
            name,
            {
              rpcUrl: c.rpcUrl,
              blockTimeMs: c.profile.blockTimeMs,
              evmChainId: c.profile.evmChainId,
              gasLimit: c.profile.gasLimit,
              gasBurner: burners.get(name),
              setBlockTime: c.anvil && stack.blockClock ? (ms: number) => stack.blockClock!.setBlockTime(c.rpcUrl, ms) : undefined,
            },
          ]),
        ),
        aroundReorg: (name, reorg) => {
          const chain = name as Chain;
          const senders = this.senders.get(chain)!;
          // No sends while nonces roll back. anvil does not return rolled-back transactions
          // to its pool (geth does), and the pending ones would wait behind the nonce gap
          // forever: they are dropped, nonces re-read, and their messages count as rolled back.
          return senders.exclusive(async () => {
            const from = await reorg();
            await rpc(stack.chain(chain).rpcUrl, "anvil_dropAllTransactions", []);
            await senders.resync();
            return rollBack(stack, this.sourceBlocks, ledger, chain, from);
          });
        },
      }),
      ledger,
      seededRandom(scenario.seed ^ 0x5eed),
    );
    this.faults = faults;
    recorder.faultEvents = faults.events;
    this.misbehaviour = recordMisbehaviour(stack, ledger, faults.events);
    // Skews of messages whose tallies the network forgets during the run are counted as they go; the rest at the end.
    stack.guardianNetwork.onSkew = (firstAt, skew) => recorder.stats.addObservationSkew(ledger.elapsed(firstAt), skew);
    recorder.observationSkews = () => stack.guardianNetwork.observationSkews();
    recordHeadSpread(stack.guardianNetwork, ledger, recorder);
    faults.start();
  }

  send(m: PlannedMessage): Promise<void> {
    const { scenario, stack } = this;
    const ledger = this.ledger!;
    const sentAt = now();
    // The schedule gives the routes' names back: a wormhole scenario's routes are EVM chains (checked by its section).
    const source = m.source as Chain;
    let tx: ReturnType<typeof stack.integration.send>;
    try {
      tx = stack.integration.send(
        {
          id: m.id,
          kind: m.kind,
          deadlineMs: triggerDeadlineMs(scenario, ledger, m),
          positionSalt: m.positionSalt,
          padding: m.kind === "spam" ? new Uint8Array(scenario.spamPaddingBytes) : NO_PADDING,
        },
        {
          source: stack.integrationChains[source]!,
          destination: stack.integrationChains[m.destination]!,
          emitter: stack.emitters.get(source)!,
          consistencyLevel: CONSISTENCY_LEVEL[scenario.consistency],
          messageFee: this.messageFees.get(source) ?? 0n,
          contracts: stack.contracts[source] ?? {},
        },
      );
    } catch (err) {
      ledger.sendFailed(m.id, sentAt, `integration "${stack.integration.name}" send: ${(err as Error).message}`);
      return Promise.resolve();
    }
    return this.senders
      .get(source)!
      .send(tx.to, tx.data, tx.gas, tx.value)
      .then(
        (txHash) => ledger.sent(m.id, sentAt, txHash),
        (err) => ledger.sendFailed(m.id, sentAt, messageOf(err)),
      );
  }

  async settle(complete: boolean): Promise<void> {
    await this.faults?.stop();
    if (!complete) return;
    // Let submissions under way land, then take in every delivery up to the head before judging.
    await this.stack.relayer.settle(5_000);
    await Promise.all(this.watchers.map((w) => w.sweep()));
    await Promise.all(this.watchers.map((w) => w.stop()));
    // Reorgs nobody scheduled (a fork or a remote chain) are caught here.
    for (const name of this.sources) await rollBack(this.stack, this.sourceBlocks, this.ledger!, name, 0n);
    this.sayUnrecognised();
    this.misbehaviour?.summary();
    // Sends mined but reverted are dropped with their revert reason.
    await dropRevertedSends(this.stack, this.ledger!);
    dropShortOfQuorum(this.stack.guardianNetwork, this.ledger!);
    await this.verify();
  }

  /** The integration's own checks after the run, recorded in the manifest. */
  private async verify(): Promise<void> {
    const { stack } = this;
    const check = stack.integration.spec.verify;
    if (!check) return;
    try {
      const problems = await check({
        chains: stack.integrationChains,
        contracts: stack.contracts,
        delivered: this.deliveredIds,
        read: (chain, contract, functionName, args = []) => {
          const address = stack.contracts[chain]?.[contract];
          if (!address) throw new Error(`no contract "${contract}" on ${chain}`);
          return readContract(stack.integration, stack.chain(chain as Chain).rpcUrl, address, contract, functionName, args);
        },
      });
      this.verified = { problems: [...(problems ?? [])] };
    } catch (err) {
      this.verified = { error: (err as Error).message };
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()));
    await this.stack.stop();
  }
}
