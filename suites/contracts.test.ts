import test from "ava";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compileContracts, ARTIFACTS_DIR } from "../scripts/build-contracts.ts";

test("committed contract artifacts match a fresh compile of fixtures/contracts", (t) => {
  for (const [file, fresh] of compileContracts()) {
    const path = join(ARTIFACTS_DIR, file);
    t.true(existsSync(path), `${file} is missing: run npm run build:contracts`);
    t.true(readFileSync(path, "utf8") === fresh, `${file} is stale: run npm run build:contracts and commit the result`);
  }
});
