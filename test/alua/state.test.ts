import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AluaManager } from '../../src/engine/alua/index.js';
import { FakeHost, walk, write } from './helpers.js';

function configured() {
  const host = new FakeHost(['disk1', 'disk2'], [['iscsi', 't1', 1]]);
  const alua = new AluaManager(host);
  const root = alua.node();
  write(root, 'mgmt', 'create dg1');
  write(root, 'mgmt', 'create empty');
  write(root, 'dg1/devices/mgmt', 'add disk2');
  write(root, 'dg1/devices/mgmt', 'add disk1');
  write(root, 'dg1/target_groups/mgmt', 'create tg1');
  write(root, 'dg1/target_groups/mgmt', 'create tg2');
  write(root, 'dg1/target_groups/tg1/mgmt', 'add t1');
  write(root, 'dg1/target_groups/tg2/mgmt', 'add peer:t1');
  write(root, 'dg1/target_groups/tg1/group_id', '10');
  write(root, 'dg1/target_groups/tg1/preferred', '1');
  write(root, 'dg1/target_groups/tg2/state', 'standby');
  write(root, 'dg1/target_groups/tg2/peer:t1/rel_tgt_id', '33');
  return { host, alua };
}

describe('state file', () => {
  test('round-trips through JSON: same tree, same order, same state', () => {
    const { host, alua } = configured();
    const json = JSON.stringify(alua.toState());
    const restored = AluaManager.fromState(host, JSON.parse(json));
    assert.deepEqual(walk(restored.node(), ''), walk(alua.node(), ''));
    assert.equal(JSON.stringify(restored.toState()), json);
    assert.deepEqual(restored.targetPortGroups('disk1'), alua.targetPortGroups('disk1'));
    // The restored manager is fully functional.
    write(restored.node(), 'dg1/target_groups/tg1/state', 'offline');
    assert.equal(restored.accessState('disk2', 't1'), 'offline');
  });

  test('an empty manager round-trips', () => {
    const host = new FakeHost();
    const state = new AluaManager(host).toState();
    assert.deepEqual(AluaManager.fromState(host, state).toState(), state);
  });

  test('foreign or inconsistent data is refused with an error naming the place', () => {
    const { host, alua } = configured();
    const good = alua.toState() as { deviceGroups: Array<Record<string, any>> };
    const variant = (edit: (s: any) => void): unknown => {
      const copy = structuredClone(good);
      edit(copy);
      return copy;
    };
    const cases: Array<[unknown, RegExp]> = [
      [null, /root: expected an object/],
      [[], /root: expected an object/],
      [{ format: 'scst-engine', version: 1, deviceGroups: [] }, /format: not ALUA state data/],
      [variant((s) => (s.version = 2)), /version: unsupported version 2/],
      [variant((s) => (s.extra = 1)), /unexpected field "extra"/],
      [variant((s) => delete s.deviceGroups[0].devices), /deviceGroups\[0\]: missing field "devices"/],
      [variant((s) => (s.deviceGroups[1].name = 'dg1')), /deviceGroups\[1\].name: duplicate device group/],
      [variant((s) => (s.deviceGroups[0].name = 'mgmt')), /duplicate device group \(or reserved name\) mgmt/],
      [variant((s) => (s.deviceGroups[0].name = 'a b')), /deviceGroups\[0\].name: invalid name/],
      [variant((s) => s.deviceGroups[1].devices.push('disk1')), /deviceGroups\[1\].devices\[0\]: duplicate/],
      [variant((s) => s.deviceGroups[1].devices.push('nodisk')), /device nodisk does not exist/],
      [variant((s) => (s.deviceGroups[0].targetGroups[0].groupId = 65536)), /targetGroups\[0\].groupId: expected an integer/],
      [variant((s) => (s.deviceGroups[0].targetGroups[0].preferred = 1)), /preferred: expected a boolean/],
      [variant((s) => (s.deviceGroups[0].targetGroups[0].state = 'optimized')), /state: unknown ALUA state/],
      [variant((s) => (s.deviceGroups[0].targetGroups[1].name = 'tg1')), /duplicate target group/],
      [
        variant((s) => s.deviceGroups[0].targetGroups[1].members.push({ name: 'peer:t1', relTgtId: 1 })),
        /members\[1\].name: duplicate target group member/,
      ],
      [
        variant((s) => s.deviceGroups[0].targetGroups[1].members.push({ name: 'state', relTgtId: 1 })),
        /duplicate target group member \(or reserved name\) state/,
      ],
      [
        variant((s) => (s.deviceGroups[0].targetGroups[0].members[0].local.driver = 'qla2x00t')),
        /members\[0\].local: target qla2x00t\/t1 does not exist/,
      ],
      [
        variant((s) => (s.deviceGroups[0].targetGroups[0].members[0].relTgtId = 3)),
        /a local member has no relTgtId/,
      ],
      [variant((s) => delete s.deviceGroups[0].targetGroups[1].members[0].relTgtId), /relTgtId: expected an integer/],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => AluaManager.fromState(host, input), message, String(message));
    }
  });
});
