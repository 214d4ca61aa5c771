import test from "ava";
import { expandStages, STAGE_TYPES, stageSchema } from "./index.ts";

test("the stage types come from their list, each with its own file's expansion", (t) => {
  t.deepEqual(
    STAGE_TYPES.map((s) => s.type),
    ["constant", "ramping", "steps"],
  );
  t.deepEqual(STAGE_TYPES[2].expand({ type: "steps", from: 1, to: 3, step: 1, duration: 2 }, []), [
    { rate: 1, startRate: 1, durationS: 2 },
    { rate: 2, startRate: 2, durationS: 2 },
    { rate: 3, startRate: 3, durationS: 2 },
  ]);
  // A ramp without `from` starts where the stages before it ended.
  t.deepEqual(STAGE_TYPES[1].expand({ type: "ramping", rate: 9, duration: 1, arrivals: "poisson" }, [{ rate: 4, startRate: 4, durationS: 1 }]), [
    { rate: 9, startRate: 4, durationS: 1, arrivals: "poisson" },
  ]);
  t.deepEqual(
    expandStages([
      { type: "constant", rate: 5, duration: 1 },
      { type: "ramping", rate: 10, duration: 2 },
    ]),
    [
      { rate: 5, startRate: 5, durationS: 1 },
      { rate: 10, startRate: 5, durationS: 2 },
    ],
  );
});

test("a stage of no known type is told every type of the list and an example of each", (t) => {
  const parsed = stageSchema.safeParse({ type: "wave", rate: 1, duration: 1 });
  t.false(parsed.success);
  const message = parsed.error!.issues[0]!.message;
  t.true(message.startsWith('must be "constant" (the default), "ramping" or "steps": '), message);
  for (const type of STAGE_TYPES) t.true(message.includes(type.example), type.type);
});
