import test from "ava";
import { type Minute, SOAK_END, SOAK_START, soakFigures, soakSectionOf, withSoakSection } from "./soakSection.ts";

const minute = (i: number, rss: number, p99: number): Minute => ({
  minute: i,
  delivered: 12_000,
  p99,
  harnessRss: 500,
  harnessHeap: 250,
  chainRss: { Arbitrum: rss, Ethereum: 120 },
  lateness: { Arbitrum: 60, Ethereum: 30 },
});
const input = (load: Minute[]) => ({ rate: 200, minutes: 6, load, offered: 72_000, delivered: 72_000, dropped: 0, late: 0, p99: 900, header: "- date: d" });

test("the long-run section calls memory that grew over 10 % in the second half growing, and a minute's p99 above 1.25× the median drifting", (t) => {
  const flat = soakFigures(input([0, 1, 2, 3, 4, 5].map((i) => minute(i, 300 + i, 900))));
  t.regex(flat, /\| Arbitrum \(anvil\) RSS \| 303 → 305 \| 0\.7 % \| flat \|/);
  t.regex(flat, /\(1\.00×; .*\): flat\./);
  // Minute 6 (cut short by the drain) is not load: left out.
  const grown = soakFigures(input([0, 1, 2, 3, 4, 5, 6].map((i) => minute(i, 300 + 20 * i, i === 4 ? 1200 : 900))));
  t.regex(grown, /\| Arbitrum \(anvil\) RSS \| 360 → 400 \| 11\.1 % \| growing \|/);
  t.regex(grown, /worst 1200 ms \(1\.33×; .*\): drifting\./);
  t.notRegex(grown, /^\| 6 \|/m);
});

test("the long-run section replaces its old self, is appended when absent, and survives a rewrite of the rest", (t) => {
  const section = `${SOAK_START}\n## Long run\nnew\n${SOAK_END}`;
  t.is(withSoakSection("# Benchmarks\n\nfigures\n", section), `# Benchmarks\n\nfigures\n\n${section}\n`);
  const old = `# Benchmarks\n\n${SOAK_START}\nold\n${SOAK_END}\n`;
  t.is(withSoakSection(old, section), `# Benchmarks\n\n${section}\n`);
  t.is(soakSectionOf(withSoakSection("# Rewritten\n", soakSectionOf(old))), `${SOAK_START}\nold\n${SOAK_END}`);
  t.is(withSoakSection("# Benchmarks\n", undefined), "# Benchmarks\n");
});
