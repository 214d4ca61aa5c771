import test from "ava";
import { parseGwei, parseTransaction, recoverTransactionAddress, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { roleKeys } from "./devAccounts.ts";
import { signTransaction } from "./txSigner.ts";

test("the native signer gives viem's signed transaction byte for byte, recoverable to the sender", async (t) => {
  const [key] = roleKeys("relayer", 1) as [Hex];
  const account = privateKeyToAccount(key);
  for (let nonce = 0; nonce < 20; nonce++) {
    const tx = {
      type: "eip1559",
      chainId: 8453,
      to: "0x000000000000000000000000000000000000dEaD",
      data: `0x${"ab".repeat(nonce * 7)}`,
      gas: 400_000n + BigInt(nonce),
      value: BigInt(nonce),
      nonce,
      maxFeePerGas: parseGwei("200"),
      maxPriorityFeePerGas: parseGwei(String(1 + nonce)),
    } as const;
    const native = signTransaction(key, tx);
    t.is(native, await account.signTransaction(tx), `nonce ${nonce}`);
    t.is(await recoverTransactionAddress({ serializedTransaction: native as never }), account.address);
    t.is(parseTransaction(native).nonce, nonce);
  }
});
