import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveScst } from '../../src/model/live.js';
import { liveAttributesOf, type AttributeOwner } from '../../src/plan/index.js';
import { MemoryTree, SysfsClient } from '../../src/sysfs/index.js';
import { localFixture } from './helpers.js';

/** Every object of a live state that has an attribute map, as the owner -config's deferred checks name. */
function ownersOf(live: LiveScst): AttributeOwner[] {
  const owners: AttributeOwner[] = [{ kind: 'scst' }, { kind: 'alua' }];
  for (const handler of live.handlers.keys()) owners.push({ kind: 'handler', handler });
  for (const device of live.devices.keys()) owners.push({ kind: 'device', device });
  for (const [driver, d] of live.drivers) {
    owners.push({ kind: 'driver', driver });
    for (const [target, t] of d.targets) {
      owners.push({ kind: 'target', driver, target });
      for (const group of t.groups.keys()) owners.push({ kind: 'group', driver, target, group });
    }
  }
  for (const [deviceGroup, dg] of live.deviceGroups) {
    owners.push({ kind: 'deviceGroup', deviceGroup });
    for (const [targetGroup, tg] of dg.targetGroups) {
      owners.push({ kind: 'targetGroup', deviceGroup, targetGroup });
      for (const target of tg.targets.keys()) owners.push({ kind: 'targetGroupTarget', deviceGroup, targetGroup, target });
    }
  }
  return owners;
}

test('readAttributesOf gives each object exactly the attribute map readLive gives it', async () => {
  const client = new SysfsClient(MemoryTree.fromDump(localFixture('configured.txt')));
  const live = await client.readLive();
  const owners = ownersOf(live);
  const kinds = new Set(owners.map((o) => o.kind));
  // the fixture has every kind of owner, so each reader path is compared
  assert.deepEqual([...kinds].sort(), [
    'alua', 'device', 'deviceGroup', 'driver', 'group', 'handler', 'scst', 'target', 'targetGroup', 'targetGroupTarget',
  ]);
  for (const owner of owners) {
    assert.deepEqual(await client.readAttributesOf(owner), liveAttributesOf(live, owner), JSON.stringify(owner));
  }
});

test('readAttributesOf reads only the object itself and says undefined for a missing one', async () => {
  const client = new SysfsClient(MemoryTree.fromDump(localFixture('configured.txt')));
  const live = await client.readLive();
  const whole = client.counters.reads;
  const device = [...live.devices.keys()][0]!;
  const before = client.counters.reads;
  const attributes = await client.readAttributesOf({ kind: 'device', device });
  const used = client.counters.reads - before;
  assert.deepEqual(attributes, live.devices.get(device)!.attributes);
  assert.ok(used > 0);
  assert.ok(used < whole / 4, `${used} reads for one device, ${whole} for the whole tree`);
  assert.equal(await client.readAttributesOf({ kind: 'device', device: 'no-such-device' }), undefined);
  assert.equal(await client.readAttributesOf({ kind: 'target', driver: 'iscsi', target: 'no-such-target' }), undefined);
  assert.equal(await client.readAttributesOf({ kind: 'group', driver: 'iscsi', target: 'nope', group: 'g' }), undefined);
  assert.equal(await client.readAttributesOf({ kind: 'targetGroupTarget', deviceGroup: 'nope', targetGroup: 'tg', target: 't' }), undefined);
});
