/**
 * Measures the cost of one attribute read through the FUSE mount: the
 * median time of open + read + close of an attribute, done by a separate
 * process (this one serves the mount). Not a test; run by hand as root:
 *
 *   node dist/test/fuse/bench-attribute-read.js [ITERATIONS]
 *
 * Results are recorded in docs/fuse.md.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SysfsTree } from '../../src/sysfs/tree.js';
import { makeTempDir, mountForTest } from './helpers.js';
import { MemoryTree } from './memory-tree.js';

const SELF = fileURLToPath(import.meta.url);

/** The reader side: prints the median and 90th percentile in microseconds. */
function measureReads(path: string, iterations: number): void {
  const buffer = Buffer.alloc(4096);
  const samples: number[] = [];
  for (let i = 0; i < iterations + 100; i++) {
    const start = process.hrtime.bigint();
    const fd = fs.openSync(path, 'r');
    fs.readSync(fd, buffer, 0, buffer.length, 0);
    fs.closeSync(fd);
    if (i >= 100) samples.push(Number(process.hrtime.bigint() - start) / 1000); // first 100: warm-up
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.floor(q * (samples.length - 1))]!.toFixed(1);
  process.stdout.write(`median ${at(0.5)} µs, p90 ${at(0.9)} µs (${iterations} reads)`);
}

function readerProcess(path: string, iterations: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SELF, '--reader', path, String(iterations)], (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

async function throughMount(label: string, tree: SysfsTree, attribute: string, iterations: number): Promise<void> {
  const { dir, cleanup } = await mountForTest(tree);
  try {
    console.log(`${label}: ${await readerProcess(join(dir, attribute), iterations)}`);
  } finally {
    await cleanup();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--reader') {
    measureReads(process.argv[3]!, Number(process.argv[4]));
    return;
  }
  const iterations = Number(process.argv[2] ?? 2000);
  const work = await makeTempDir('scst-fuse-bench-');
  try {
    const plain = join(work, 'version');
    fs.writeFileSync(plain, '3.11.0-pre\n');
    console.log(`plain file on ${work}: ${await readerProcess(plain, iterations)}`);
    console.log(`real sysfs (/sys/kernel/mm/transparent_hugepage/enabled): ${await readerProcess('/sys/kernel/mm/transparent_hugepage/enabled', iterations)}`);
    await throughMount('FUSE, in-memory test tree, version', new MemoryTree(), 'version', iterations);
    const indexModule = '../../src/emulator/index.js';
    const api = (await import(indexModule).catch(() => ({}))) as {
      createMachine?: (file: string) => Promise<{ tree: SysfsTree }>;
    };
    if (api.createMachine) {
      const machine = await api.createMachine(join(work, 'machine.json'));
      await throughMount('FUSE, emulated machine, version', machine.tree, 'version', iterations);
      await throughMount('FUSE, emulated machine, handlers/vdisk_fileio/mgmt', machine.tree, 'handlers/vdisk_fileio/mgmt', iterations);
    } else {
      console.log('emulated machine: src/emulator/index.ts has no createMachine; skipped');
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
