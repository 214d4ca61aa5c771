import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { encodeFunctionData, parseEventLogs, type Abi, type AbiEvent, type Address, type Hex, type Log } from "viem";
import { BridgeStressError } from "../../infra/errors.ts";
import {
  isIntegration,
  type ArtifactSource,
  type ContractSpec,
  type EventArgs,
  type Integration,
  type IntegrationMessage,
  type SendContext,
} from "./integration.ts";

/** The built-in integration (LiquidationHub → LiquidationReceiver), used when a scenario names none. */
export const BUILT_IN_INTEGRATION = fileURLToPath(new URL("./integrations/liquidation.ts", import.meta.url));

/** Gas of one send unless the integration says otherwise (publishMessage ≈ 51 k plus payload and padding). */
const SEND_GAS = 250_000n;

export class IntegrationError extends BridgeStressError {
  static override readonly code = "integration-invalid";
  static override readonly docs = "README.md#your-own-integration";
  constructor(where: string, detail: string) {
    super(`integration ${where}: ${detail}`);
  }
}

/** A compiled contract read as it is: its ABI, and its creation bytecode when it has one. */
export interface Artifact {
  abi: Abi;
  bytecode?: Hex;
  /** The file it was read from, when it came from one. */
  file?: string;
}

/**
 * Reads a Foundry (`out/<File>.sol/<Name>.json`, bytecode as `{ object }`) or Hardhat
 * (`artifacts/…/<Name>.json`, bytecode a string) artifact, or takes `{ abi, bytecode }` as given.
 * A relative path is relative to `baseDir` (the integration module's folder).
 */
export function readArtifact(source: ArtifactSource, baseDir: string, where: string): Artifact {
  let raw: unknown = source;
  let file: string | undefined;
  if (typeof source === "string" || source instanceof URL) {
    file = source instanceof URL ? fileURLToPath(source) : isAbsolute(source) ? source : resolve(baseDir, source);
    if (!existsSync(file)) {
      throw new IntegrationError(
        where,
        `artifact ${file} does not exist; build the contracts (forge build, npx hardhat compile) or fix the path (relative paths are from ${baseDir})`,
      );
    }
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new IntegrationError(where, `artifact ${file} is not JSON (${(err as Error).message}); name the compiled <Name>.json, not the .sol source`);
    }
  }
  const { abi, bytecode } = (raw ?? {}) as { abi?: unknown; bytecode?: unknown };
  const named = file ?? "the artifact given";
  if (!Array.isArray(abi)) throw new IntegrationError(where, `${named} has no "abi" array; name a Foundry or Hardhat artifact (<Name>.json)`);
  const code = typeof bytecode === "object" && bytecode !== null ? (bytecode as { object?: unknown }).object : bytecode;
  if (code !== undefined && typeof code !== "string") throw new IntegrationError(where, `${named}: "bytecode" is neither a hex string nor { object }`);
  const hex = code === undefined || code === "" || code === "0x" ? undefined : ((code.startsWith("0x") ? code : `0x${code}`) as Hex);
  return { abi: abi as Abi, bytecode: hex, file };
}

/** The creation bytecode of a contract to deploy: present, hex, and with every library linked. */
export function deployableBytecode(artifact: Artifact, where: string): Hex {
  const named = artifact.file ?? "the artifact given";
  if (!artifact.bytecode) {
    throw new IntegrationError(
      where,
      `${named} has no bytecode (an interface or abstract contract?); name a deployable contract's artifact, or give its "address"`,
    );
  }
  const placeholder = /__\$[0-9a-fA-F]{34}\$__|__[A-Za-z0-9_:./-]{36}__/.exec(artifact.bytecode);
  if (placeholder) {
    throw new IntegrationError(
      where,
      `${named} has unlinked library references (${placeholder[0]}); link the libraries when building (forge build --libraries <path>:<Lib>:<address>) or deploy the contract yourself and give its "address"`,
    );
  }
  if (!/^0x([0-9a-fA-F]{2})+$/.test(artifact.bytecode)) throw new IntegrationError(where, `${named}: "bytecode" is not hex`);
  return artifact.bytecode;
}

/** The fixed contract names every context has, beside the integration's own `contracts`. */
export const EMITTER = "emitter";
export const RECEIVER = "receiver";

/** An integration loaded from its module: its spec, the ABIs of its contracts, and what the harness and relayer encode and read with them. */
export class LoadedIntegration {
  readonly name: string;
  /** sha256 of the module file. */
  readonly sha256: string;
  readonly baseDir: string;
  /** Every contract by name: emitter, receiver, then the integration's own, in the order they deploy. */
  readonly contracts: Array<{ name: string; spec: ContractSpec; on: "sources" | "destinations" | "all"; artifact: Artifact }>;
  private readonly deliveredEvent: AbiEvent;
  private readonly rejectedEvent: AbiEvent | undefined;

  constructor(
    readonly spec: Integration,
    readonly modulePath: string,
  ) {
    this.name = spec.name;
    this.sha256 = createHash("sha256").update(readFileSync(modulePath)).digest("hex");
    this.baseDir = dirname(modulePath);
    const where = (field: string) => `"${spec.name}" (${modulePath}), ${field}`;
    const artifactOf = (spec: ContractSpec | undefined, field: string) => {
      if (!spec || typeof spec !== "object" || spec.artifact === undefined) {
        throw new IntegrationError(where(field), 'is missing; give { artifact: "out/<File>.sol/<Name>.json", args: (ctx) => [...] }');
      }
      return readArtifact(spec.artifact, this.baseDir, where(`${field}.artifact`));
    };
    this.contracts = [
      ...Object.entries(spec.contracts ?? {}).map(([name, c]) => ({ name, spec: c, on: c.on, artifact: artifactOf(c, `contracts.${name}`) })),
      { name: EMITTER, spec: spec.emitter, on: "sources" as const, artifact: artifactOf(spec.emitter, "emitter") },
      { name: RECEIVER, spec: spec.receiver, on: "destinations" as const, artifact: artifactOf(spec.receiver, "receiver") },
    ];
    // A contract to deploy must be deployable: checked now, before any chain starts.
    for (const c of this.contracts) {
      if (c.spec.address === undefined)
        deployableBytecode(c.artifact, where(`${c.name === EMITTER || c.name === RECEIVER ? c.name : `contracts.${c.name}`}.artifact`));
    }
    for (const name of Object.keys(spec.contracts ?? {})) {
      if (name === EMITTER || name === RECEIVER)
        throw new IntegrationError(where(`contracts.${name}`), `"${name}" is taken by the integration's own ${name}; rename it`);
    }
    const emitter = this.abi(EMITTER);
    const receiver = this.abi(RECEIVER);
    const hasFunction = (abi: Abi, name: string, field: string, contract: string) => {
      if (typeof name !== "string" || !abi.some((item) => item.type === "function" && item.name === name)) {
        const known = abi.flatMap((item) => (item.type === "function" ? [item.name] : []));
        throw new IntegrationError(where(field), `function "${name}" is not in the ${contract}'s ABI; it has ${known.join(", ") || "no functions"}`);
      }
    };
    const eventOf = (abi: Abi, name: string, field: string): AbiEvent => {
      const event = abi.find((item): item is AbiEvent => item.type === "event" && item.name === name);
      if (!event) {
        const known = abi.flatMap((item) => (item.type === "event" ? [item.name] : []));
        throw new IntegrationError(where(field), `event "${name}" is not in the receiver's ABI; it has ${known.join(", ") || "no events"}`);
      }
      return event;
    };
    for (const field of ["send", "deliver", "delivered"] as const) {
      if (!spec[field]) throw new IntegrationError(where(field), 'is missing (see the README\'s "Your own integration")');
    }
    if (typeof spec.decode !== "function")
      throw new IntegrationError(where("decode"), "must be a function (payload: Uint8Array) => { messageId, destination, kind }");
    hasFunction(emitter, spec.send.function, "send.function", "emitter");
    hasFunction(receiver, spec.deliver.function, "deliver.function", "receiver");
    if (spec.deliverBatch) hasFunction(receiver, spec.deliverBatch.function, "deliverBatch.function", "receiver");
    this.deliveredEvent = eventOf(receiver, spec.delivered.event, "delivered.event");
    this.rejectedEvent = spec.deliverBatch && eventOf(receiver, spec.deliverBatch.rejected.event, "deliverBatch.rejected.event");
  }

  abi(contract: string): Abi {
    const found = this.contracts.find((c) => c.name === contract);
    if (!found) throw new IntegrationError(`"${this.name}"`, `has no contract "${contract}"; it has ${this.contracts.map((c) => c.name).join(", ")}`);
    return found.artifact.abi;
  }

  /** The receiver's events the harness watches for deliveries. */
  get deliveryAbi(): Abi {
    return [this.deliveredEvent];
  }

  /** The transaction that sends one planned message from its source chain. */
  send(message: IntegrationMessage, ctx: SendContext): { to: Address; data: Hex; value: bigint; gas: bigint } {
    const { send } = this.spec;
    const data = encodeFunctionData({ abi: this.abi(EMITTER), functionName: send.function, args: send.args(message, ctx) });
    return { to: ctx.emitter, data, value: send.value?.(message, ctx) ?? ctx.messageFee, gas: send.gas ?? SEND_GAS };
  }

  /** The receiver's calldata that delivers one signed VAA. */
  deliver(vaa: Hex): Hex {
    return encodeFunctionData({ abi: this.abi(RECEIVER), functionName: this.spec.deliver.function, args: this.spec.deliver.args(vaa) });
  }

  /** The receiver's calldata that delivers several; undefined without deliverBatch. */
  deliverBatch(vaas: Hex[]): Hex | undefined {
    const batch = this.spec.deliverBatch;
    return batch && encodeFunctionData({ abi: this.abi(RECEIVER), functionName: batch.function, args: batch.args(vaas) });
  }

  /** The VAAs of a batch the receiver refused, from the batch transaction's logs. */
  rejections(logs: Log[]): Array<{ index: number; reason: string }> {
    const batch = this.spec.deliverBatch;
    if (!batch || !this.rejectedEvent) return [];
    return parseEventLogs({ abi: [this.rejectedEvent], logs }).map((log) => {
      const args = log.args as EventArgs;
      return { index: Number(batch.rejected.index(args)), reason: String(batch.rejected.reason(args)) };
    });
  }

  /** The deliveries in decoded receiver logs: message id, and whether it came late. */
  delivery(log: { eventName?: string; args?: unknown }): { messageId: number; late: boolean } | undefined {
    if (log.eventName !== this.deliveredEvent.name) return undefined;
    const args = log.args as EventArgs;
    return { messageId: Number(this.spec.delivered.messageId(args)), late: this.spec.delivered.late?.(args) ?? false };
  }

  /** Whether a revert or rejection reason means the VAA was delivered before. */
  alreadyDelivered(reason: string): boolean {
    return this.spec.alreadyDelivered ? this.spec.alreadyDelivered(reason) : reason.includes("already delivered");
  }

  /** decode() of the integration, its message id as a number. */
  decode(payload: Uint8Array) {
    const decoded = this.spec.decode(payload);
    return { ...decoded, messageId: Number(decoded.messageId) };
  }
}

/**
 * Loads an integration module by path: its default export must be made by defineIntegration.
 * Every mistake a user can make here is an IntegrationError naming the file and the fix.
 */
export async function loadIntegration(modulePath: string = BUILT_IN_INTEGRATION): Promise<LoadedIntegration> {
  const file = resolve(modulePath);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new IntegrationError(file, 'module does not exist; set the scenario\'s "integration" to a .ts or .js file (relative to the scenario file)');
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new IntegrationError(file, `module threw while loading: ${(err as Error).message}; fix the module (run it with npx tsx to see the stack)`);
  }
  if (module.default === undefined) {
    throw new IntegrationError(file, "module has no default export; end it with `export default defineIntegration({ ... })`");
  }
  if (!isIntegration(module.default)) {
    throw new IntegrationError(
      file,
      'default export is not made by defineIntegration; `import { defineIntegration } from "bridge-stress"` and export defineIntegration({ ... })',
    );
  }
  return new LoadedIntegration(module.default, file);
}
