/**
 * ALUA wired into the real ScstEngine: the cascades of sysfs.md §9.3/§12
 * driven through the engine's own mgmt files, bind_alua_state, and
 * last_sysfs_mgmt_res for queued ALUA writes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScstEngine } from '../../src/engine/engine.js';
import { MemoryHostFs } from '../../src/engine/host-fs.js';
import { linkText, lookup, names, read, write, writeFails } from './helpers.js';

function machine() {
  const hostFs = new MemoryHostFs()
    .set('/dev/sdx', { kind: 'block', size: 1 << 20 })
    .set('/img', { kind: 'file', size: 1 << 20 });
  const engine = new ScstEngine({}, hostFs);
  const root = engine.root();
  write(root, 'handlers/vdisk_blockio/mgmt', 'add_device blk1 filename=/dev/sdx');
  write(root, 'handlers/vdisk_fileio/mgmt', 'add_device file1 filename=/img');
  write(root, 'targets/iscsi/mgmt', 'add_target iqn.2026-01.x:t1');
  write(root, 'device_groups/mgmt', 'create dg1');
  write(root, 'device_groups/dg1/devices/mgmt', 'add blk1');
  write(root, 'device_groups/dg1/devices/mgmt', 'add file1');
  write(root, 'device_groups/dg1/target_groups/mgmt', 'add tg1');
  write(root, 'device_groups/dg1/target_groups/tg1/mgmt', 'add iqn.2026-01.x:t1');
  write(root, 'device_groups/dg1/target_groups/tg1/mgmt', 'add peer:t1');
  return { engine, root };
}

describe('ALUA inside ScstEngine', () => {
  test('device_groups and sgv are mounted at the root; local members link to the real target', () => {
    const { root } = machine();
    assert.ok(names(root, '').includes('device_groups') && names(root, '').includes('sgv'));
    const member = lookup(root, 'device_groups/dg1/target_groups/tg1/iqn.2026-01.x:t1');
    assert.ok(member?.kind === 'link');
    const path = 'device_groups/dg1/target_groups/tg1/iqn.2026-01.x:t1';
    assert.equal(linkText(path, member.target()), '../../../../targets/iscsi/iqn.2026-01.x:t1');
    assert.ok(lookup(root, member.target())?.kind === 'dir', 'the link resolves to the target directory');
    assert.equal(read(root, 'device_groups/dg1/target_groups/tg1/peer:t1/rel_tgt_id'), '0\n[key]\n');
  });

  test('queued ALUA writes set last_sysfs_mgmt_res, synchronous ones do not', () => {
    const { root } = machine();
    writeFails(root, 'device_groups/dg1/target_groups/tg1/state', 'bogus', 'EINVAL');
    assert.equal(read(root, 'last_sysfs_mgmt_res'), '-22\n');
    writeFails(root, 'device_groups/mgmt', 'create dg1', 'EEXIST');
    assert.equal(read(root, 'last_sysfs_mgmt_res'), '-22\n');
    write(root, 'device_groups/dg1/target_groups/tg1/preferred', '1');
    assert.equal(read(root, 'last_sysfs_mgmt_res'), '0\n');
    writeFails(root, 'device_groups/dg1/devices/mgmt', 'add blk1', 'EEXIST');
    assert.equal(read(root, 'last_sysfs_mgmt_res'), '-17\n');
    writeFails(root, 'device_groups/dg1/target_groups/tg1/group_id', '0', 'EINVAL');
    assert.equal(read(root, 'last_sysfs_mgmt_res'), '-17\n');
  });

  test('bind_alua_state: a blockio device closes in standby and reopens when active; fileio stays open', () => {
    const { root } = machine();
    assert.equal(read(root, 'devices/blk1/active'), '1\n');
    write(root, 'device_groups/dg1/target_groups/tg1/state', 'standby');
    assert.equal(read(root, 'devices/blk1/active').split('\n')[0], '0');
    assert.equal(read(root, 'devices/file1/active').split('\n')[0], '1');
    write(root, 'device_groups/dg1/target_groups/tg1/state', 'nonoptimized');
    assert.equal(read(root, 'devices/blk1/active').split('\n')[0], '1');
    // Deleting the dg resets its tgs to active first (§9.3): the device reopens.
    write(root, 'device_groups/dg1/target_groups/tg1/state', 'offline');
    write(root, 'device_groups/mgmt', 'del dg1');
    assert.equal(read(root, 'devices/blk1/active').split('\n')[0], '1');
  });

  test('deleting a device or a target removes it from its device group / target group', () => {
    const { engine, root } = machine();
    write(root, 'handlers/vdisk_fileio/mgmt', 'del_device file1');
    assert.deepEqual(names(root, 'device_groups/dg1/devices'), ['blk1', 'mgmt']);
    write(root, 'targets/iscsi/mgmt', 'del_target iqn.2026-01.x:t1');
    assert.deepEqual(names(root, 'device_groups/dg1/target_groups/tg1'), ['group_id', 'mgmt', 'peer:t1', 'preferred', 'state']);
    assert.equal(engine.alua.isConfigured('blk1'), true);
  });

  test('the engine state file carries the ALUA configuration', () => {
    const { engine, root } = machine();
    write(root, 'device_groups/dg1/target_groups/tg1/group_id', '7');
    const restored = ScstEngine.fromState(
      { modules: [...engine.modules], hwTargets: [], cpus: engine.cpus },
      JSON.parse(JSON.stringify(engine.toState())),
      engine.hostFs,
    );
    const again = restored.root();
    assert.equal(read(again, 'device_groups/dg1/target_groups/tg1/group_id'), '7\n[key]\n');
    assert.ok(lookup(again, 'device_groups/dg1/target_groups/tg1/iqn.2026-01.x:t1')?.kind === 'link');
    assert.deepEqual(names(again, 'device_groups/dg1/devices'), ['blk1', 'file1', 'mgmt']);
  });
});
