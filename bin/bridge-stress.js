#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's register API, in this process: no build step, and no
// tsx CLI process between the launcher (npm, npx, a shell) and the harness, so the harness is
// the launcher's own child and can tell when it goes away (see tetherToLauncher).
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
