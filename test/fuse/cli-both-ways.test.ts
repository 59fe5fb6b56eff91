/**
 * The same CLI scenario run twice from the same starting machine: once with
 * `--emulate` (the emulator in-process) and once with `--sysfs-root` on a
 * FUSE mount of the emulator. Every output byte, exit status and the
 * resulting -write_config must be the same (issue 5).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMachine } from '../../src/emulator/index.js';
import { run } from '../cli/harness.js';
import { repoRoot } from '../clients/helpers.js';
import { exec, skipReason } from './helpers.js';

/** `scst-emulator serve` of this build, in its own process: a process must not be a client of its own mount. */
const EMULATOR = fileURLToPath(new URL('./emulator-cli.js', import.meta.url));

const IQN = 'iqn.2026-11.org.example:storage';

/** The scenario: apply, re-apply, every listing, single-object commands, errors, clear. */
function scenario(out: string): string[][] {
  const fixture = join(repoRoot, 'fixtures', 'scst.conf');
  return [
    ['-config', fixture],
    ['-config', fixture],
    ['-list_handler'],
    ['-list_device'],
    ['-list_device', 'db0'],
    ['-list_driver'],
    ['-list_target'],
    ['-list_target', IQN, '-driver', 'iscsi'],
    ['-list_group', '-driver', 'iscsi', '-target', IQN],
    ['-list_sessions'],
    ['-list_scst_attr'],
    ['-list_dgrp'],
    ['-list_tgrp', '-dev_group', 'storage'],
    ['-list_tgt_attr', IQN, '-driver', 'iscsi', '-nonkey'],
    ['-write_config', join(out, 'saved.conf')],
    ['-write_config', join(out, 'saved-nonkey.conf'), '-nonkey'],
    ['-open_dev', 'extra', '-handler', 'vdisk_nullio', '-attributes', 'blocksize=4096'],
    ['-add_lun', '7', '-driver', 'iscsi', '-target', IQN, '-device', 'extra'],
    ['-close_dev', 'extra', '-handler', 'vdisk_nullio', '-noprompt'],
    ['-set_dev_attr', 'db0', '-attributes', 't10_dev_id=renamed', '-noprompt'],
    ['-rem_lun', '7', '-driver', 'iscsi', '-target', IQN, '-noprompt'],
    ['-add_target', IQN, '-driver', 'iscsi'],
    ['-rem_target', 'iqn.2026-11.org.example:none', '-driver', 'iscsi', '-noprompt'],
    ['-disable_target', IQN, '-driver', 'iscsi', '-noprompt'],
    ['-write_config', join(out, 'final.conf')],
    ['-clear_config', '-force', '-noprompt'],
    ['-list_device'],
  ];
}

describe('CLI: --emulate and --sysfs-root on a FUSE mount give the same results', { skip: skipReason() }, () => {
  let dir = '';
  let mountDir = '';
  let daemon: ChildProcess | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scst-both-'));
    mountDir = join(dir, 'mnt');
    await createMachine(join(dir, 'mounted.state'));
    await mkdir(mountDir);
    daemon = spawn(process.execPath, [EMULATOR, 'serve', '--state', join(dir, 'mounted.state'), '--mount', mountDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => daemon!.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('serving') && resolve()));
  });

  after(async () => {
    daemon?.kill('SIGTERM');
    await new Promise((resolve) => daemon?.on('exit', resolve));
    await exec('umount', ['-l', mountDir]);
    await rm(dir, { recursive: true, force: true });
  });

  test('every step: same stdout, stderr and exit status; same saved configurations', async () => {
    await createMachine(join(dir, 'emulated.state'));
    const emulatedOut = join(dir, 'emulated');
    const mountedOut = join(dir, 'mounted');
    await mkdir(emulatedOut);
    await mkdir(mountedOut);
    const emulatedSteps = scenario(emulatedOut);
    const mountedSteps = scenario(mountedOut);
    for (let i = 0; i < emulatedSteps.length; i++) {
      const viaEmulator = await run(['--emulate', join(dir, 'emulated.state'), ...emulatedSteps[i]!]);
      const viaMount = await run(['--sysfs-root', mountDir, ...mountedSteps[i]!]);
      const label = emulatedSteps[i]!.join(' ');
      assert.equal(viaMount.stdout.replaceAll(mountedOut, emulatedOut), viaEmulator.stdout, `stdout of ${label}`);
      assert.equal(viaMount.stderr, viaEmulator.stderr, `stderr of ${label}`);
      assert.equal(viaMount.code, viaEmulator.code, `exit status of ${label}`);
    }
    for (const name of ['saved.conf', 'saved-nonkey.conf', 'final.conf']) {
      assert.equal(await readFile(join(mountedOut, name), 'utf8'), await readFile(join(emulatedOut, name), 'utf8'), name);
    }
    assert.match(await readFile(join(emulatedOut, 'final.conf'), 'utf8'), /t10_dev_id renamed/);
  });
});
