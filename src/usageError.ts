import { BridgeStressError } from "./infra/errors.ts";

/** A bad command line: the CLI prints it with the usage text and exits 2. */
export class UsageError extends BridgeStressError {
  static override readonly code = "usage";
  static override readonly docs = "README.md#what-npm-run-stress-does";
}
