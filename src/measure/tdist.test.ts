import test from "ava";
import { lnGamma, tCdf, tQuantile, tUpperTail } from "./tdist.ts";

// Reference values: mpmath 1.3 at 30 digits (betainc, findroot); the 0.975 and 0.995 columns
// match printed t tables (4.303, 2.776, 2.262, 2.042; 4.604) to their 3 decimals.
const QUANTILES: Array<[p: number, df: number, t: number]> = [
  [0.975, 2, 4.30265272974946],
  [0.975, 4, 2.77644510519779],
  [0.975, 9, 2.2621571627982],
  [0.975, 30, 2.04227245630124],
  [0.995, 4, 4.60409487134999],
  [0.8, 2, 1.06066017177982],
  [0.8, 4, 0.940964577235181],
  [0.8, 9, 0.883403859685535],
  [1 - 0.05 / 12, 2, 10.8858666191631],
  [1 - 0.05 / 12, 4, 4.85100844309786],
  [1 - 0.05 / 12, 9, 3.36420343243999],
  [1 - 0.05 / 24, 4, 5.8853050817817],
  [0.9995, 2, 31.5990545764454],
  [0.99, 1, 31.8205159537739],
];

test("t quantiles match the reference values to 1e-9 relative; symmetric; the median is 0", (t) => {
  for (const [p, df, expected] of QUANTILES) {
    const got = tQuantile(p, df);
    t.true(Math.abs(got - expected) / expected < 1e-9, `t(${p}, ${df}) = ${got}, expected ${expected}`);
    t.true(Math.abs(tQuantile(1 - p, df) + expected) / expected < 1e-9);
  }
  t.is(tQuantile(0.5, 7), 0);
});

test("closed forms: df 1 is Cauchy, df 2 has F(t) = 1/2 + t / (2√(2 + t²))", (t) => {
  for (const x of [-20, -3, -0.4, 0, 0.7, 2.5, 40]) {
    t.true(Math.abs(tCdf(x, 1) - (0.5 + Math.atan(x) / Math.PI)) < 1e-13, `df 1 at ${x}`);
    t.true(Math.abs(tCdf(x, 2) - (0.5 + x / (2 * Math.sqrt(2 + x * x)))) < 1e-13, `df 2 at ${x}`);
  }
});

test("upper tails, including a small one, keep their digits", (t) => {
  const tails: Array<[x: number, df: number, p: number]> = [
    [3, 4, 0.0199709840358594],
    [10, 2, 0.00492622851166285],
    [0.5, 9, 0.314535649913013],
    [25, 4, 7.59876288165787e-6],
    [1.5, 100, 0.0683825290623444],
  ];
  for (const [x, df, p] of tails) t.true(Math.abs(tUpperTail(x, df) - p) / p < 1e-9, `P(T${df} > ${x}) = ${tUpperTail(x, df)}, expected ${p}`);
  t.is(tUpperTail(Infinity, 3), 0);
  t.is(tUpperTail(-Infinity, 3), 1);
  t.is(tUpperTail(0, 3), 0.5);
});

test("ln Γ: Γ(n) = (n − 1)!, Γ(1/2) = √π", (t) => {
  t.true(Math.abs(lnGamma(10) - Math.log(362_880)) < 1e-12);
  t.true(Math.abs(lnGamma(0.5) - Math.log(Math.sqrt(Math.PI))) < 1e-12);
  t.true(Math.abs(lnGamma(1)) < 1e-13);
});

test("a bad probability or degrees of freedom is refused", (t) => {
  t.throws(() => tQuantile(1, 3), { message: /p must be in \(0, 1\)/ });
  t.throws(() => tQuantile(0.9, 0), { message: /degrees of freedom/ });
});
