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

test("the native signer matches viem across field sizes: zero and large integers, long data, both recovery ids", async (t) => {
  const keys = roleKeys("senders", 4) as Hex[];
  const recoveryIds = new Set<number>();
  let i = 0;
  for (const key of keys) {
    const account = privateKeyToAccount(key);
    for (const dataBytes of [0, 1, 55, 56, 255, 256, 1100, 70_000]) {
      for (const value of [0n, 1n, 127n, 128n, 2n ** 200n]) {
        const tx = {
          type: "eip1559",
          chainId: i % 2 ? 1 : 31337,
          to: "0x00000000000000000000000000000000000000aa",
          data: (dataBytes === 1 ? "0x05" : `0x${"c3".repeat(dataBytes)}`) as Hex,
          gas: BigInt(21_000 + i),
          value,
          nonce: i % 3 === 0 ? 0 : i * 1_000,
          maxFeePerGas: parseGwei("100000"),
          maxPriorityFeePerGas: i % 4 === 0 ? 0n : parseGwei("2"),
        } as const;
        i++;
        const native = signTransaction(key, tx);
        t.is(native, await account.signTransaction(tx), `data ${dataBytes} bytes, value ${value}, nonce ${tx.nonce}`);
        recoveryIds.add(parseTransaction(native).yParity!);
      }
    }
  }
  t.deepEqual([...recoveryIds].sort(), [0, 1], "both recovery ids were exercised");
});
