/** Shared helpers of the FUSE tests: availability, child processes, mounts. */
import { execFile } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SysfsTree } from '../../src/sysfs/tree.js';
import { mountTree, type FuseMount } from '../../src/emulator/fuse/mount.js';
import type { ProbeOp, ProbeResult } from './probe.js';

/** Why mount tests cannot run here, or undefined when they can. */
export function fuseUnavailable(): string | undefined {
  if (!existsSync('/dev/fuse')) return '/dev/fuse is absent on this machine';
  if (process.getuid?.() !== 0) return 'mounting needs root';
  return undefined;
}

/** Prints why a suite is skipped (node:test shows the skip; this says why). */
export function skipReason(): string | false {
  const reason = fuseUnavailable();
  if (reason) process.stderr.write(`# FUSE tests skipped: ${reason}\n`);
  return reason ?? false;
}

export interface Exec {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program asynchronously (never sync: this process may be serving the mount). */
export function exec(file: string, args: string[], timeout = 10_000): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout, encoding: 'utf8' }, (err, stdout, stderr) => {
      const failure = err as (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals }) | null;
      resolve({
        code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
        signal: failure?.signal ?? null,
        stdout,
        stderr,
      });
    });
  });
}

export function sh(script: string): Promise<Exec> {
  return exec('sh', ['-c', script]);
}

const PROBE = fileURLToPath(new URL('./probe.js', import.meta.url));

/** Runs file operations in a child process; one result per operation. */
export async function probe(...ops: ProbeOp[]): Promise<ProbeResult[]> {
  return probeWith([process.execPath, PROBE], ops);
}

/** Like probe(), as uid and gid 65534 (nobody) without supplementary groups. */
export async function probeAsNobody(...ops: ProbeOp[]): Promise<ProbeResult[]> {
  return probeWith(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, PROBE], ops);
}

async function probeWith(command: string[], ops: ProbeOp[]): Promise<ProbeResult[]> {
  const result = await exec(command[0]!, [...command.slice(1), JSON.stringify(ops)]);
  if (result.code !== 0) throw new Error(`probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ProbeResult[];
}

/** A probe result as the value it gave or the errno name it failed with. */
export function outcome(result: ProbeResult): unknown {
  return 'ok' in result ? result.ok : result.error;
}

/** Lines of /proc/self/mountinfo of this (the host's) namespace mentioning `text`. */
export async function mountsMentioning(text: string): Promise<string[]> {
  const table = await fsp.readFile('/proc/self/mountinfo', 'utf8');
  return table.split('\n').filter((line) => line.includes(text));
}

export async function makeTempDir(prefix: string): Promise<string> {
  return fsp.mkdtemp(join(tmpdir(), prefix));
}

/** Mounts `tree` on a fresh directory; the returned cleanup always leaves no mount behind. */
export async function mountForTest(tree: SysfsTree): Promise<{ mount: FuseMount; dir: string; cleanup(): Promise<void> }> {
  const dir = await makeTempDir('scst-fuse-test-');
  const mount = await mountTree(tree, dir);
  return {
    mount,
    dir,
    async cleanup() {
      try {
        await mount.unmount();
      } finally {
        if ((await mountsMentioning(` ${dir} `)).length > 0) await exec('umount', ['-l', dir]);
        await fsp.rmdir(dir).catch(() => undefined);
      }
    },
  };
}
