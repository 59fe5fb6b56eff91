/**
 * `scst-emulator serve` and `run` on the real emulated machine
 * (src/emulator/index.ts). Skipped, with the reason printed, where FUSE
 * cannot be used or the engine's machine API is not there.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { SysfsTree } from '../../src/sysfs/tree.js';
import { MOUNT_SOURCE } from '../../src/emulator/fuse/mount.js';
import { exec, makeTempDir, mountForTest, mountsMentioning, sh, skipReason } from './helpers.js';
import { MemoryTree } from './memory-tree.js';

const CLI = fileURLToPath(new URL('./emulator-cli.js', import.meta.url));

interface MachineApi {
  createMachine(stateFile: string): Promise<{ tree: SysfsTree; save(): Promise<void> }>;
  loadMachine(stateFile: string): Promise<{ tree: SysfsTree }>;
}

/** The engine's machine API, looked up at run time so that its absence skips rather than breaks. */
async function machineApi(): Promise<MachineApi | string> {
  const indexModule = '../../src/emulator/index.js';
  try {
    const api = (await import(indexModule)) as Partial<MachineApi>;
    if (typeof api.createMachine === 'function' && typeof api.loadMachine === 'function') return api as MachineApi;
    return 'src/emulator/index.ts exports no createMachine/loadMachine';
  } catch (err) {
    return `src/emulator/index.ts cannot be loaded: ${(err as Error).message}`;
  }
}

const api = await machineApi();
const fuseSkip = skipReason();
const skip = fuseSkip || (typeof api === 'string' ? api : false);
if (typeof api === 'string' && !fuseSkip) process.stderr.write(`# emulator command tests skipped: ${api}\n`);
const machine = api as MachineApi;

function cli(...args: string[]) {
  return exec(process.execPath, [CLI, ...args], 20_000);
}

/**
 * What `run` mounts lives in its own namespace: on the host, nothing may be
 * left at /sys/kernel/scst_tgt nor laid over /sys/kernel. (Other test files
 * mount the emulator elsewhere at the same time, so only these points count.)
 */
async function noEmulatorMounts(): Promise<void> {
  const leaked = (await mountsMentioning(' /sys/kernel')).filter((line) => {
    const [mountPoint, fsType] = [line.split(' ')[4], line.split(' - ')[1]?.split(' ')[0]];
    return mountPoint === '/sys/kernel/scst_tgt' || (mountPoint === '/sys/kernel' && (fsType === 'overlay' || fsType === 'tmpfs' || line.includes(` ${MOUNT_SOURCE} `)));
  });
  assert.deepEqual(leaked, [], 'no emulator mount is left on the host');
}

/** The pids whose parent is `pid`. */
async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await fsp.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fsp.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid) children.push(Number(entry));
  }
  return children;
}

/** 'gone' once `pid` has exited (a zombie awaiting its reaper counts as gone). */
async function processState(pid: number): Promise<'running' | 'gone'> {
  const stat = await fsp.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === '' || state === 'Z' || state === 'X' ? 'gone' : 'running';
}

describe('scst-emulator run', { skip }, () => {
  let work = '';
  let state = '';
  let version = '';

  before(async () => {
    work = await makeTempDir('scst-fuse-run-');
    state = join(work, 'machine.json');
    version = await (await machine.createMachine(state)).tree.read('version');
  });
  after(() => fsp.rm(work, { recursive: true, force: true }));

  test('runs the command with the machine at /sys/kernel/scst_tgt, the real /sys/kernel beside it', async () => {
    const result = await cli('run', '--state', state, '--', 'sh', '-c',
      'cat /sys/kernel/scst_tgt/version && test -d /sys/kernel/mm && ls -ld /sys/kernel/scst_tgt/handlers');
    assert.equal(result.code, 0, result.stderr);
    const [shown, handlers] = [result.stdout.slice(0, version.length), result.stdout.slice(version.length)];
    assert.equal(shown, version);
    assert.match(handlers, /^drwxr-xr-x .* \/sys\/kernel\/scst_tgt\/handlers\n$/);
    await noEmulatorMounts();
  });

  test('filesystems mounted below /sys/kernel stay visible inside run', async () => {
    const cli = `${process.execPath} ${CLI} run --state ${state} -- cat /sys/kernel/debug/marker`;
    const result = await exec('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
      `mount -t tmpfs marker-fs /sys/kernel/debug && echo seen > /sys/kernel/debug/marker && ${cli}`]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'seen\n');
  });

  test("passes on the command's exit status; mgmt writes are saved to the state file", async () => {
    const result = await cli('run', '--state', state, '--', 'sh', '-c',
      'echo "add_device disk_r1" > /sys/kernel/scst_tgt/handlers/vdisk_nullio/mgmt && exit 7');
    assert.equal(result.code, 7, result.stderr);
    const saved = await machine.loadMachine(state);
    assert.equal((await saved.tree.lstat('devices/disk_r1')).type, 'dir');
    await noEmulatorMounts();
  });

  test('a failed mgmt write reaches the command as its errno', async () => {
    const result = await cli('run', '--state', state, '--', 'bash', '-c',
      'echo "no_such_command" > /sys/kernel/scst_tgt/handlers/vdisk_nullio/mgmt');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /write error: Invalid argument/);
  });

  test('kill -9 of the emulator leaves no mount behind and ends the command', async () => {
    const outer = spawn(process.execPath, [CLI, 'run', '--state', state, '--', 'sh', '-c', 'echo ready; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const exited = new Promise<number | null>((resolve) => outer.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) => outer.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
      await noEmulatorMounts();
      const [daemon] = await childrenOf(outer.pid!);
      assert.ok(daemon, 'the emulator runs as the child of run');
      const [command] = await childrenOf(daemon);
      assert.ok(command, 'the command runs as the emulator\'s child');
      process.kill(daemon, 'SIGKILL');
      assert.equal(await exited, 137);
      await noEmulatorMounts();
      await delay(100);
      assert.equal(await processState(command), 'gone');
    } finally {
      outer.kill('SIGKILL');
    }
  });

  test('SIGTERM to run reaches the command; its status is passed on', async () => {
    const outer = spawn(process.execPath, [CLI, 'run', '--state', state, '--', 'sh', '-c', 'echo ready; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const exited = new Promise<number | null>((resolve) => outer.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) => outer.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
      outer.kill('SIGTERM');
      assert.equal(await exited, 128 + 15);
      await noEmulatorMounts();
    } finally {
      outer.kill('SIGKILL');
    }
  });

  test('a missing state file or command is a clear error', async () => {
    const [missing, noCommand, notFound] = await Promise.all([
      cli('run', '--state', join(work, 'nope.json'), '--', 'true'),
      cli('run', '--state', state),
      cli('run', '--state', state, '--', '/no/such/program'),
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.json.*does not exist/);
    assert.equal(noCommand.code, 2);
    assert.match(noCommand.stderr, /the command to run is missing/);
    assert.equal(notFound.code, 127);
    await noEmulatorMounts();
  });
});

describe('scst-emulator serve', { skip }, () => {
  let work = '';
  let state = '';

  before(async () => {
    work = await makeTempDir('scst-fuse-serve-');
    state = join(work, 'machine.json');
    await machine.createMachine(state);
  });
  after(() => fsp.rm(work, { recursive: true, force: true }));

  test('serves until SIGTERM, then unmounts and saves', async () => {
    const dir = join(work, 'mnt');
    await fsp.mkdir(dir);
    const daemon = spawn(process.execPath, [CLI, 'serve', '--state', state, '--mount', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const exited = new Promise<number | null>((resolve) => daemon.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) => daemon.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('serving') && resolve()));
      assert.equal((await mountsMentioning(` ${dir} `)).length, 1);
      // Two clients at once: each add succeeds exactly once, the duplicate fails with EEXIST.
      const add = (name: string) => exec('bash', ['-c', `echo "add_device ${name}" > ${dir}/handlers/vdisk_nullio/mgmt`]);
      const results = await Promise.all([add('s1'), add('s2'), add('s1')]);
      assert.deepEqual(results.map((r) => r.code).sort(), [0, 0, 1]);
      assert.match(results.find((r) => r.code === 1)!.stderr, /File exists/);
      const listing = await sh(`ls ${dir}/devices`);
      assert.deepEqual(listing.stdout.trim().split('\n').sort(), ['s1', 's2']);
      daemon.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.deepEqual(await mountsMentioning(` ${dir} `), []);
      const saved = await machine.loadMachine(state);
      assert.deepEqual((await saved.tree.readdir('devices')).sort(), ['s1', 's2']);
    } finally {
      daemon.kill('SIGKILL');
      if ((await mountsMentioning(` ${dir} `)).length > 0) await exec('umount', ['-l', dir]);
    }
  });

  test('stops and saves when its mount point is unmounted by someone else', async () => {
    const dir = join(work, 'mnt-ext');
    await fsp.mkdir(dir);
    const daemon = spawn(process.execPath, [CLI, 'serve', '--state', state, '--mount', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    daemon.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const exited = new Promise<number | null>((resolve) => daemon.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) => daemon.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('serving') && resolve()));
      assert.equal((await sh(`echo "add_device ext1" > ${dir}/handlers/vdisk_nullio/mgmt`)).code, 0);
      assert.equal((await exec('umount', [dir])).code, 0);
      assert.equal(await exited, 0);
      assert.match(stderr, /was unmounted; stopping/);
      assert.ok((await (await machine.loadMachine(state)).tree.readdir('devices')).includes('ext1'));
    } finally {
      daemon.kill('SIGKILL');
      if ((await mountsMentioning(` ${dir} `)).length > 0) await exec('umount', ['-l', dir]);
    }
  });

  test('refuses a busy mount point clearly', async () => {
    const { dir, cleanup } = await mountForTest(new MemoryTree());
    try {
      const result = await cli('serve', '--state', state, '--mount', dir);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`mount point ${dir} is busy`));
    } finally {
      await cleanup();
    }
  });

  test('refuses to run without root or without /dev/fuse', async () => {
    const [asNobody, noDevice] = await Promise.all([
      exec('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'serve', '--state', state, '--mount', work]),
      // A private namespace whose /dev lacks the fuse device.
      exec('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
        `mount -t tmpfs none /dev && ${process.execPath} ${CLI} serve --state ${state} --mount ${work}`]),
    ]);
    assert.equal(asNobody.code, 1, asNobody.stderr);
    assert.match(asNobody.stderr, /needs root/);
    assert.equal(noDevice.code, 1, noDevice.stderr);
    assert.match(noDevice.stderr, /\/dev\/fuse is missing/);
  });

  test('usage errors name the problem', async () => {
    const [result, portal] = await Promise.all([
      cli('serve', '--state', state),
      cli('serve', '--state', state, '--mount', work, '--iscsi-portal', 'nohost'),
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--mount DIR is required/);
    assert.equal(portal.code, 2);
    assert.match(portal.stderr, /--iscsi-portal nohost: expected HOST:PORT/);
  });
});
