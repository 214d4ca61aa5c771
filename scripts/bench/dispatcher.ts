// Dispatcher accuracy: how late the catch-up loop sends at a given rate into a no-op sink.
import { dispatch, prepareDispatcher } from "../../src/load/dispatcher.ts";
import { DelayHistogram } from "../../src/measure/histogram.ts";
import { now } from "../../src/infra/clock.ts";

const rate = Number(process.argv[2] ?? 2000);
const seconds = Number(process.argv[3] ?? 5);
const lateness = new DelayHistogram();
const count = rate * seconds;
function* items() {
  for (let k = 0; k < count; k++) yield { intendedAt: 100 + (k * 1000) / rate };
}
await prepareDispatcher();
const start = now();
const cpuStart = process.cpuUsage();
await dispatch(items(), start, (item) => lateness.record(now() - start - item.intendedAt));
const cpu = process.cpuUsage(cpuStart);
// Cores the waiting took (this process: main thread and the clock thread); the sink does nothing.
const cores = (cpu.user + cpu.system) / 1000 / (now() - start);
console.log(JSON.stringify({ rate, sent: lateness.count, p50: lateness.percentile(50), p99: lateness.percentile(99), max: lateness.percentile(100), cores }));
