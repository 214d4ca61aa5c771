import type { AnyFaultKind } from "../../../load/faultKinds.ts";
import { validatorsOffline } from "./validatorsOffline.ts";
import { validatorsPartition } from "./validatorsPartition.ts";

/** The fault kinds of Cosmos localnets, shared by the cosmos and ibc bridges: a new kind is its file plus one line here. */
export const LOCALNET_FAULTS: readonly AnyFaultKind[] = [validatorsOffline, validatorsPartition];
