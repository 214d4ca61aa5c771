import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { MANIFEST, RunFolderError } from "./manifest.ts";

/** What goes into a bundle: a run's reports, never its relayer checkpoint or scratch files. */
const INCLUDED = /\.(csv|json|html|md)$/;
const EXCLUDED = new Set(["relayer-checkpoint.json"]);

/**
 * Packs a run's folder into `<run-dir>.tar.gz` for an auditor: every CSV, the manifest and
 * the report (if built), plus `SHA256SUMS` in the format `sha256sum -c` checks. Files sit
 * under a folder named after the run. The archive is a plain ustar tarball, so `tar -xzf`
 * and `sha256sum -c SHA256SUMS` verify it with standard tools. Returns the archive's path.
 */
export function bundleRun(runDir: string): { archive: string; files: string[] } {
  const dir = resolve(runDir);
  if (!existsSync(join(dir, MANIFEST))) throw new RunFolderError(`${runDir}: no ${MANIFEST} here; give the folder of one run (reports/<run-id>)`);
  const files = readdirSync(dir)
    .filter((f) => INCLUDED.test(f) && !EXCLUDED.has(f) && statSync(join(dir, f)).isFile())
    .sort();
  const sums = files
    .map(
      (f) =>
        `${createHash("sha256")
          .update(readFileSync(join(dir, f)))
          .digest("hex")}  ${f}\n`,
    )
    .join("");
  const root = basename(dir);
  const entries = [...files.map((f) => ({ name: `${root}/${f}`, data: readFileSync(join(dir, f)) })), { name: `${root}/SHA256SUMS`, data: Buffer.from(sums) }];
  const archive = `${dir}.tar.gz`;
  writeFileSync(archive, gzipSync(tar(entries)));
  return { archive, files: [...files, "SHA256SUMS"] };
}

/** A ustar archive of regular files (mode 0644, mtime 0: the same files give the same bytes). */
function tar(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const blocks: Buffer[] = [];
  for (const { name, data } of entries) {
    if (Buffer.byteLength(name) > 100) throw new Error(`bundle: file name too long for ustar: ${name}`);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, "utf8");
    header.write("0000644\0", 100, "ascii"); // mode
    header.write("0000000\0", 108, "ascii"); // uid
    header.write("0000000\0", 116, "ascii"); // gid
    header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124, "ascii"); // size
    header.write("00000000000\0", 136, "ascii"); // mtime
    header.write("        ", 148, "ascii"); // checksum placeholder: spaces while summing
    header.write("0", 156, "ascii"); // regular file
    header.write("ustar\0", 257, "ascii");
    header.write("00", 263, "ascii");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(blocks);
}
