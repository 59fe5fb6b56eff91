/**
 * Changes made inside the serving process, without any FUSE request: an
 * iSCSI initiator logging in to `scst-emulator serve --iscsi-portal` creates
 * a session directory, logging out removes it. Both must be seen through the
 * mount at once, also under names the kernel has cached (docs/fuse.md,
 * "Caching"). The daemon runs in its own process (emulator-cli.js).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createMachine } from '../../src/emulator/index.js';
import { MiniInitiator } from '../iscsi/mini-initiator.js';
import { exec, makeTempDir, mountsMentioning, outcome, probe, sh, skipReason } from './helpers.js';

const skip = skipReason();
const CLI = fileURLToPath(new URL('./emulator-cli.js', import.meta.url));
const TARGET = 'iqn.2026-11.org.example:fuse-sessions';
const INITIATOR = 'iqn.2026-11.org.example:fuse-host';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('in-process changes (iSCSI sessions) through the mount', { skip }, () => {
  let work = '';
  let dir = '';
  let port = 0;
  let daemon: ChildProcess | undefined;

  before(async () => {
    work = await makeTempDir('scst-fuse-sessions-');
    dir = join(work, 'mnt');
    await fsp.mkdir(dir);
    const state = join(work, 'machine.json');
    await createMachine(state);
    port = await freePort();
    daemon = spawn(process.execPath, [CLI, 'serve', '--state', state, '--mount', dir, '--iscsi-portal', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    daemon.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      daemon!.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('serving') && resolve());
      daemon!.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const setup = await sh(
      `echo "add_target ${TARGET}" > ${dir}/targets/iscsi/mgmt && echo 1 > ${dir}/targets/iscsi/${TARGET}/enabled && echo 1 > ${dir}/targets/iscsi/enabled`,
    );
    assert.equal(setup.code, 0, setup.stderr);
  });

  after(async () => {
    daemon?.kill('SIGTERM');
    if (daemon && daemon.exitCode === null) await new Promise((resolve) => daemon!.once('exit', resolve));
    if ((await mountsMentioning(` ${dir} `)).length > 0) await exec('umount', ['-l', dir]);
    await fsp.rm(work, { recursive: true, force: true });
  });

  test('a session directory appears with the login and vanishes with the logout, also under cached names', async () => {
    const sessions = `${dir}/targets/iscsi/${TARGET}/sessions`;
    const session = `${sessions}/${INITIATOR}`;
    const look = () =>
      probe(
        { op: 'readdir', path: sessions },
        { op: 'lstat', path: session },
        { op: 'read', path: `${session}/initiator_name` },
        { op: 'readlink', path: `${session}/luns` },
      );
    assert.deepEqual((await look()).map(outcome), [[], 'ENOENT', 'ENOENT', 'ENOENT']);

    const initiator = new MiniInitiator(INITIATOR);
    assert.equal(await initiator.login('127.0.0.1', port, TARGET), 0);
    try {
      // Twice: the second walk uses the names the first one cached.
      for (let round = 0; round < 2; round++) {
        const [listing, stat, name, luns] = (await look()).map(outcome);
        assert.deepEqual(listing, [`${INITIATOR}:d`]);
        assert.equal((stat as { mode: string }).mode, '40755');
        assert.equal(name, `${INITIATOR}\n`);
        assert.equal(luns, '../../luns');
      }
    } finally {
      await initiator.logout();
    }

    // The target ends the session when the connection closes: wait until
    // the (never cached) listing shows it gone; the cached names, looked at
    // right after in the same process, must agree.
    for (let attempt = 0; ; attempt++) {
      const [listing, ...rest] = (await look()).map(outcome);
      if ((listing as string[]).length === 0) {
        assert.deepEqual(rest, ['ENOENT', 'ENOENT', 'ENOENT']);
        break;
      }
      assert.ok(attempt < 50, 'the session was never removed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
