import test from "ava";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compileContracts, compileLending, ARTIFACTS_DIR, LENDING_DIR } from "../scripts/build-contracts.ts";

test("committed contract artifacts match a fresh compile of fixtures/contracts", (t) => {
  for (const [file, fresh] of compileContracts()) {
    const path = join(ARTIFACTS_DIR, file);
    t.true(existsSync(path), `${file} is missing: run npm run build:contracts`);
    t.true(readFileSync(path, "utf8") === fresh, `${file} is stale: run npm run build:contracts and commit the result`);
  }
});

// The lending integration's out/ follows the same rule: committed, and checked against a fresh compile.
test("committed lending artifacts (Foundry layout) match a fresh compile of fixtures/integrations/lending/src", (t) => {
  const files = compileLending();
  t.deepEqual([...files.keys()].sort(), [
    "out/LendingMarket.sol/LendingMarket.json",
    "out/Liquidator.sol/Liquidator.json",
    "out/TriggerSender.sol/TriggerSender.json",
  ]);
  for (const [file, fresh] of files) {
    const path = join(LENDING_DIR, file);
    t.true(existsSync(path), `fixtures/integrations/lending/${file} is missing: run npm run build:contracts`);
    t.true(readFileSync(path, "utf8") === fresh, `fixtures/integrations/lending/${file} is stale: run npm run build:contracts and commit the result`);
    const artifact = JSON.parse(fresh);
    t.regex(artifact.bytecode.object, /^0x[0-9a-f]{100,}$/, `${file}: bytecode.object`);
    t.regex(artifact.deployedBytecode.object, /^0x[0-9a-f]{100,}$/, `${file}: deployedBytecode.object`);
    t.deepEqual(artifact.bytecode.linkReferences, {}, `${file}: no libraries to link`);
  }
});
