import test from "ava";
import { generateGuardianKeys } from "./guardianKeys.ts";
import { GuardianNetwork } from "./guardianNetwork.ts";
import { VaaApi } from "./vaaApi.ts";

/** A VAA API over a network with no chains (never started: the API only reads its store). */
function api() {
  return new VaaApi(new GuardianNetwork({ chains: [], guardianKeys: generateGuardianKeys(1) }));
}

/** Listening TCP servers of this process (the tests run one at a time, so only theirs). */
const servers = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;

test.serial("start() called twice at once opens one server, and stop() closes it", async (t) => {
  const vaaApi = api();
  t.teardown(() => vaaApi.stop());
  const before = servers();
  await Promise.all([vaaApi.start(), vaaApi.start()]);
  t.is(vaaApi.status, "started");
  t.is(servers(), before + 1);
  t.is((await fetch(`${vaaApi.url}/nowhere`)).status, 404);
  await vaaApi.stop();
  t.is(vaaApi.status, "stopped");
  await t.throwsAsync(fetch(`${vaaApi.url}/nowhere`), undefined, "nothing listens at its URL any more");
});

test.serial("stop() before start() leaves it stopped, and start() while it stops is refused", async (t) => {
  const idle = api();
  await idle.stop();
  t.is(idle.status, "stopped");

  const vaaApi = api();
  await vaaApi.start();
  const stopping = vaaApi.stop();
  t.is(vaaApi.status, "stopping");
  await t.throwsAsync(vaaApi.start(), { message: /^vaa-api: start\(\) refused while it is stopping/ });
  await stopping;
  t.is(vaaApi.status, "stopped");
});
