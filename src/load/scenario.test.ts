import test from "ava";
import { loadScenario, validateScenario, parseDurationS } from "./scenario.ts";

const valid = { routes: [{ from: "Ethereum", to: ["Arbitrum"] }], stages: [{ rate: 5, duration: "10s" }] };

test("shipped scenarios are valid", (t) => {
  for (const name of ["default", "smoke"]) t.notThrows(() => loadScenario(name), name);
});

test("errors name the field, the value and what is allowed", (t) => {
  const cases: Array<[object, RegExp]> = [
    [{ ...valid, stages: [{ rate: -1, duration: "1s" }] }, /field "stages\[0\]\.rate" is -1; must be a number > 0/],
    [{ ...valid, stages: [{ rate: 1, duration: "ten" }] }, /field "stages\[0\]\.duration" is "ten"; must be a duration/],
    [{ ...valid, routes: [{ from: "Solana", to: ["Base"] }] }, /field "routes\[0\]\.from" is "Solana".*not an EVM chain/],
    [{ ...valid, routes: [{ from: "Base", to: ["Base"] }] }, /routes\[0\]\.to\[0\].*must differ/],
    [{ ...valid, consistency: "fast" }, /field "consistency" is "fast"; must be one of instant, safe, finalized/],
    [{ ...valid, mix: { liquidation: 1, bogus: 2 } }, /field "mix\.bogus"/],
    [{ ...valid, guardians: 20 }, /field "guardians" is 20; must be an integer from 1 to 19/],
  ];
  for (const [raw, message] of cases) t.throws(() => validateScenario(raw, "s.json"), { message }, JSON.stringify(raw));
});

test("durations", (t) => {
  t.is(parseDurationS("10s"), 10);
  t.is(parseDurationS("500ms"), 0.5);
  t.is(parseDurationS("2m"), 120);
  t.is(parseDurationS(3), 3);
  t.is(parseDurationS("10"), undefined);
});
