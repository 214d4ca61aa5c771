// The package entry (`import { defineIntegration } from "bridge-stress"`): what a user's own
// integration module needs. The CLI is bin/bridge-stress.js.
export { defineIntegration } from "./bridges/wormhole/integration.ts";
export type {
  ArtifactSource,
  ContractSpec,
  DecodedMessage,
  EventArgs,
  ExtraContractSpec,
  Integration,
  IntegrationChain,
  IntegrationContext,
  IntegrationMessage,
  IntegrationSpec,
  SendContext,
  SetupContext,
  VerifyContext,
} from "./bridges/wormhole/integration.ts";
export type { TriggerKind } from "./measure/kinds.ts";
