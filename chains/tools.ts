import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the setup step puts the tools it builds (cached outside git). */
export const TOOLS_DIR = fileURLToPath(new URL("../.cache/tools/", import.meta.url));

/** Tools built from Go modules by scripts/setup.ts, pinned. */
export const GO_TOOLS = {
  "toxiproxy-server": { module: "github.com/Shopify/toxiproxy/v2/cmd/server", version: "v2.12.0", builds: "server" },
} as const;

export type GoTool = keyof typeof GO_TOOLS;

/** Path of a built tool; throws with the command that builds it when it is missing. */
export function toolPath(tool: GoTool): string {
  const path = join(TOOLS_DIR, "bin", tool);
  if (!existsSync(path)) throw new Error(`${tool} is not built yet: run "npm run setup" (npm test and npm run stress run it for you)`);
  return path;
}
