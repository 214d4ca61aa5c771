import test from "ava";
import { harnessWarnings, LATE_SENDING_MS, type StageLoad } from "./warnings.ts";

const quiet: StageLoad = { stage: 0, offeredRate: 100, harnessLoopBusy: 0.3, machineCpu: 0.4, sendLatenessP99: 2 };

test("a run whose harness kept up has no warning", (t) => {
  t.deepEqual(harnessWarnings([quiet, { ...quiet, stage: 1, offeredRate: 200, sendLatenessP99: undefined, machineCpu: undefined }], 5, 1200, 2), []);
});

test("each limit reached warns once, naming the stages and the steps.csv column", (t) => {
  const stages: StageLoad[] = [
    quiet,
    { stage: 1, offeredRate: 400, harnessLoopBusy: 0.93, machineCpu: 0.97, sendLatenessP99: LATE_SENDING_MS - 1 },
    { stage: 2, offeredRate: 500, harnessLoopBusy: 0.5, machineCpu: 0.6, sendLatenessP99: LATE_SENDING_MS + 40.4 },
    { stage: 3, offeredRate: 600, harnessLoopBusy: 0.95, machineCpu: 0.5, sendLatenessP99: 1000 },
  ];
  const warnings = harnessWarnings(stages, 2.5, 1250.4, 2);
  t.is(warnings.length, 4, warnings.join("\n"));
  t.regex(warnings[0]!, /event loop was busy 93 % of stage 1 \(400 msgs\/s\), 95 % of stage 3 \(600 msgs\/s\).*harness_loop_busy/);
  t.regex(warnings[1]!, /sent late: send lateness p99 140 ms in stage 2 \(500 msgs\/s\), 1000 ms in stage 3 \(600 msgs\/s\);.*send_lateness_p99_ms/);
  t.notRegex(warnings[1]!, /stage 1/, "just under the limit is not late");
  t.regex(warnings[2]!, /machine's 2 cores were 97 % busy in stage 1 \(400 msgs\/s\).*machine_cpu/);
  t.regex(warnings[3]!, /ceiling \(1250 msgs\/s\) is only 2\.50× the measured capacity, under 3×/);
});

test("without the machine's core count or the ceiling the sentences still read", (t) => {
  const [saturated, headroom] = harnessWarnings([{ ...quiet, machineCpu: 1 }], 1.5, undefined);
  t.regex(saturated!, /^the machine's cores were 100 % busy in stage 0/);
  t.regex(headroom!, /^the harness's own ceiling is only 1\.50×/);
});
