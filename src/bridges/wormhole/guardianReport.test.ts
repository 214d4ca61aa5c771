import test from "ava";
import { seededRandom } from "../../infra/random.ts";
import { bucketFloor, bucketOf } from "../../measure/bucketHistogram.ts";
import { percentile } from "../../measure/histogram.ts";
import { GUARDIANS } from "../../report/tables.ts";
import type { SignatureRecord } from "./guardians/records.ts";
import { Ledger } from "../../measure/ledger.ts";
import { SignatureLog, watchSignatures } from "./guardianReport.ts";

/** A payload naming message `id` (the test's decode reads its first byte). */
const payloadOf = (id: number) => Uint8Array.of(id);
const signature = (
  key: string,
  guardianIndex: number,
  seenAt: number,
  observe: number,
  arrive: number,
  reobserved = false,
  payload = payloadOf(0),
): SignatureRecord => ({
  key,
  payload,
  digest: "0x00",
  guardianIndex,
  region: guardianIndex < 2 ? "us-east" : "eu-west",
  seenAt,
  observedAt: seenAt + observe,
  arrivedAt: seenAt + observe + arrive,
  reobserved,
});

const rows = (log: SignatureLog) => [...log.delays.rows()].map((r) => Object.fromEntries(GUARDIANS.columns.map((c) => [c, GUARDIANS.cell(r, c)])));

test("each signature counts at once into its message's stage, in flight or finished; one that names no message of the run is left out", (t) => {
  const ledger = new Ledger();
  ledger.plan({ id: 1, kind: "liquidation", sourceChain: "Ethereum", destinationChain: "Base", stage: 3, intendedAt: 0 });
  ledger.plan({ id: 2, kind: "liquidation", sourceChain: "Ethereum", destinationChain: "Base", stage: 4, intendedAt: 0 });
  let take: ((r: SignatureRecord) => void) | undefined;
  const network = { on: (_event: "signature", fn: (r: SignatureRecord) => void) => (take = fn) } as unknown as Parameters<typeof watchSignatures>[0];
  let decoded = 0;
  const watched = watchSignatures(network, ledger, (payload) => {
    decoded++;
    if (payload[0] === 255) throw new Error("not a trigger");
    return payload[0]!;
  });
  const one = payloadOf(1);
  take!(signature("2/aa/1", 0, 1000, 5, 0.5, false, one));
  take!(signature("2/aa/1", 2, 1000, 5, 35, false, one));
  ledger.vaaReady(1, "2/aa/1", ledger.startedAt + 1040);
  ledger.delivered(1, ledger.startedAt + 1500, "0x01", false);
  take!(signature("2/aa/1", 3, 1000, 400, 35, true, one)); // after delivery, a re-observation
  take!(signature("2/aa/2", 1, 2000, 7, 0.5, false, payloadOf(2))); // in flight
  take!(signature("2/zz/9", 1, 2000, 7, 0.5, false, payloadOf(9))); // never planned
  take!(signature("2/zz/8", 1, 2000, 7, 0.5, false, payloadOf(255))); // not a trigger at all
  t.is(watched.log.unattributed, 2);
  t.is(decoded, 4, "a payload object is decoded once, whichever guardian's signature carries it");
  t.deepEqual(rows(watched.log), [
    {
      stage: "3",
      guardian: "0",
      region: "us-east",
      signatures: "1",
      reobserved: "0",
      observation_p50_ms: "5.0",
      observation_p99_ms: "5.0",
      observation_max_ms: "5.0",
      arrival_p50_ms: "5.5",
      arrival_p99_ms: "5.5",
      arrival_max_ms: "5.5",
    },
    {
      stage: "3",
      guardian: "2",
      region: "eu-west",
      signatures: "1",
      reobserved: "0",
      observation_p50_ms: "5.0",
      observation_p99_ms: "5.0",
      observation_max_ms: "5.0",
      arrival_p50_ms: "40.0",
      arrival_p99_ms: "40.0",
      arrival_max_ms: "40.0",
    },
    {
      stage: "3",
      guardian: "3",
      region: "eu-west",
      signatures: "1",
      reobserved: "1",
      observation_p50_ms: "400.0",
      observation_p99_ms: "400.0",
      observation_max_ms: "400.0",
      // Above 204.7 ms a percentile reads its bucket's floor (4350 tenths → 1087 × 4), the max the exact value.
      arrival_p50_ms: "434.8",
      arrival_p99_ms: "434.8",
      arrival_max_ms: "435.0",
    },
    {
      stage: "4",
      guardian: "1",
      region: "us-east",
      signatures: "1",
      reobserved: "0",
      observation_p50_ms: "7.0",
      observation_p99_ms: "7.0",
      observation_max_ms: "7.0",
      arrival_p50_ms: "7.5",
      arrival_p99_ms: "7.5",
      arrival_max_ms: "7.5",
    },
  ]);
});

test("guardians.csv rows from many signatures match a sorted-array oracle per stage and guardian", (t) => {
  const random = seededRandom(3);
  const log = new SignatureLog();
  const kept = new Map<string, { observe: number[]; arrive: number[]; reobserved: number }>();
  for (let m = 0; m < 3000; m++) {
    const key = `2/aa/${m}`;
    const stage = Math.floor(m / 1000);
    for (let g = 0; g < 4; g++) {
      // Guardian 3 lags; eu-west (2, 3) is far; stage 2 slows eu-west by 300 ms.
      const observe = random() * 20 + (g === 3 ? 250 : 0);
      const arrive = (g < 2 ? 0.5 : 35) + random() * 5 + (stage === 2 && g >= 2 ? 300 : 0);
      const reobserved = random() < 0.05;
      log.signature(signature(key, g, m * 10, observe, arrive, reobserved), stage);
      const cell = kept.get(`${stage}/${g}`) ?? { observe: [], arrive: [], reobserved: 0 };
      cell.observe.push(observe);
      cell.arrive.push(observe + arrive);
      cell.reobserved += reobserved ? 1 : 0;
      kept.set(`${stage}/${g}`, cell);
    }
  }
  const got = [...log.delays.rows()];
  t.is(got.length, 12);
  for (const row of got) {
    const cell = kept.get(`${row.stage}/${row.guardian}`)!;
    const sorted = (values: number[]) => Float64Array.from(values, (v) => bucketFloor(bucketOf(v))).sort();
    const [o, a] = [sorted(cell.observe), sorted(cell.arrive)];
    const what = `stage ${row.stage} guardian ${row.guardian}`;
    t.is(row.signatures, 1000, what);
    t.is(row.reobserved, cell.reobserved, what);
    t.deepEqual([row.observationP50, row.observationP99], [percentile(o, 50), percentile(o, 99)], what);
    t.deepEqual([row.arrivalP50, row.arrivalP99], [percentile(a, 50), percentile(a, 99)], what);
    t.is(row.observationMax, Math.max(...cell.observe), what);
    t.is(row.arrivalMax, Math.max(...cell.arrive), what);
  }
  // The clusters show: the lagging guardian's observation, the slowed region's arrivals in stage 2.
  const at = (stage: number, guardian: number) => got.find((r) => r.stage === stage && r.guardian === guardian)!;
  t.true(at(0, 3).observationP50! >= 250 && at(0, 2).observationP50! < 20);
  t.true(at(2, 2).arrivalP50! >= 335 && at(1, 2).arrivalP50! < 100);
});
