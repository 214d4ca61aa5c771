import test from "ava";
import fc from "fast-check";
import { BridgeStressError } from "../infra/errors.ts";
import { parseThreshold, THRESHOLD_METRICS, ThresholdError } from "./thresholds.ts";

// Property: any text given as a threshold either parses into a threshold that can be checked
// (a known metric, a finite value in the metric's range) or is refused with a ThresholdError
// naming what is wrong; never another error. Seeded, so a failure replays.
const RUNS = { numRuns: 500, seed: 18 };

const metric = fc.oneof(
  fc.constantFrom(...Object.keys(THRESHOLD_METRICS), "constructor", "__proto__", "p98", "p(", "p()", "p(99", "P99"),
  fc.string({ maxLength: 12 }),
  fc.double().map((n) => `p(${n})`),
  fc.nat().map((n) => `p(${"9".repeat(n % 400)})`),
);
const op = fc.constantFrom("<", "<=", ">", ">=", "==", "!=", "=", "=>", "<>", "", " ");
const number = fc.oneof(
  fc.double().map(String),
  fc.integer().map(String),
  fc.integer({ min: 300, max: 400 }).map((n) => "9".repeat(n)),
  fc.constantFrom("1e3", "0x10", "NaN", "Infinity", "-0", ".5", "5.", "1_000", ""),
);
const structured = fc.tuple(fc.constantFrom("", " ", "\t"), metric, op, number).map(([pad, m, o, n]) => `${pad}${m}${pad}${o}${pad}${n}${pad}`);
const text = fc.oneof(structured, fc.string({ maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }));

test("any threshold text parses into a checkable threshold or is refused with a ThresholdError", (t) => {
  fc.assert(
    fc.property(text, (input) => {
      let parsed: ReturnType<typeof parseThreshold>;
      try {
        parsed = parseThreshold(input);
      } catch (err) {
        if (!(err instanceof ThresholdError)) throw new Error(`${JSON.stringify(input)}: ${String(err)} is not a ThresholdError`);
        if (!err.message.endsWith("[threshold-invalid] see README.md#thresholds")) throw new Error(`no README line: ${err.message}`);
        return;
      }
      if (!Number.isFinite(parsed.value)) throw new Error(`${JSON.stringify(input)}: value ${parsed.value} is not finite`);
      const known = Object.hasOwn(THRESHOLD_METRICS, parsed.metric) || (parsed.percentile! > 0 && parsed.percentile! <= 100);
      if (!known) throw new Error(`${JSON.stringify(input)}: metric ${parsed.metric} is not checkable`);
    }),
    RUNS,
  );
  t.pass();
});

test("regression: a value too large for a number (Infinity) is refused, naming the metric", (t) => {
  const error = t.throws(() => parseThreshold(`p99<${"9".repeat(400)}`), { instanceOf: ThresholdError })!;
  t.true(error instanceof BridgeStressError);
  t.regex(error.message, /^p99: the value 9{6}… is not a finite number/);
  t.throws(() => parseThreshold(`p(99)<${"9".repeat(400)}`), { message: /^p\(99\): the value 9{6}… is not a finite number/ });
});
