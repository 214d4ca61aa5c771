import test from "ava";
import { redactUrl } from "./redact.ts";

test("removes credentials, query values and the path", (t) => {
  const out = redactUrl("https://user:pw@eth-mainnet.example.com/v2/AbCdEf0123456789xyzKEY?apikey=secret&x=1");
  t.false(out.includes("pw"));
  t.false(out.includes("secret"));
  t.false(out.includes("AbCdEf0123456789xyzKEY"));
  t.is(out, "https://redacted@eth-mainnet.example.com/redacted?apikey=redacted&x=redacted");
});

test("a short key in the path is removed too", (t) => {
  t.is(redactUrl("https://mainnet.example.io/v3/s3cr3t"), "https://mainnet.example.io/redacted");
});

test("keeps a loopback URL readable", (t) => {
  t.is(redactUrl("http://127.0.0.1:8545"), "http://127.0.0.1:8545");
});

test("never echoes an unparseable URL", (t) => {
  t.is(redactUrl("not a url with secret"), "<unparseable url redacted>");
});
