/**
 * Real initiators (Debian libiscsi-bin) against the iSCSI driver with a RAM
 * disk behind it: discovery, login, CHAP, digests, inquiry, capacity.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IscsiServer } from '../../src/iscsi/server.js';
import { FakeBackend, FakeTarget, FixedLunMap, RamDisk } from './doubles.js';
import { hasTool, runTool } from './run-tool.js';

const IQN = 'iqn.2026-11.org.example:disk';
const SECURE = 'iqn.2026-11.org.example:secure';
const HIDDEN = 'iqn.2026-11.org.example:hidden';

const skip = hasTool('iscsi-ls') ? false : 'libiscsi-bin is not installed (apt-get install libiscsi-bin)';

describe('real initiators', { skip }, () => {
  const backend = new FakeBackend();
  const disk = new RamDisk(4096, 512);
  const plain = backend.add(new FakeTarget(IQN, () => new FixedLunMap(new Map([[0, disk]]))));
  const secure = backend.add(new FakeTarget(SECURE, () => new FixedLunMap(new Map([[0, disk]]))));
  secure.incomingUsers = [{ user: 'joe', secret: 'twelve-chars-secret' }];
  const hidden = backend.add(new FakeTarget(HIDDEN, () => new FixedLunMap(new Map())));
  hidden.allowedPortals = ['10.*'];
  const server = new IscsiServer(backend, { host: '127.0.0.1', port: 0 });
  let portal = '';

  before(async () => {
    await server.listen();
    portal = `127.0.0.1:${server.address().port}`;
  });
  after(() => server.stop());

  test('iscsi-ls discovers the targets allowed on this portal', async () => {
    const r = await runTool('iscsi-ls', [`iscsi://${portal}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.trimEnd().split('\n').sort(),
      [`Target:${IQN} Portal:${portal},1`, `Target:${SECURE} Portal:${portal},1`],
      'allowed_portal 10.* hides the third target on 127.0.0.1',
    );
  });

  test('iscsi-ls -s logs in and lists the LUNs (CHAP credentials given)', async () => {
    const r = await runTool('iscsi-ls', ['-s', `iscsi://joe%twelve-chars-secret@${portal}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Target:${IQN} Portal:${portal},1\\nLun:0\\s+Type:DIRECT_ACCESS`));
    assert.match(r.stdout, new RegExp(`Target:${SECURE} Portal:${portal},1\\nLun:0\\s+Type:DIRECT_ACCESS`));
  });

  test('iscsi-inq reads the standard INQUIRY of LUN 0', async () => {
    const r = await runTool('iscsi-inq', [`iscsi://${portal}/${IQN}/0`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Vendor:RAMDISK/);
    assert.equal(plain.sessions.at(-1)?.closed, true, 'the session ended with the tool');
  });

  test('iscsi-readcapacity16 reports the RAM disk size', async () => {
    const r = await runTool('iscsi-readcapacity16', [`iscsi://${portal}/${IQN}/0`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /RETURNED LOGICAL BLOCK ADDRESS:4095\n/);
    assert.match(r.stdout, /LOGICAL BLOCK LENGTH IN BYTES:512\n/);
  });

  test('CHAP: the right secret logs in, a wrong one is refused', async () => {
    const good = await runTool('iscsi-inq', [`iscsi://joe%twelve-chars-secret@${portal}/${SECURE}/0`]);
    assert.equal(good.code, 0, good.stderr);
    const bad = await runTool('iscsi-inq', [`iscsi://joe%wrong-secret-xx@${portal}/${SECURE}/0`]);
    assert.notEqual(bad.code, 0);
    const none = await runTool('iscsi-inq', [`iscsi://${portal}/${SECURE}/0`]);
    assert.notEqual(none.code, 0, 'no credentials: AuthMethod=None is refused when users are configured');
  });

  test('header digest: CRC32C when the target requires it', async () => {
    plain.params = { ...plain.params, HeaderDigest: ['CRC32C'] };
    try {
      const r = await runTool('iscsi-readcapacity16', [`iscsi://${portal}/${IQN}/0?header_digest=crc32c`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(plain.sessions.at(-1)?.info.negotiated.HeaderDigest, 'CRC32C');
      assert.match(r.stdout, /LOGICAL BLOCK LENGTH IN BYTES:512\n/, 'data arrived intact with header digests');
    } finally {
      plain.params = { ...plain.params, HeaderDigest: ['None'] };
    }
  });

  test('an unknown target is refused at login', async () => {
    const r = await runTool('iscsi-inq', [`iscsi://${portal}/iqn.2026-11.org.example:nope/0`]);
    assert.notEqual(r.code, 0);
  });

  test('iscsi-test-cu iSCSI family passes against the RAM disk', async () => {
    const r = await runTool(
      'iscsi-test-cu',
      ['--dataloss', '-t', 'iSCSI.iSCSIcmdsn,iSCSI.iSCSIdatasn', `iscsi://${portal}/${IQN}/0`],
      120000,
    );
    assert.match(r.stdout, /Run Summary/);
    const failed = /asserts\s+\d+\s+\d+\s+\d+\s+(\d+)/.exec(r.stdout);
    assert.equal(failed?.[1], '0', r.stdout.slice(-3000));
  });
});
