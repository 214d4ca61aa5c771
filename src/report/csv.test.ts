import test from "ava";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { MessageRecord } from "../measure/record.ts";
import { CsvStream, csvLine, fixed1, MESSAGE_COLUMNS, messageLine, messageRow, MessagesCsv, writeHopsCsv, writeStepsCsv } from "./csv.ts";
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

test("csvLine quotes only what needs it, and csv-parse reads every field back unchanged", (t) => {
  t.is(csvLine(["a", "b", ""]), "a,b,\n");
  t.is(csvLine(['say "hi", then go']), '"say ""hi"", then go"\n');
  t.deepEqual(parse(csvLine(tricky)), [tricky]);
});

test("a CsvStream writes its header even when empty, and every row in order", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "csv-"));
  const empty = new CsvStream<string[]>(join(dir, "empty.csv"), ["a", "b"], (r) => r);
  await empty.close();
  t.is(readFileSync(join(dir, "empty.csv"), "utf8"), "a,b\n");
  const full = new CsvStream<string[]>(join(dir, "full.csv"), ["n", "text"], (r) => r);
  const rows = Array.from({ length: 1500 }, (_, i) => [String(i), tricky[i % tricky.length]!]);
  for (const row of rows) full.write(row);
  await full.close();
  t.deepEqual(
    parse(readFileSync(join(dir, "full.csv")), { columns: true }),
    rows.map(([n, text]) => ({ n, text })),
  );
});

test("messageLine formats a record exactly as the generic path (fields, then csvLine) does", (t) => {
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
    { ...base, sentAt: 1201, status: "dropped", dropReason: 'relayer-gave-up: send failed: "nonce too low", retry\nlater', late: true, outOfOrder: true },
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
      dropReason: "relayer-gave-up: gas price spiked → 3× (Ünïcödé ✓ 🚀)",
    },
    // Either side of 2^31, where the digits switch from 32-bit to double arithmetic.
    {
      ...base,
      id: 2_147_483_647,
      intendedAt: 214_748_364.75,
      sentAt: 214_748_364.84,
      sourceIncludedAt: 214_748_364.86,
      vaaKey: "ibc/channel-0/2147483648",
      dropReason: "x,y: a twelve+ char reason with a comma",
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
  for (const r of records) t.is(messageLine(r), csvLine(messageRow(r)));
  t.is(messageLine(records[1]!).split(",").length, MESSAGE_COLUMNS.length);
});

test("messages.csv has late (either clock), late_onchain and late_measured, empty until delivered", (t) => {
  const column = (name: string) => MESSAGE_COLUMNS.indexOf(name as never);
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
  const late = (r: MessageRecord) => parse(messageLine(r))[0].slice(17, 20);
  t.deepEqual(late({ ...base, late: true, lateOnchain: false, lateMeasured: true }), ["true", "false", "true"]);
  t.deepEqual(late({ ...base, late: true, lateOnchain: true, lateMeasured: false }), ["true", "true", "false"]);
  t.deepEqual(late({ ...base, late: false, lateOnchain: false }), ["false", "false", ""]);
  t.deepEqual(late({ ...base, status: "dropped", deliveredAt: undefined }), ["", "", ""]);
});

test("MessagesCsv writes every record, in order, as messageRow gives it, across buffer flushes and long text", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "csv-"));
  const path = join(dir, "messages.csv");
  const csv = new MessagesCsv(path);
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
    dropReason: i % 5 !== 0 ? undefined : i % 1000 === 0 ? `huge, "quoted"\n${"é".repeat(300_000)}` : tricky[i % tricky.length],
  }));
  for (const r of records) csv.write(r);
  await csv.close();
  const rows = parse(readFileSync(path), { columns: false }) as string[][];
  t.deepEqual(rows[0], [...MESSAGE_COLUMNS]);
  t.is(rows.length, records.length + 1);
  for (let i = 0; i < records.length; i++) {
    if (JSON.stringify(rows[i + 1]) !== JSON.stringify(messageRow(records[i]!))) return t.fail(`row ${i + 1}: ${rows[i + 1]} vs ${messageRow(records[i]!)}`);
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
    dropReason: "no-quorum",
  });
  for (const r of records) {
    stats.offer(0, r.kind);
    stats.add(r);
  }
  await writeStepsCsv(
    join(dir, "steps.csv"),
    stats.stages,
    stats.stages.map((s) => judgeStage(s)),
  );
  await writeHopsCsv(join(dir, "hops.csv"), stats.stages);
  const [step] = parse(readFileSync(join(dir, "steps.csv")), { columns: true }) as Array<Record<string, string>>;
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

  const hops = parse(readFileSync(join(dir, "hops.csv")), { columns: true }) as Array<Record<string, string>>;
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
