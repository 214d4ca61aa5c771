/**
 * Where the guardians sit and how long their gossip takes to reach the guardian whose VAA API
 * the relayers read (the aggregation point: a VAA exists there once a quorum of signatures
 * arrived). The flat topology is one place with instant gossip.
 */
export interface GossipTopology {
  /** The region of guardian `index`. */
  regionOf(index: number): string;
  /** How long a gossip message from guardian `from` takes to reach the aggregation point, ms. */
  delayMs(from: number): number;
}

/** Every guardian in one place, gossip instant. */
export const FLAT_TOPOLOGY: GossipTopology = { regionOf: () => "local", delayMs: () => 0 };
