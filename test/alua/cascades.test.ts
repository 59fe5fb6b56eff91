import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../src/engine/node.js';
import { AluaManager, encodeReportTargetPortGroups } from '../../src/engine/alua/index.js';
import { FakeHost, lookup, names, read, write, writeFails } from './helpers.js';

function setup() {
  const host = new FakeHost(
    ['disk1', 'disk2', 'disk3'],
    [
      ['iscsi', 't1', 1],
      ['iscsi', 't2', 2],
    ],
  );
  const alua = new AluaManager(host);
  const root = alua.node();
  write(root, 'mgmt', 'create dg1');
  write(root, 'dg1/devices/mgmt', 'add disk1');
  write(root, 'dg1/devices/mgmt', 'add disk2');
  write(root, 'dg1/target_groups/mgmt', 'create local');
  write(root, 'dg1/target_groups/mgmt', 'create peer');
  write(root, 'dg1/target_groups/local/mgmt', 'add t1');
  write(root, 'dg1/target_groups/local/mgmt', 'add t2');
  write(root, 'dg1/target_groups/peer/mgmt', 'add peer:t1');
  write(root, 'dg1/target_groups/local/group_id', '1');
  write(root, 'dg1/target_groups/peer/group_id', '2');
  write(root, 'dg1/target_groups/peer/peer:t1/rel_tgt_id', '17');
  host.mgmtResults.length = 0;
  return { host, alua, root };
}

describe('cascades (sysfs.md §9.3, §12)', () => {
  test('a deleted device leaves its device group and can join another one', () => {
    const { alua, root, host } = setup();
    host.devices.delete('disk1');
    alua.deviceRemoved('disk1');
    assert.deepEqual(names(root, 'dg1/devices'), ['disk2', 'mgmt']);
    alua.deviceRemoved('disk3'); // not in any dg: nothing happens
    host.devices.add('disk1');
    write(root, 'mgmt', 'create dg2');
    write(root, 'dg2/devices/mgmt', 'add disk1');
    assert.deepEqual(names(root, 'dg2/devices'), ['disk1', 'mgmt']);
  });

  test('a deleted target disappears from every tg as a local member; remote members of that name stay', () => {
    const { alua, root } = setup();
    write(root, 'mgmt', 'create dg2');
    write(root, 'dg2/target_groups/mgmt', 'create a');
    write(root, 'dg2/target_groups/a/mgmt', 'add t1');
    write(root, 'dg2/target_groups/mgmt', 'create b');
    // A remote member named like a target of another driver is not touched.
    alua.targetRemoved({ driver: 'scst_local', name: 't1' });
    assert.ok(lookup(root, 'dg2/target_groups/a/t1'));
    alua.targetRemoved({ driver: 'iscsi', name: 't1' });
    assert.deepEqual(names(root, 'dg1/target_groups/local'), ['group_id', 'mgmt', 'preferred', 'state', 't2']);
    assert.deepEqual(names(root, 'dg2/target_groups/a'), ['group_id', 'mgmt', 'preferred', 'state']);
    assert.ok(lookup(root, 'dg1/target_groups/peer/peer:t1'));
  });

  test('deleting a target group removes its members (no state callbacks)', () => {
    const { root, host } = setup();
    write(root, 'dg1/target_groups/local/state', 'standby');
    host.stateChanges.length = 0;
    write(root, 'dg1/target_groups/mgmt', 'del local');
    assert.deepEqual(names(root, 'dg1/target_groups'), ['mgmt', 'peer']);
    assert.deepEqual(host.stateChanges, []);
    // Its former members are free again within the dg.
    write(root, 'dg1/target_groups/peer/mgmt', 'add t1');
  });

  test('deleting a device group resets every tg to active first, then removes everything', () => {
    const { alua, root, host } = setup();
    write(root, 'dg1/target_groups/local/state', 'standby');
    write(root, 'dg1/target_groups/peer/state', 'offline');
    host.stateChanges.length = 0;
    host.unitAttentions.length = 0;
    const staleState = lookup(root, 'dg1/target_groups/local/state');
    const staleMgmt = lookup(root, 'dg1/devices/mgmt');
    write(root, 'mgmt', 'del dg1');
    assert.deepEqual(host.stateChanges, [
      'disk1:standby->active',
      'disk2:standby->active',
      'disk1:offline->active',
      'disk2:offline->active',
    ]);
    assert.deepEqual(host.unitAttentions, ['disk1@iscsi/t1', 'disk1@iscsi/t2', 'disk2@iscsi/t1', 'disk2@iscsi/t2']);
    assert.deepEqual(names(root, ''), ['mgmt']);
    assert.equal(alua.isConfigured('disk1'), false);
    // Handles opened before the deletion fail like kernfs (ENODEV), without a queued result.
    host.mgmtResults.length = 0;
    assert.ok(staleState?.kind === 'attr' && staleMgmt?.kind === 'attr');
    assert.throws(() => staleState.store!('active'), (e: unknown) => e instanceof EngineError && e.errno === 'ENODEV');
    assert.throws(() => staleMgmt.show!(), (e: unknown) => e instanceof EngineError && e.errno === 'ENODEV');
    assert.deepEqual(host.mgmtResults, []);
    // The devices are free again, the name can be reused.
    write(root, 'mgmt', 'create dg1');
    write(root, 'dg1/devices/mgmt', 'add disk1');
    assert.equal(read(root, 'dg1/devices/mgmt').startsWith('Usage'), true);
  });

  test('empty dg, tg without targets, duplicate group ids and unexported devices are all allowed', () => {
    const { root } = setup();
    write(root, 'mgmt', 'create empty');
    write(root, 'dg1/target_groups/mgmt', 'create third');
    write(root, 'dg1/target_groups/third/group_id', '1');
    write(root, 'dg1/devices/mgmt', 'add disk3');
    assert.equal(read(root, 'dg1/target_groups/third/group_id'), '1\n[key]\n');
    writeFails(root, 'empty/devices/mgmt', 'add disk3', 'EEXIST');
  });
});

describe('SCSI queries', () => {
  test('access state and target port group id per device and target port name', () => {
    const { alua, root } = setup();
    write(root, 'dg1/target_groups/local/state', 'nonoptimized');
    write(root, 'dg1/target_groups/peer/state', 'standby');
    assert.equal(alua.accessState('disk1', 't1'), 'nonoptimized');
    assert.equal(alua.accessState('disk2', 'peer:t1'), 'standby');
    assert.equal(alua.accessState('disk3', 't1'), 'active', 'device without dg');
    assert.equal(alua.accessState('disk1', 'unknown'), 'active', 'target without tg');
    assert.equal(alua.targetPortGroupId('disk1', 't2'), 1);
    assert.equal(alua.targetPortGroupId('disk1', 'peer:t1'), 2);
    assert.equal(alua.targetPortGroupId('disk3', 't2'), 0);
    assert.equal(alua.isConfigured('disk2'), true);
    assert.equal(alua.deviceGroupOf('disk2')?.name, 'dg1');
  });

  test('REPORT TARGET PORT GROUPS data, with live rel_tgt_ids of local members', () => {
    const { alua, root, host } = setup();
    write(root, 'dg1/target_groups/local/preferred', '1');
    write(root, 'dg1/target_groups/peer/state', 'transitioning');
    host.targets[1]!.relTgtId = 9;
    const groups = alua.targetPortGroups('disk1');
    assert.deepEqual(groups, [
      { groupId: 1, preferred: true, state: 'active', relativeTargetPortIds: [1, 9] },
      { groupId: 2, preferred: false, state: 'transitioning', relativeTargetPortIds: [17] },
    ]);
    const data = encodeReportTargetPortGroups(groups, false);
    assert.equal(
      data.toString('hex'),
      '0000001c' +
        '80cf0001000200020000000100000009' +
        '0fcf000200020001' + '00000011',
    );
    const extended = encodeReportTargetPortGroups([], true);
    assert.equal(extended.toString('hex'), '0000000410000000');
    assert.deepEqual(alua.targetPortGroups('disk3'), []);
  });
});
