import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryTree, ScstOperationError, SysfsClient, SysfsError } from '../../src/sysfs/index.js';
import { localFixture } from './helpers.js';

const T1 = 'iqn.2024-01.com.example:t1';
const GROUPS_MGMT = `targets/iscsi/${T1}/ini_groups/mgmt`;
const addGroup = { op: 'addGroup', driver: 'iscsi', target: T1, group: 'g3' } as const;

/** A tree whose mgmt writes are queued (EAGAIN) and complete with `result`, after `pending` EAGAIN reads of the result file. */
function queuedTree(result: string, pending: number): MemoryTree {
  const tree = MemoryTree.fromDump(localFixture('configured.txt'));
  tree.writeHandler = (path, _data, t) => {
    if (!path.endsWith('/mgmt')) return;
    t.readFaults.set('last_sysfs_mgmt_res', Array<string>(pending).fill('EAGAIN'));
    t.file('last_sysfs_mgmt_res', result, 0o444);
    throw new SysfsError('EAGAIN', path);
  };
  return tree;
}

describe('asynchronous management: EAGAIN + last_sysfs_mgmt_res (sysfs.md §3.2)', () => {
  test('a queued command whose result is 0 succeeds; EAGAIN reads of the result are retried', async () => {
    const tree = queuedTree('0\n', 3);
    const client = new SysfsClient(tree, { pollIntervalMs: 1 });
    await client.perform(addGroup);
    assert.deepEqual(tree.writes, [{ path: GROUPS_MGMT, data: 'create g3' }]);
    assert.equal(client.counters.writes, 1, 'the command is written once, never re-sent');
    assert.equal(client.readsByPath, undefined);
    assert.equal(client.counters.reads, 4, 'three EAGAIN reads, then the result');
    assert.deepEqual(tree.readFaults.get('last_sysfs_mgmt_res'), []);
  });

  test('a queued command completing with -22 fails with EINVAL and is diagnosed as SCST.pm does', async () => {
    const tree = queuedTree('-22\n', 1);
    const error = await new SysfsClient(tree, { pollIntervalMs: 1 }).perform(addGroup).catch((e: unknown) => e);
    assert.ok(error instanceof ScstOperationError);
    assert.equal(error.errno, 'EINVAL');
    assert.equal(error.resultCode, 62); // group does not exist → "Failed to add group"
    assert.equal(error.message, 'Failed to add group. See "dmesg" for more information.');
  });

  test('a queued attribute write that fails prints (EAGAIN) as SCST.pm does, and reports the real errno', async () => {
    const tree = MemoryTree.fromDump(localFixture('configured.txt'));
    tree.writeHandler = (path, _data, t) => {
      t.file('last_sysfs_mgmt_res', '-16\n', 0o444);
      throw new SysfsError('EAGAIN', path);
    };
    const stderr: string[] = [];
    const error = await new SysfsClient(tree, { pollIntervalMs: 1, stderr: (text) => stderr.push(text) })
      .perform({ op: 'setScstAttribute', name: 'threads', value: '8' })
      .catch((e: unknown) => e);
    assert.ok(error instanceof ScstOperationError);
    assert.equal(error.resultCode, 9);
    assert.equal(error.errno, 'EBUSY');
    assert.deepEqual(stderr, ['(EAGAIN) ']);
  });

  test('a result that never arrives times out with EAGAIN', async () => {
    const tree = queuedTree('0\n', 1_000_000);
    const started = Date.now();
    const error = await new SysfsClient(tree, { pollIntervalMs: 5, timeoutMs: 60 }).perform(addGroup).catch((e: unknown) => e);
    assert.ok(error instanceof ScstOperationError);
    assert.equal(error.errno, 'EAGAIN');
    assert.match(error.message, /Timeout while waiting for command 'create g3' to complete/);
    assert.ok(Date.now() - started < 2000);
  });

  test('EAGAIN on an attribute read during readLive is retried', async () => {
    const tree = MemoryTree.fromDump(localFixture('configured.txt'));
    tree.readFaults.set('devices/disk1/filename', ['EAGAIN', 'EAGAIN']);
    const live = await new SysfsClient(tree, { pollIntervalMs: 1 }).readLive();
    assert.deepEqual(live.devices.get('disk1')!.attributes.get('filename')!.values, ['/img/disk1']);
  });
});
