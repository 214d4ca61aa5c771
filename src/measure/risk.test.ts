import test from "ava";
import { DEFAULT_RISK, normalCdf, shortfallProbability, stageRisk, studentTCdf, type RiskSettings } from "./risk.ts";
import { StageStats } from "./stats.ts";
import type { TriggerKind } from "./kinds.ts";
import { validateScenario } from "../scenarios.ts";

const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const NORMAL: RiskSettings = { ...DEFAULT_RISK, distribution: "normal" };

/** Φ(x) for x < 0 by Simpson's rule on the standard normal density over [x − 12, x]: independent of normalCdf's fit. */
function phiByIntegration(x: number): number {
  const steps = 20_000;
  const h = 12 / steps;
  const f = (u: number) => Math.exp((-u * u) / 2) / Math.sqrt(2 * Math.PI);
  let sum = f(x - 12) + f(x);
  for (let i = 1; i < steps; i++) sum += f(x - 12 + i * h) * (i % 2 ? 4 : 2);
  return (sum * h) / 3;
}

test("normal: the shortfall probability is Φ(ln(1 − m) / (σ·√(T/year))) for a delay T", (t) => {
  for (const delayMs of [30_000, 300_000, 3_600_000, 86_400_000]) {
    const expected = phiByIntegration(Math.log(1 - NORMAL.maintenanceMargin) / (NORMAL.annualVolatility * Math.sqrt(delayMs / YEAR_MS)));
    const got = shortfallProbability(delayMs, NORMAL);
    t.true(Math.abs(got - expected) <= 2e-7 * expected, `T=${delayMs}: ${got} vs ${expected}`);
  }
  // One hour at 80 % a year: σ√T = 0.8·√(1 h / 1 y) = 0.855 %; the margin is 0.586 of that away.
  t.true(Math.abs(shortfallProbability(3_600_000, NORMAL) - 0.2787) < 1e-4);
  t.true(Math.abs(normalCdf(-1.959963985) - 0.025) < 1e-8);
  t.is(shortfallProbability(0, NORMAL), 0, "no delay, no move");
});

test("Student's t: the CDF matches the closed form for ν = 3 and the tables", (t) => {
  // ν = 3: F(t) = 1/2 + (θ + sin θ cos θ)/π with θ = atan(t/√3).
  const closed = (x: number) => {
    const theta = Math.atan(x / Math.sqrt(3));
    return 0.5 + (theta + Math.sin(theta) * Math.cos(theta)) / Math.PI;
  };
  for (const x of [-60, -10, -4.540702858, -1, -0.2, 0, 0.7, 3]) t.true(Math.abs(studentTCdf(x, 3) - closed(x)) <= 1e-12 + 1e-9 * closed(x), `t=${x}`);
  t.true(Math.abs(studentTCdf(-2.228138852, 10) - 0.025) < 1e-9); // t_{0.975, 10}
  t.true(Math.abs(studentTCdf(-2.015048373, 5) - 0.05) < 1e-9); // t_{0.95, 5}
});

test("Student's t at the same variance puts more weight on a move several standard deviations out", (t) => {
  const delayMs = 60_000; // σ√T ≈ 0.11 %: the 0.5 % margin is ~4.6 standard deviations away
  const normal = shortfallProbability(delayMs, NORMAL);
  const heavy = shortfallProbability(delayMs, { ...DEFAULT_RISK, distribution: "student-t", tailDof: 3 });
  t.true(heavy > 100 * normal, `${heavy} vs ${normal}`);
  // The scaled t is X = s·√((ν−2)/ν)·T_ν, so its probability is F_ν(z·√(ν/(ν−2))) for z = ln(1 − m)/s.
  const z = Math.log(1 - 0.005) / (0.8 * Math.sqrt(delayMs / YEAR_MS));
  t.true(Math.abs(heavy - studentTCdf(z * Math.sqrt(3), 3)) < 1e-15);
  // A large ν approaches the normal law.
  const nearNormal = shortfallProbability(3_600_000, { ...DEFAULT_RISK, tailDof: 1000 });
  t.true(Math.abs(nearNormal - shortfallProbability(3_600_000, NORMAL)) < 1e-3);
});

function stage(messages: Array<{ kind: TriggerKind; delay?: number }>): StageStats {
  const stats = new StageStats([{ rate: 1, startRate: 1, durationS: 10 }]);
  messages.forEach(({ kind, delay }, id) => {
    stats.offer(0, kind);
    const base = { id, kind, sourceChain: "a", destinationChain: "b", stage: 0, intendedAt: 0, sentAt: 0, attempts: 1 };
    stats.add(
      delay === undefined
        ? { ...base, status: "dropped", dropReason: { code: "no-quorum" } }
        : { ...base, status: "delivered", deliveredAt: delay, late: delay > 3000 },
    );
  });
  return stats;
}

test("stage risk is the mean over the stage's liquidation triggers: their whole delay distribution, and a drop counts as 1", (t) => {
  const delays = [800, 900, 1000, 1200, 60_000, 600_000];
  const stats = stage(delays.map((delay) => ({ kind: "liquidation" as const, delay })));
  const risk = stageRisk(stats.stages[0]!, DEFAULT_RISK);
  const mean = delays.reduce((a, d) => a + shortfallProbability(d, DEFAULT_RISK), 0) / delays.length;
  t.true(Math.abs(risk.shortfallProbability! - mean) < 1e-15);
  t.is(risk.triggers, 6);
  t.is(risk.missed, 0);
  t.is(risk.late, 2);
  t.is(risk.p99DelayMs, 600_000);

  // One more trigger, dropped: a missed liquidation raises the risk by (1 − mean)/7.
  const withDrop = stageRisk(stage([...delays.map((delay) => ({ kind: "liquidation" as const, delay })), { kind: "liquidation" }]).stages[0]!, DEFAULT_RISK);
  t.is(withDrop.missed, 1);
  t.true(Math.abs(withDrop.shortfallProbability! - (mean * 6 + 1) / 7) < 1e-15);
  t.true(withDrop.shortfallProbability! > risk.shortfallProbability!);
});

test("only liquidation triggers count: slow or dropped orders and spam leave the risk unchanged", (t) => {
  const triggers = [900, 1100, 1500].map((delay) => ({ kind: "liquidation" as const, delay }));
  const alone = stageRisk(stage(triggers).stages[0]!, DEFAULT_RISK);
  const mixed = stageRisk(
    stage([...triggers, { kind: "order", delay: 3_600_000 }, { kind: "spam" }, { kind: "cancel", delay: 86_400_000 }]).stages[0]!,
    DEFAULT_RISK,
  );
  t.deepEqual(mixed, alone);
  t.is(stageRisk(stage([{ kind: "order", delay: 1000 }]).stages[0]!, DEFAULT_RISK).shortfallProbability, undefined, "no triggers, no figure");
});

test("a scenario's risk settings are checked: the distribution and the tail's degrees of freedom, each error naming its field", (t) => {
  const base = { routes: [{ from: "Ethereum", to: ["Base"] }], stages: [{ rate: 1, duration: 1 }] };
  t.deepEqual(validateScenario(base, "x").risk, DEFAULT_RISK);
  t.is(validateScenario({ ...base, risk: { distribution: "normal" } }, "x").risk.distribution, "normal");
  t.throws(() => validateScenario({ ...base, risk: { distribution: "cauchy" } }, "x"), {
    message: /field "risk\.distribution" is "cauchy"; must be "normal" or "student-t"/,
  });
  t.throws(() => validateScenario({ ...base, risk: { tailDof: 2 } }, "x"), {
    message: /field "risk\.tailDof" is 2; must be a number of degrees of freedom > 2/,
  });
});
