/**
 * The whole data path: a target configured through `scstadmin-ts -config`
 * on the emulated machine, served by the engine's iSCSI portal, used by real
 * initiators (libiscsi) and by the test initiator for write/read-back, LUN
 * masking, read-only LUNs and sessions in sysfs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMachine, type EmulatedMachine } from '../../src/emulator/index.js';
import { startIscsiPortal, type IscsiPortal } from '../../src/iscsi/portal.js';
import { SysfsClient } from '../../src/sysfs/client.js';
import { run } from '../cli/harness.js';
import { cdb10, MiniInitiator } from './mini-initiator.js';
import { hasTool, runTool } from './run-tool.js';
import { parseCunitRun } from './cunit.js';

const IQN = 'iqn.2026-11.org.example:e2e';
const RESTRICTED = 'iqn.2026-11.org.example:restricted-host';

/** Logs in and clears the power-on unit attention every new I_T nexus starts with. */
async function session(name: string, port: number, use: (initiator: MiniInitiator) => Promise<void>): Promise<void> {
  const initiator = new MiniInitiator(name);
  assert.equal(await initiator.login('127.0.0.1', port, IQN), 0);
  try {
    const first = await initiator.command(0, cdb10(0x00, 0, 0));
    assert.equal(first.status, 2, 'the first command of a new nexus reports a unit attention');
    assert.equal(first.sense![2] & 0x0f, 0x06, 'UNIT ATTENTION');
    assert.equal(first.sense![12], 0x29, 'POWER ON, RESET, OR BUS DEVICE RESET OCCURRED');
    await use(initiator);
  } finally {
    await initiator.logout().catch(() => undefined);
  }
}

describe('engine data path over iSCSI', () => {
  let dir = '';
  let machine: EmulatedMachine;
  let portal: IscsiPortal;
  let url = '';
  let port = 0;
  const scstadmin = (...argv: string[]) =>
    run(['--emulate', join(dir, 'state.json'), ...argv], {
      connect: async (_target, options) => ({ client: new SysfsClient(machine.tree, options), save: () => machine.save() }),
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scst-e2e-'));
    const backing = join(dir, 'disk1.img');
    const handle = await open(backing, 'w');
    await handle.truncate(64 * 1024 * 1024);
    await handle.close();
    await writeFile(
      join(dir, 'scst.conf'),
      [
        'HANDLER vdisk_fileio {',
        '\tDEVICE disk1 {',
        `\t\tfilename ${backing}`,
        '\t}',
        '}',
        '',
        'HANDLER vdisk_nullio {',
        '\tDEVICE null1',
        '\tDEVICE null2',
        '}',
        '',
        'TARGET_DRIVER iscsi {',
        '\tenabled 1',
        '',
        `\tTARGET ${IQN} {`,
        '\t\tenabled 1',
        '',
        '\t\tLUN 0 disk1',
        '\t\tLUN 1 null1 {',
        '\t\t\tread_only 1',
        '\t\t}',
        '',
        '\t\tGROUP restricted {',
        '\t\t\tLUN 0 null2',
        '',
        '\t\t\tINITIATOR iqn.2026-11.org.example:restricted-*',
        '\t\t}',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
    machine = await createMachine(join(dir, 'state.json'));
    const applied = await scstadmin('-config', join(dir, 'scst.conf'));
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /Done, \d+ change\(s\) made\./);
    portal = await startIscsiPortal(machine.engine, { host: '127.0.0.1', port: 0 });
    port = portal.server.address().port;
    url = `iscsi://127.0.0.1:${port}/${IQN}`;
  });

  after(async () => {
    await portal?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const skipTools = hasTool('iscsi-ls') ? false : 'libiscsi-bin is not installed (apt-get install libiscsi-bin)';

  test('iscsi-ls, iscsi-inq and iscsi-readcapacity16 see the configured target', { skip: skipTools }, async () => {
    const ls = await runTool('iscsi-ls', ['-s', `iscsi://127.0.0.1:${port}`]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, new RegExp(`Target:${IQN} Portal:127\\.0\\.0\\.1:${port},1\\nLun:0\\s+Type:DIRECT_ACCESS`));
    assert.match(ls.stdout, /Lun:1\s+Type:DIRECT_ACCESS/);
    const inq = await runTool('iscsi-inq', [`${url}/0`]);
    assert.equal(inq.code, 0, inq.stderr);
    assert.match(inq.stdout, /Vendor:SCST_FIO/);
    assert.match(inq.stdout, /Product:disk1/);
    const cap = await runTool('iscsi-readcapacity16', [`${url}/0`]);
    assert.equal(cap.code, 0, cap.stderr);
    assert.match(cap.stdout, /RETURNED LOGICAL BLOCK ADDRESS:131071\n/);
    assert.match(cap.stdout, /LOGICAL BLOCK LENGTH IN BYTES:512\n/);
  });

  test('data written is read back byte-identical and is in the backing file after SYNCHRONIZE CACHE', async () => {
    await session('iqn.2026-11.org.example:writer', port, async (initiator) => {
    const pattern = Buffer.alloc(64 * 1024);
    for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31 + 7) & 0xff;
    const lba = 1000;
    const write = await initiator.command(0, cdb10(0x2a, lba, pattern.length / 512), { dataOut: pattern });
    assert.equal(write.status, 0, `WRITE(10) status ${write.status}`);
    const sync = await initiator.command(0, cdb10(0x35, 0, 0));
    assert.equal(sync.status, 0);
    const read = await initiator.command(0, cdb10(0x28, lba, pattern.length / 512), { readLength: pattern.length });
    assert.equal(read.status, 0);
    assert.ok(read.data.equals(pattern), 'read back what was written');
    const file = await open(join(dir, 'disk1.img'), 'r');
    const onDisk = Buffer.alloc(pattern.length);
    await file.read(onDisk, 0, pattern.length, lba * 512);
    await file.close();
    assert.ok(onDisk.equals(pattern), 'the backing file holds the data');
    });
  });

  test('a read_only LUN refuses writes with DATA PROTECT', async () => {
    await session('iqn.2026-11.org.example:ro-writer', port, async (initiator) => {
      await initiator.command(1, cdb10(0x00, 0, 0)); // LUN 1's own power-on unit attention
      const r = await initiator.command(1, cdb10(0x2a, 0, 1), { dataOut: Buffer.alloc(512) });
      assert.equal(r.status, 2);
      assert.equal(r.sense![2] & 0x0f, 0x07, 'sense key DATA PROTECT');
      assert.equal(r.sense![12], 0x27, 'WRITE PROTECTED');
    });
  });

  test('an initiator matching a group pattern sees only the group LUNs', async () => {
    await session(RESTRICTED, port, async (restricted) => {
    const reportLuns = Buffer.alloc(16);
    reportLuns[0] = 0xa0;
    reportLuns.writeUInt32BE(4096, 6);
    const r = await restricted.command(0, reportLuns, { readLength: 4096 });
    assert.equal(r.status, 0);
    assert.equal(r.data.readUInt32BE(0), 8, 'one LUN in the group');
    const inquiry = Buffer.from([0x12, 0, 0, 0, 96, 0]);
    const inq = await restricted.command(0, inquiry, { readLength: 96 });
    assert.equal(inq.data.subarray(16, 32).toString('latin1').trim(), 'null2');
    });
  });

  test('a logged-in session appears under sessions/ and disappears on logout', async () => {
    const initiator = new MiniInitiator('iqn.2026-11.org.example:watcher');
    assert.equal(await initiator.login('127.0.0.1', port, IQN), 0);
    const sessions = `targets/iscsi/${IQN}/sessions`;
    assert.deepEqual(await machine.tree.readdir(sessions), ['iqn.2026-11.org.example:watcher']);
    const session = `${sessions}/iqn.2026-11.org.example:watcher`;
    assert.equal(await machine.tree.read(`${session}/initiator_name`), 'iqn.2026-11.org.example:watcher\n');
    assert.equal(await machine.tree.readlink(`${session}/luns`), '../../luns');
    assert.equal(await machine.tree.read(`${session}/FirstBurstLength`), '8192\n');
    await initiator.logout();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await machine.tree.readdir(sessions), []);
  });

  test('force_close and disabling the target end live sessions', async () => {
    const initiator = new MiniInitiator('iqn.2026-11.org.example:victim');
    assert.equal(await initiator.login('127.0.0.1', port, IQN), 0);
    const session = `targets/iscsi/${IQN}/sessions/iqn.2026-11.org.example:victim`;
    await machine.tree.write(`${session}/force_close`, '1');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await machine.tree.readdir(`targets/iscsi/${IQN}/sessions`), []);
    await assert.rejects(initiator.command(0, cdb10(0x00, 0, 0)), /connection closed/);

    const second = new MiniInitiator('iqn.2026-11.org.example:victim2');
    assert.equal(await second.login('127.0.0.1', port, IQN), 0);
    const disabled = await scstadmin('-disable_target', IQN, '-driver', 'iscsi', '-noprompt');
    assert.equal(disabled.code, 0, disabled.stdout);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await machine.tree.readdir(`targets/iscsi/${IQN}/sessions`), []);
    const refused = new MiniInitiator('iqn.2026-11.org.example:late');
    assert.equal(await refused.login('127.0.0.1', port, IQN), 0x0203, 'a disabled target is not found');
    const enabled = await scstadmin('-enable_target', IQN, '-driver', 'iscsi');
    assert.equal(enabled.code, 0, enabled.stdout);
  });

  test('iscsi-test-cu --dataloss, SCSI and iSCSI families: no failure', { skip: skipTools, timeout: 240000 }, async () => {
    const lun0 = `${url}/0`;
    // Two paths to the same LUN let the multipath and two-initiator tests run.
    const r = await runTool('iscsi-test-cu', ['--dataloss', '-t', 'SCSI,iSCSI', lun0, lun0], 230000);
    const counts = parseCunitRun(r.stdout);
    assert.deepEqual(counts.failed, [], r.stdout.slice(-4000));
    assert.equal(counts.total, 230);
    // tgt, the peer user-space target, passes 160 and fails 8 of these 230 on this machine.
    assert.ok(counts.passed.length >= 179, `passed ${counts.passed.length}`);
  });
});
