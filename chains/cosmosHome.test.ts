import test from "ava";
import { setToml } from "./cosmosHome.ts";

const config = `proxy_app = "tcp://127.0.0.1:26658"

[rpc]
laddr = "tcp://127.0.0.1:26657"

[p2p]
laddr = "tcp://0.0.0.0:26656"
pex = true
`;

test("setToml changes the key of the named section only", (t) => {
  const out = setToml(config, "p2p", "laddr", '"tcp://127.0.0.1:5"');
  t.regex(out, /\[rpc\]\nladdr = "tcp:\/\/127\.0\.0\.1:26657"/);
  t.regex(out, /\[p2p\]\nladdr = "tcp:\/\/127\.0\.0\.1:5"\npex = true/);
  t.regex(setToml(config, "", "proxy_app", '""'), /^proxy_app = ""/);
});

test("setToml refuses a key that is not there", (t) => {
  t.throws(() => setToml(config, "p2p", "pexx", "false"), { message: 'no "pexx" in section [p2p] of the config' });
  t.throws(() => setToml(config, "mempool", "size", "10"), { message: /section \[mempool\]/ });
});
