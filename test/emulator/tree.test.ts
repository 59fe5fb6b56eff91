/** File-system semantics of the emulated tree (sysfs.md §1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errnoOf, newMachine } from '../engine/helpers.js';
import { relativeLinkText } from '../../src/emulator/tree.js';

test('stat/lstat modes and sizes', async () => {
  const { tree } = newMachine();
  await tree.write('handlers/vdisk_fileio/mgmt', 'add_device d1 filename=/img');
  assert.deepEqual(await tree.stat('devices'), { type: 'dir', mode: 0o755, size: 0 });
  assert.deepEqual(await tree.stat('setup_id'), { type: 'file', mode: 0o644, size: 4096 });
  assert.deepEqual(await tree.stat('version'), { type: 'file', mode: 0o444, size: 4096 });
  assert.deepEqual(await tree.stat('devices/d1/sync'), { type: 'file', mode: 0o200, size: 4096 });
  assert.deepEqual(await tree.lstat('devices/d1/handler'), { type: 'link', mode: 0o777, size: 0 });
  assert.deepEqual(await tree.stat('devices/d1/handler'), { type: 'dir', mode: 0o755, size: 0 });
  assert.equal(await errnoOf(tree.stat('devices/nope')), 'ENOENT');
  assert.equal(await errnoOf(tree.stat('setup_id/x')), 'ENOTDIR');
});

test('read: EISDIR on directories, EACCES on write-only, through symlinks', async () => {
  const { tree } = newMachine();
  await tree.write('handlers/vdisk_fileio/mgmt', 'add_device d1 filename=/img');
  assert.equal(await errnoOf(tree.read('devices')), 'EISDIR');
  assert.equal(await errnoOf(tree.read('devices/d1/handler')), 'EISDIR');
  assert.equal(await errnoOf(tree.read('devices/d1/sync')), 'EACCES');
  assert.equal(await tree.read('devices/d1/handler/type'), '0 - Direct-access device (e.g., magnetic disk)\n');
  assert.equal(await errnoOf(tree.readdir('setup_id')), 'ENOTDIR');
  assert.deepEqual(await tree.readdir('devices/d1/handler'), await tree.readdir('handlers/vdisk_fileio'));
});

test('write: EACCES on read-only, zero-length write does nothing, EISDIR on dirs', async () => {
  const { tree, engine } = newMachine();
  assert.equal(await errnoOf(tree.write('version', 'x')), 'EACCES');
  assert.equal(await errnoOf(tree.write('devices', 'x')), 'EISDIR');
  engine.lastMgmtRes = -5;
  await tree.write('handlers/vdisk_fileio/mgmt', '');
  assert.equal(await tree.read('last_sysfs_mgmt_res'), '-5\n', 'a zero-length write never reaches the store routine');
});

test('readlink: relative texts of §1.5, EINVAL on non-links', async () => {
  const { tree, engine } = newMachine();
  await tree.write('handlers/vdisk_fileio/mgmt', 'add_device d1 filename=/img');
  await tree.write('targets/scst_local/mgmt', 'add_target lt session_name=s1');
  await tree.write('targets/scst_local/lt/ini_groups/mgmt', 'create g');
  await tree.write('targets/scst_local/lt/ini_groups/g/initiators/mgmt', 'add s1');
  assert.equal(await tree.readlink('targets/scst_local/lt/sessions/s1/luns'), '../../ini_groups/g/luns');
  assert.equal(await tree.readlink('targets/copy_manager/copy_manager_tgt/sessions/copy_manager_sess/luns'), '../../luns');
  assert.equal(await tree.readlink('targets/scst_local/lt/sessions/s1/host'), '../../../../../../../devices/scst_local/s1/host2');
  assert.equal(await errnoOf(tree.readlink('setup_id')), 'EINVAL');
  assert.ok(engine.getDevice('d1'));
  assert.equal(relativeLinkText(['a', 'b'], 'a/c'), '../c');
});

test('writes are serialised in call order', async () => {
  const { tree } = newMachine();
  const results = await Promise.allSettled([
    tree.write('targets/iscsi/mgmt', 'add_target t1'),
    tree.write('targets/iscsi/mgmt', 'add_target t1'),
    tree.write('targets/iscsi/mgmt', 'del_target t1'),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.deepEqual((await tree.readdir('targets/iscsi')).filter((n) => n === 't1'), []);
});

test('last_sysfs_mgmt_res: queued commands set it, synchronous parse errors do not (§15a)', async () => {
  const { tree } = newMachine();
  await tree.write('targets/iscsi/mgmt', 'add_target t1');
  assert.equal(await tree.read('last_sysfs_mgmt_res'), '0\n');
  await errnoOf(tree.write('targets/iscsi/mgmt', 'add_target t1'));
  assert.equal(await tree.read('last_sysfs_mgmt_res'), '-17\n');
  await errnoOf(tree.write('targets/iscsi/t1/enabled', '2'));
  await errnoOf(tree.write('threads', 'abc'));
  await errnoOf(tree.write('trace_level', 'add bogus'));
  assert.equal(await tree.read('last_sysfs_mgmt_res'), '-17\n');
  await tree.write('targets/iscsi/t1/enabled', '1');
  assert.equal(await tree.read('last_sysfs_mgmt_res'), '0\n');
});
