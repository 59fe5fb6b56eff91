import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Operation } from '../../src/model/operations.js';
import { MemoryTree, ScstOperationError, SysfsClient, SysfsError, resultText } from '../../src/sysfs/index.js';
import { localFixture } from './helpers.js';

const T1 = 'iqn.2024-01.com.example:t1';
const iscsiT1 = { driver: 'iscsi', target: T1 };

interface Outcome {
  code: number;
  errno: string | undefined;
  stderr: string[];
  writes: string[];
}

/** Performs `op` on the configured tree whose kernel answers every write with `errno` (none: writes succeed). */
async function failureOf(op: Operation, errno?: string, adjust?: (tree: MemoryTree) => void): Promise<Outcome> {
  const tree = MemoryTree.fromDump(localFixture('configured.txt'));
  adjust?.(tree);
  if (errno) {
    tree.writeHandler = (path) => {
      throw new SysfsError(errno, path);
    };
  }
  const stderr: string[] = [];
  const client = new SysfsClient(tree, { pollIntervalMs: 1, timeoutMs: 40, stderr: (text) => stderr.push(text) });
  const error = await client.perform(op).then(
    () => assert.fail(`${op.op} unexpectedly succeeded`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ScstOperationError, String(error));
  assert.equal(error.message.startsWith(resultText(error.resultCode) ?? 'SCST operation failed'), true);
  return { code: error.resultCode, errno: error.errno, stderr, writes: tree.writes.map((w) => `${w.path} <- ${w.data}`) };
}

describe('failure diagnosis re-inspects the tree like SCST.pm (sysfs.md §14.3)', () => {
  test('attribute setter: missing object → no-such-object code, nothing printed', async () => {
    const outcome = await failureOf({ op: 'setDeviceAttribute', device: 'nodev', name: 'size', value: '1' });
    assert.deepEqual([outcome.code, outcome.errno, outcome.stderr], [20, 'ENOENT', []]);
    assert.equal((await failureOf({ op: 'setTargetAttribute', driver: 'nodrv', target: 't', name: 'x', value: '1' })).code, 30);
    assert.equal((await failureOf({ op: 'setTargetAttribute', driver: 'iscsi', target: 'nope', name: 'x', value: '1' })).code, 40);
    assert.equal((await failureOf({ op: 'setGroupAttribute', ...iscsiT1, group: 'nog', name: 'x', value: '1' })).code, 60);
    assert.equal((await failureOf({ op: 'setHandlerAttribute', handler: 'nohandler', name: 'x', value: '1' })).code, 10);
    assert.equal((await failureOf({ op: 'setDeviceGroupAttribute', deviceGroup: 'nodg', name: 'x', value: '1' })).code, 120);
  });

  test('attribute setter: missing attribute → "bad attribute", `(ENOENT) ` on stderr', async () => {
    const outcome = await failureOf({ op: 'setDeviceAttribute', device: 'disk1', name: 'no_such_attr', value: '1' });
    assert.deepEqual([outcome.code, outcome.errno, outcome.stderr, outcome.writes], [27, 'ENOENT', ['(ENOENT) '], []]);
    assert.equal((await failureOf({ op: 'setScstAttribute', name: 'nope', value: '1' })).code, 7);
  });

  test('attribute setter: read-only attribute → "static"; the open failure prints ENOENT, the real errno is EACCES', async () => {
    const outcome = await failureOf({ op: 'setDeviceAttribute', device: 'disk1', name: 'size', value: '1' });
    assert.deepEqual([outcome.code, outcome.errno, outcome.stderr], [28, 'EACCES', ['(ENOENT) ']]);
    assert.equal((await failureOf({ op: 'setScstAttribute', name: 'last_sysfs_mgmt_res', value: '1' })).code, 8);
    assert.equal((await failureOf({ op: 'setTargetGroupAttribute', deviceGroup: 'dg1', targetGroup: 'tg1', name: 'nope', value: '1' })).code, 150);
  });

  test('attribute setter: the kernel refuses the value → "set failed" with its errno', async () => {
    const outcome = await failureOf({ op: 'setTargetAttribute', ...iscsiT1, name: 'rel_tgt_id', value: '70000' }, 'EINVAL');
    assert.deepEqual([outcome.code, outcome.errno, outcome.stderr], [52, 'EINVAL', ['(EINVAL) ']]);
    assert.equal((await failureOf({ op: 'setDriverAttribute', driver: 'iscsi', name: 'enabled', value: '2' }, 'EINVAL')).code, 39);
    assert.equal((await failureOf({ op: 'setTargetGroupAttribute', deviceGroup: 'dg1', targetGroup: 'tg1', name: 'state', value: 'x' }, 'EINVAL')).code, 152);
  });

  test('a zero-length write counts as failure (write(2) returns 0), printed as `(0) `', async () => {
    const outcome = await failureOf({ op: 'setTargetAttribute', ...iscsiT1, name: 'io_grouping_type', value: '' });
    assert.deepEqual([outcome.code, outcome.stderr], [52, ['(0) ']]);
  });

  test('ALUA attribute codes have no text', async () => {
    const outcome = await failureOf({ op: 'setAluaAttribute', name: 'nope', value: '1' });
    assert.equal(outcome.code, 125);
    assert.equal(resultText(125), undefined);
  });

  test('openDevice: handler, parameters, duplicates, then EINVAL → open failed, other errno → fatal', async () => {
    const open = (handler: string, device: string, params: Array<[string, string]> = []): Operation => ({ op: 'openDevice', handler, device, params });
    assert.equal((await failureOf(open('nohandler', 'd'))).code, 10);
    assert.equal((await failureOf(open('vdisk_blockio', 'd', [['o_direct', '1']]), 'EINVAL')).code, 27);
    assert.equal((await failureOf(open('vdisk_fileio', 'disk1', [['filename', '/x']]), 'EEXIST')).code, 21);
    assert.equal((await failureOf(open('vdisk_fileio', 'd', [['filename', 'relative']]), 'EINVAL')).code, 22);
    const missingFile = await failureOf(open('vdisk_fileio', 'd', [['filename', '/missing']]), 'ENOENT');
    assert.deepEqual([missingFile.code, missingFile.errno, missingFile.stderr], [2, 'ENOENT', []]);
    assert.equal((await failureOf({ op: 'closeDevice', handler: 'vdisk_fileio', device: 'blk1' }, 'EINVAL')).code, 20);
  });

  test('targets: exists, not virtual-capable, bad creation parameter, dynamic attribute names', async () => {
    assert.equal((await failureOf({ op: 'addTarget', ...iscsiT1, params: [] }, 'EEXIST')).code, 41);
    assert.equal((await failureOf({ op: 'addTarget', driver: 'copy_manager', target: 'x', params: [] })).code, 31);
    assert.equal((await failureOf({ op: 'addTarget', driver: 'scst_local', target: 'x', params: [['bogus', '1']] }, 'EINVAL')).code, 50);
    assert.equal((await failureOf({ op: 'addTarget', driver: 'scst_local', target: 'x', params: [['session_name', 'a']] }, 'EINVAL')).code, 42);
    assert.equal((await failureOf({ op: 'addDriverDynamicAttribute', driver: 'iscsi', name: 'bogus', value: 'v' }, 'EINVAL')).code, 37);
    assert.equal((await failureOf({ op: 'addDriverDynamicAttribute', driver: 'iscsi', name: 'IncomingUser', value: 'v' }, 'EINVAL')).code, 35);
    assert.equal((await failureOf({ op: 'removeTargetDynamicAttribute', ...iscsiT1, name: 'allowed_portal', value: 'v' }, 'EINVAL')).code, 46);
    assert.equal((await failureOf({ op: 'addTargetDynamicAttribute', driver: 'iscsi', target: 'nope', name: 'allowed_portal', value: 'v' }, 'EINVAL')).code, 40);
  });

  test('removeTarget: sessions that do not go away → target busy (54), del_target never sent', async () => {
    const outcome = await failureOf({ op: 'removeTarget', driver: 'scst_local', target: 'local' });
    assert.equal(outcome.code, 54);
    assert.deepEqual(outcome.writes, [
      'targets/scst_local/local/sessions/s2/force_close <- 1',
      'targets/scst_local/local/sessions/s1/force_close <- 1',
    ]);
  });

  test('sessions: unknown session → 110; failed force_close → 111', async () => {
    assert.equal((await failureOf({ op: 'closeSession', ...iscsiT1, session: 'nope' })).code, 110);
    assert.equal((await failureOf({ op: 'closeSession', ...iscsiT1, session: 'iqn.ini:a1' }, 'EIO')).code, 111);
  });

  test('groups and initiators', async () => {
    assert.equal((await failureOf({ op: 'addGroup', ...iscsiT1, group: 'g1' }, 'EEXIST')).code, 61);
    assert.equal((await failureOf({ op: 'removeGroup', ...iscsiT1, group: 'nog' }, 'EINVAL')).code, 60);
    assert.equal((await failureOf({ op: 'removeGroup', ...iscsiT1, group: 'g1' }, 'EBUSY')).code, 63);
    assert.equal((await failureOf({ op: 'addInitiator', ...iscsiT1, group: 'g1', initiator: 'iqn.ini:b' }, 'EEXIST')).code, 81);
    assert.equal((await failureOf({ op: 'removeInitiator', ...iscsiT1, group: 'g1', initiator: 'nope' }, 'EINVAL')).code, 80);
    assert.equal((await failureOf({ op: 'moveInitiator', ...iscsiT1, group: 'g1', initiator: 'iqn.ini:b', to: 'nog' }, 'EINVAL')).code, 60);
    assert.equal((await failureOf({ op: 'clearInitiators', ...iscsiT1, group: 'g1' }, 'EIO')).code, 85);
    const initiatorAttribute = await failureOf({ op: 'setInitiatorAttribute', ...iscsiT1, group: 'g1', initiator: 'iqn.ini:b', name: 'x', value: '1' });
    assert.deepEqual([initiatorAttribute.code, initiatorAttribute.stderr], [102, []]);
  });

  test('LUNs: existing, missing device, bad parameter, replace pre-checks, remove codes', async () => {
    assert.equal((await failureOf({ op: 'addLun', ...iscsiT1, lun: '0', device: 'disk2', params: [] }, 'EEXIST')).code, 49);
    assert.equal((await failureOf({ op: 'addLun', ...iscsiT1, group: 'g1', lun: '00', device: 'disk2', params: [] }, 'EEXIST')).code, 71);
    assert.equal((await failureOf({ op: 'addLun', ...iscsiT1, lun: '5', device: 'nodev', params: [] }, 'EINVAL')).code, 20);
    assert.equal((await failureOf({ op: 'addLun', ...iscsiT1, lun: '5', device: 'disk2', params: [['bogus', '1']] }, 'EINVAL')).code, 97);
    assert.equal((await failureOf({ op: 'addLun', ...iscsiT1, group: 'nog', lun: '5', device: 'disk2', params: [] }, 'ENOENT')).code, 60);
    const missing = await failureOf({ op: 'replaceLun', ...iscsiT1, lun: '7', device: 'disk2', params: [] });
    assert.deepEqual([missing.code, missing.writes], [47, []]);
    const same = await failureOf({ op: 'replaceLun', ...iscsiT1, lun: '0', device: 'disk1', params: [] });
    assert.deepEqual([same.code, same.writes], [91, []]);
    assert.equal((await failureOf({ op: 'replaceLun', ...iscsiT1, lun: '0', device: 'disk2', params: [] }, 'EINVAL')).code, 96);
    assert.equal((await failureOf({ op: 'removeLun', ...iscsiT1, lun: '9' }, 'EINVAL')).code, 47);
    assert.equal((await failureOf({ op: 'removeLun', ...iscsiT1, lun: '0' }, 'EIO')).code, 48, 'sic: SCST.pm reuses the add code');
    assert.equal((await failureOf({ op: 'removeLun', ...iscsiT1, group: 'g1', lun: '0' }, 'EIO')).code, 73);
    assert.equal((await failureOf({ op: 'clearLuns', ...iscsiT1 }, 'EIO')).code, 53);
    assert.equal((await failureOf({ op: 'setLunAttribute', ...iscsiT1, lun: '0', name: 'read_only', value: '1' })).code, 98);
    assert.equal((await failureOf({ op: 'setLunAttribute', ...iscsiT1, lun: '0', name: 'bogus', value: '1' })).code, 97);
  });

  test('ALUA objects', async () => {
    assert.equal((await failureOf({ op: 'addDeviceGroup', deviceGroup: 'dg1' }, 'EEXIST')).code, 121);
    assert.equal((await failureOf({ op: 'removeDeviceGroup', deviceGroup: 'nodg' }, 'EINVAL')).code, 120);
    assert.equal((await failureOf({ op: 'addDeviceGroupDevice', deviceGroup: 'dg1', device: 'nodev' }, 'EINVAL')).code, 20);
    assert.equal((await failureOf({ op: 'addDeviceGroupDevice', deviceGroup: 'dg1', device: 'disk1' }, 'EEXIST')).code, 133);
    const inOther = await failureOf({ op: 'addDeviceGroupDevice', deviceGroup: 'dg2', device: 'disk1' }, 'EEXIST', (tree) => {
      tree.dir('device_groups/dg2').dir('device_groups/dg2/devices').file('device_groups/dg2/devices/mgmt', '');
    });
    assert.equal(inOther.code, 138);
    assert.equal((await failureOf({ op: 'removeDeviceGroupDevice', deviceGroup: 'dg1', device: 'blk1' }, 'EINVAL')).code, 132);
    assert.equal((await failureOf({ op: 'addTargetGroup', deviceGroup: 'dg1', targetGroup: 'tg1' }, 'EEXIST')).code, 137);
    assert.equal((await failureOf({ op: 'removeTargetGroup', deviceGroup: 'dg1', targetGroup: 'nope' }, 'EINVAL')).code, 136);
    assert.equal((await failureOf({ op: 'addTargetGroupTarget', deviceGroup: 'dg1', targetGroup: 'tg1', target: 'remote-tgt' }, 'EEXIST')).code, 163);
    assert.equal((await failureOf({ op: 'removeTargetGroupTarget', deviceGroup: 'dg1', targetGroup: 'tg1', target: 'nope' }, 'EINVAL')).code, 162);
    assert.equal((await failureOf({ op: 'setTargetGroupTargetAttribute', deviceGroup: 'dg1', targetGroup: 'tg1', target: 'remote-tgt', name: 'rel_tgt_id', value: '0' }, 'EINVAL')).code, 172);
  });

  test('issueLip without an FC host fails with the generic code and a clear message', async () => {
    const tree = MemoryTree.fromDump(localFixture('configured.txt'));
    const client = new SysfsClient(tree);
    await assert.rejects(client.perform({ op: 'issueLip', ...iscsiT1 }), { resultCode: 1, message: `Driver/target 'iscsi/${T1}' has no 'host' attribute` });
    await assert.rejects(client.perform({ op: 'issueLip', driver: 'qla2x00t', target: '21:00:00:24:ff:00:00:01' }), {
      resultCode: 1,
      message: 'Driver/target is not a fibre channel target',
    });
  });
});
