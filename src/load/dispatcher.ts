import { setTimeout as sleep } from "node:timers/promises";
import { now } from "../measure/clock.ts";

export interface Scheduled {
  /** Intended send time, ms after `startedAt`. */
  intendedAt: number;
}

/**
 * Sends each item at its intended time with one catch-up loop (not a timer per message,
 * which falls behind at high rates): every turn it sends everything already due, so a
 * sender that fell behind catches up and the lateness shows in the send times instead of
 * stretching the schedule. `send` must not wait for delivery (open model).
 */
export async function dispatch<T extends Scheduled>(
  items: Iterable<T>,
  startedAt: number,
  send: (item: T) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (const item of items) {
    if (signal?.aborted) return;
    let wait = startedAt + item.intendedAt - now();
    // Sleep coarsely while far away; in the last 1.5 ms only yield to I/O (setImmediate),
    // because a timer overshoots by about a millisecond.
    while (wait > 0) {
      if (wait > 1.5) await sleep(wait - 1.5);
      else await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return;
      wait = startedAt + item.intendedAt - now();
    }
    send(item);
  }
}
