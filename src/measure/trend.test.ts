import test from "ava";
import { fitSlope } from "./trend.ts";

test("fitSlope: a block-time sawtooth without trend stays within its noise; a steady rise does not", (t) => {
  // In-flight sampled every 250 ms over 4 s while 500 ms blocks empty it: up 50, down 50.
  const sawtooth = Array.from({ length: 16 }, (_, i) => [i * 0.25, i % 2 === 0 ? 30 : 80] as [number, number]);
  const flat = fitSlope(sawtooth)!;
  t.true(flat.slope - 2 * flat.stdErr < 2, `slope ${flat.slope} ± ${flat.stdErr}`);
  // The same sawtooth on a backlog growing 40 messages/s.
  const growing = sawtooth.map(([x, y]) => [x, y + 40 * x] as [number, number]);
  const fit = fitSlope(growing)!;
  t.true(Math.abs(fit.slope - 40) < 10 && fit.slope - 2 * fit.stdErr > 2, `slope ${fit.slope} ± ${fit.stdErr}`);
  t.is(
    fitSlope([
      [0, 1],
      [1, 2],
    ]),
    undefined,
  );
});
