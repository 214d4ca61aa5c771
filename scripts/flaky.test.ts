import test from "ava";
import { flakyTests, tallyTap, type TestTally } from "./flaky.ts";

const round = (lines: string[]) => ["TAP version 13", ...lines, `1..${lines.length}`, "# tests", ""].join("\n");

test("each round's TAP results are tallied per test; skipped and todo tests are not counted; the flaky ones come out most failures first", (t) => {
  const tally = new Map<string, TestTally>();
  t.deepEqual(tallyTap(round(["ok 1 - suites › a › one", "not ok 2 - suites › a › two", "ok 3 - src › b # SKIP"]), 1, tally), { results: 2, failed: 1 });
  t.deepEqual(tallyTap(round(["not ok 1 - suites › a › one", "not ok 2 - suites › a › two", "ok 3 - src › c # TODO later"]), 2, tally), {
    results: 2,
    failed: 2,
  });
  t.deepEqual(tallyTap(round(["ok 1 - suites › a › one", "not ok 2 - suites › a › two"]), 3, tally), { results: 2, failed: 1 });
  t.deepEqual(tally.get("suites › a › one"), { runs: 3, failures: 1, failedIn: [2] });
  t.deepEqual(
    flakyTests(tally).map(([name, r]) => [name, r.failures]),
    [
      ["suites › a › two", 3],
      ["suites › a › one", 1],
    ],
  );
  t.false(tally.has("src › b # SKIP"));
});

test("a round without any result line (a crash before the tests) tallies nothing", (t) => {
  const tally = new Map<string, TestTally>();
  t.deepEqual(tallyTap("npm ERR! something broke\n", 1, tally), { results: 0, failed: 0 });
  t.is(tally.size, 0);
});

test("each test keeps the longest time from the result before it over the rounds", (t) => {
  const tally = new Map<string, TestTally>();
  tallyTap(
    round(["ok 1 - a", "ok 2 - b"]),
    1,
    tally,
    new Map([
      ["a", 3],
      ["b", 40],
    ]),
  );
  tallyTap(
    round(["ok 1 - a", "not ok 2 - b"]),
    2,
    tally,
    new Map([
      ["a", 5],
      ["b", 20],
    ]),
  );
  t.is(tally.get("a")!.maxGapS, 5);
  t.is(tally.get("b")!.maxGapS, 40);
});
