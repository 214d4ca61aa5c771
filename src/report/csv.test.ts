import test from "ava";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { MessageRecord } from "../measure/record.ts";
import { CsvStream, writeCsv } from "./csv.ts";
import { fixed1, table } from "./csvTable.ts";
import { HOPS_TABLE, hopRecords, MESSAGES, STEPS, stepRecords } from "./tables.ts";
import { percentile } from "../measure/histogram.ts";
import { StageStats } from "../measure/stats.ts";
import { DEFAULT_RISK, shortfallProbability } from "../measure/risk.ts";
import { seededRandom } from "../infra/random.ts";
import { judgeStage } from "../measure/capacity.ts";

const tricky = [
  "plain",
  "with, comma",
  'with "quotes"',
  "line\nbreak",
  "carriage\rreturn",
  "",
  " spaced ",
  "relayer-gave-up: send failed: nonce too low; max fee 200",
];

/** A table of rows given as their fields. */
const FIELDS = (columns: string[]) => ({ columns, row: (fields: string[]) => fields });
/** The lines csv-stringify writes for a table's header and rows. */
async function written(columns: string[], rows: string[][]): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "csv-")), "t.csv");
  const csv = new CsvStream(path, FIELDS(columns));
  for (const row of rows) csv.write(row);
  await csv.close();
  return readFileSync(path, "utf8");
}

test("a CsvStream quotes only what needs it (RFC 4180), and csv-parse reads every field back unchanged", async (t) => {
  t.is(await written(["x", "y", "z"], [["a", "b", ""]]), "x,y,z\na,b,\n");
  t.is(await written(["x"], [['say "hi", then go']]), 'x\n"say ""hi"", then go"\n');
  // A carriage return alone is quoted too, as the retired encoder did.
  t.is(await written(["x"], [["carriage\rreturn"]]), 'x\n"carriage\rreturn"\n');
  t.deepEqual(
    parse(
      await written(
        tricky.map((_, i) => `c${i}`),
        [tricky],
      ),
    ).slice(1),
    [tricky],
  );
});

test("a CsvStream writes its header even when empty, and every row in order", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "csv-"));
  const empty = new CsvStream(join(dir, "empty.csv"), FIELDS(["a", "b"]));
  await empty.close();
  t.is(readFileSync(join(dir, "empty.csv"), "utf8"), "a,b\n");
  const full = new CsvStream(join(dir, "full.csv"), FIELDS(["n", "text"]));
  const rows = Array.from({ length: 1500 }, (_, i) => [String(i), tricky[i % tricky.length]!]);
  for (const row of rows) full.write(row);
  await full.close();
  t.deepEqual(
    parse(readFileSync(join(dir, "full.csv")), { columns: true }),
    rows.map(([n, text]) => ({ n, text })),
  );
});

test("a table's columns are its cells' names, in order, and its rows hold one cell per column", (t) => {
  const pairs = table<[number, string]>()("pairs.csv", { number: ([n]) => String(n), name: ([, s]) => s, both: ([n, s]) => `${s}=${n}` });
  t.is(pairs.file, "pairs.csv");
  t.deepEqual(pairs.columns, ["number", "name", "both"]);
  t.deepEqual(pairs.row([3, "x"]), ["3", "x", "x=3"]);
});

test("messages.csv rows are byte for byte what the retired hand-written encoder wrote for the same records", async (t) => {
  const base: MessageRecord = {
    id: 7,
    kind: "liquidation",
    sourceChain: "Ethereum",
    destinationChain: "Base",
    stage: 2,
    intendedAt: 1200,
    attempts: 0,
    status: "in-flight",
  };
  const records: MessageRecord[] = [
    base,
    {
      ...base,
      sentAt: 1200.04,
      sourceIncludedAt: 1450.26,
      vaaKey: "2/00ab/9",
      vaaReadyAt: 1460,
      relayerFetchedAt: 1470.5,
      relayerSubmittedAt: 1480,
      attempts: 1,
      deliveredAt: 1700.55,
      deliveryTxHash: "0xdd",
      sendTxHash: "0xss",
      late: false,
      lateOnchain: false,
      lateMeasured: false,
      status: "delivered",
    },
    { ...base, status: "delivered", deliveredAt: 4200.5, late: true, lateOnchain: false, lateMeasured: true },
    { ...base, status: "delivered", deliveredAt: 1300, late: true, lateOnchain: true, lateMeasured: undefined },
    {
      ...base,
      sentAt: 1201,
      status: "dropped",
      dropReason: { code: "relayer-gave-up", detail: 'send failed: "nonce too low", retry\nlater' },
      late: true,
      outOfOrder: true,
    },
    { ...base, status: "delivered", deliveredAt: 1300, acknowledgedAt: 1400 },
    // Negative and rounding edges, non-finite and huge numbers, non-ASCII text, a big id.
    {
      ...base,
      id: 9_007_199_254_740_991,
      intendedAt: 0,
      sentAt: -0.04,
      sourceIncludedAt: -12.35,
      vaaReadyAt: 9.96,
      relayerFetchedAt: 99.95,
      relayerSubmittedAt: Number.NaN,
      acknowledgedAt: 2e15,
      status: "dropped",
      dropReason: { code: "relayer-gave-up", detail: "gas price spiked → 3× (Ünïcödé ✓ 🚀)" },
    },
    // Either side of 2^31, where the digits switch from 32-bit to double arithmetic.
    {
      ...base,
      id: 2_147_483_647,
      intendedAt: 214_748_364.75,
      sentAt: 214_748_364.84,
      sourceIncludedAt: 214_748_364.86,
      vaaKey: "ibc/channel-0/2147483648",
      dropReason: { code: "send-failed", detail: "x,y: a twelve+ char reason with a comma" },
      status: "dropped",
    },
    { ...base, id: 2_147_483_648, stage: 9, attempts: 1_000_000_000, intendedAt: 99_999.95, sentAt: 999_999_999.96 },
    {
      ...base,
      stage: 65535,
      attempts: 12,
      intendedAt: 0.05,
      sentAt: 1e14 + 0.25,
      status: "delivered",
      deliveredAt: Infinity,
      vaaKey: "",
      sendTxHash: `0x${"ab".repeat(32)}`,
    },
  ];
  // Lines the encoder this writer replaced (src/report/csv.ts before csv-stringify) wrote for these records.
  const retired = [
    "7,liquidation,Ethereum,Base,2,1200.0,,,,,,,,,,in-flight,,,,,0,false,,,\n",
    "7,liquidation,Ethereum,Base,2,1200.0,1200.0,1450.3,1460.0,1470.5,1480.0,1700.6,,500.6,500.5,delivered,,false,false,false,1,false,2/00ab/9,0xss,0xdd\n",
    "7,liquidation,Ethereum,Base,2,1200.0,,,,,,4200.5,,3000.5,,delivered,,true,false,true,0,false,,,\n",
    "7,liquidation,Ethereum,Base,2,1200.0,,,,,,1300.0,,100.0,,delivered,,true,true,,0,false,,,\n",
    '7,liquidation,Ethereum,Base,2,1200.0,1201.0,,,,,,,,,dropped,"relayer-gave-up: send failed: ""nonce too low"", retry\nlater",true,,,0,true,,,\n',
    "7,liquidation,Ethereum,Base,2,1200.0,,,,,,1300.0,1400.0,100.0,,delivered,,,,,0,false,,,\n",
    "9007199254740991,liquidation,Ethereum,Base,2,0.0,0.0,-12.4,10.0,100.0,NaN,,2000000000000000.0,,,dropped,relayer-gave-up: gas price spiked → 3× (Ünïcödé ✓ 🚀),,,,0,false,,,\n",
    '2147483647,liquidation,Ethereum,Base,2,214748364.8,214748364.8,214748364.9,,,,,,,,dropped,"send-failed: x,y: a twelve+ char reason with a comma",,,,0,false,ibc/channel-0/2147483648,,\n',
    "2147483648,liquidation,Ethereum,Base,9,100000.0,1000000000.0,,,,,,,,,in-flight,,,,,1000000000,false,,,\n",
    "7,liquidation,Ethereum,Base,65535,0.1,100000000000000.3,,,,,Infinity,,Infinity,Infinity,delivered,,,,,12,false,,0xabababababababababababababababababababababababababababababababab,\n",
  ];
  const dir = mkdtempSync(join(tmpdir(), "csv-"));
  const csv = CsvStream.open(dir, MESSAGES);
  for (const r of records) csv.write(r);
  await csv.close();
  t.is(readFileSync(join(dir, MESSAGES.file), "utf8"), `${MESSAGES.columns.join(",")}\n${retired.join("")}`);
  t.is(MESSAGES.row(records[1]!).length, MESSAGES.columns.length);
});

test("messages.csv has late (either clock), late_onchain and late_measured, empty until delivered", (t) => {
  const column = (name: string) => MESSAGES.columns.indexOf(name as never);
  t.deepEqual([column("late"), column("late_onchain"), column("late_measured")], [17, 18, 19]);
  const base: MessageRecord = {
    id: 1,
    kind: "liquidation",
    sourceChain: "Ethereum",
    destinationChain: "Base",
    stage: 0,
    intendedAt: 0,
    attempts: 1,
    status: "delivered",
    deliveredAt: 3100,
  };
  const late = (r: MessageRecord) => MESSAGES.row(r).slice(17, 20);
  t.deepEqual(late({ ...base, late: true, lateOnchain: false, lateMeasured: true }), ["true", "false", "true"]);
  t.deepEqual(late({ ...base, late: true, lateOnchain: true, lateMeasured: false }), ["true", "true", "false"]);
  t.deepEqual(late({ ...base, late: false, lateOnchain: false }), ["false", "false", ""]);
  t.deepEqual(late({ ...base, status: "dropped", deliveredAt: undefined }), ["", "", ""]);
});

test("messages.csv holds every record, in order, as its table gives the row, with long text and every character that needs quoting", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "csv-"));
  const path = join(dir, MESSAGES.file);
  const csv = CsvStream.open(dir, MESSAGES);
  const records: MessageRecord[] = Array.from({ length: 3000 }, (_, i) => ({
    id: i + 1,
    kind: "liquidation",
    sourceChain: "Ethereum",
    destinationChain: "Base",
    stage: i % 7,
    intendedAt: i * 0.5,
    attempts: i % 3,
    sentAt: i * 0.5 + 0.2,
    vaaKey: `2/${"0".repeat(24)}${"ab".repeat(20)}/${i}`,
    sendTxHash: `0x${i.toString(16).padStart(64, "0")}`,
    status: i % 5 === 0 ? "dropped" : "delivered",
    deliveredAt: i * 0.5 + 700.25,
    late: i % 11 === 0 || i % 13 === 0,
    lateOnchain: i % 11 === 0,
    lateMeasured: i % 17 === 0 ? undefined : i % 13 === 0,
    // Now and then a reason longer than the whole buffer, with every character that needs quoting.
    dropReason:
      i % 5 !== 0 ? undefined : { code: "send-failed", detail: i % 1000 === 0 ? `huge, "quoted"\n${"é".repeat(300_000)}` : tricky[i % tricky.length]! },
  }));
  for (const r of records) csv.write(r);
  await csv.close();
  const rows = parse(readFileSync(path), { columns: false }) as string[][];
  t.deepEqual(rows[0], [...MESSAGES.columns]);
  t.is(rows.length, records.length + 1);
  for (let i = 0; i < records.length; i++) {
    const row = MESSAGES.row(records[i]!);
    if (JSON.stringify(rows[i + 1]) !== JSON.stringify(row)) return t.fail(`row ${i + 1}: ${rows[i + 1]} vs ${row}`);
  }
});

test("steps.csv and hops.csv give exact nearest-rank percentiles, the send hop and the liquidation-risk columns", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "csv-"));
  const stats = new StageStats([{ rate: 6, startRate: 6, durationS: 10 }]);
  const random = seededRandom(11);
  const records: MessageRecord[] = Array.from({ length: 60 }, (_, i) => {
    const intendedAt = i * 166.7;
    const sentAt = intendedAt + random() * 20;
    const sourceIncludedAt = sentAt + 200 + random() * 300;
    const vaaReadyAt = sourceIncludedAt + 40;
    // One 9,000 ms outlier among 60 (the README's example); every tenth message an order.
    const deliveredAt = i === 30 ? intendedAt + 9000 : vaaReadyAt + 300 + random() * 200;
    const kind = i % 10 === 9 ? "order" : "liquidation";
    return {
      id: i + 1,
      kind,
      sourceChain: "Ethereum",
      destinationChain: "Base",
      stage: 0,
      intendedAt,
      sentAt,
      sourceIncludedAt,
      vaaReadyAt,
      relayerSubmittedAt: vaaReadyAt + 20,
      deliveredAt,
      attempts: 1,
      status: "delivered",
      late: deliveredAt - intendedAt > 3000,
    };
  });
  records.push({
    id: 61,
    kind: "liquidation",
    sourceChain: "Ethereum",
    destinationChain: "Base",
    stage: 0,
    intendedAt: 9999,
    sentAt: 10_000,
    attempts: 0,
    status: "dropped",
    dropReason: { code: "no-quorum" },
  });
  for (const r of records) {
    stats.offer(0, r.kind);
    stats.add(r);
  }
  await writeCsv(
    dir,
    STEPS,
    stepRecords(
      stats.stages,
      stats.stages.map((s) => judgeStage(s)),
    ),
  );
  await writeCsv(dir, HOPS_TABLE, hopRecords(stats.stages));
  const [step] = parse(readFileSync(join(dir, STEPS.file)), { columns: true }) as Array<Record<string, string>>;
  const delays = records
    .filter((r) => r.status === "delivered")
    .map((r) => r.deliveredAt! - r.intendedAt)
    .sort((a, b) => a - b);
  t.is(step!.p99_ms, "9000.0");
  for (const [column, p] of [
    ["p50_ms", 50],
    ["p90_ms", 90],
    ["p99_ms", 99],
    ["max_ms", 100],
  ] as const)
    t.is(step![column], fixed1(percentile(delays, p)!), column);
  t.is(step!.jitter_ms, fixed1(percentile(delays, 95)! - percentile(delays, 5)!));
  const triggers = records.filter((r) => r.kind === "liquidation");
  t.is(step!.liquidation_triggers, String(triggers.length));
  t.is(step!.missed_liquidations, "1");
  t.is(step!.late_liquidations, "1");
  const triggerDelays = triggers.filter((r) => r.status === "delivered").map((r) => r.deliveredAt! - r.intendedAt);
  t.is(
    step!.liquidation_p99_ms,
    fixed1(
      percentile(
        triggerDelays.sort((a, b) => a - b),
        99,
      )!,
    ),
  );
  const risk = (triggerDelays.reduce((a, d) => a + shortfallProbability(d, DEFAULT_RISK), 0) + 1) / triggers.length;
  t.true(Math.abs(Number(step!.shortfall_probability) - risk) <= 1e-3 * risk, `${step!.shortfall_probability} vs ${risk}`);
  for (const gone of ["on_time_share", "p99_price_move_pct", "max_leverage"]) t.false(gone in step!);

  const hops = parse(readFileSync(join(dir, HOPS_TABLE.file)), { columns: true }) as Array<Record<string, string>>;
  t.deepEqual(
    hops.map((h) => h.hop),
    ["send", "source_inclusion", "guardian_quorum", "relayer_pickup", "destination_inclusion"],
  );
  const delivered = records.filter((r) => r.status === "delivered");
  const sends = delivered.map((r) => r.sentAt! - r.intendedAt).sort((a, b) => a - b);
  t.is(hops[0]!.p99_ms, fixed1(percentile(sends, 99)!));
  // Means add up to the mean delay (each message's hops add up to its delay_ms).
  const meanDelay = delays.reduce((a, d) => a + d, 0) / delays.length;
  t.true(Math.abs(hops.reduce((a, h) => a + Number(h.mean_ms), 0) - meanDelay) < 0.3);
});
