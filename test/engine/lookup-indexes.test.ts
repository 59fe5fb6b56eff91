/**
 * The engine's lookup indexes (usn of vdisk devices, ALUA device-group
 * membership) answer exactly as a scan of every object would, across the
 * changes that can make an index entry stale: usn writes, device removal,
 * state save and load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmulatedTree } from '../../src/emulator/tree.js';
import { DEFAULT_MACHINE, ScstEngine } from '../../src/engine/engine.js';
import { errnoOf, newMachine, type TestMachine } from './helpers.js';

/** disk02's generated usn on a machine with setup_id 0 (errno.test.ts, §7.6). */
const DISK02_USN = '132a74e8';

function reloaded(m: TestMachine): TestMachine {
  const engine = ScstEngine.fromState(DEFAULT_MACHINE, m.engine.toState(), m.host);
  return { engine, tree: new EmulatedTree(() => engine.root()), host: m.host };
}

test('add_device refuses a generated usn another device shows, however that device got it', async () => {
  const m = newMachine();
  const w = (p: string, d: string): Promise<void> => m.tree.write(p, d);
  await w('handlers/vdisk_nullio/mgmt', 'add_device disk1');
  await w('handlers/vdisk_nullio/mgmt', 'add_device other');
  await w('devices/disk1/usn', DISK02_USN);
  assert.equal(await errnoOf(w('handlers/vdisk_nullio/mgmt', 'add_device disk02')), 'EEXIST');

  // after a save and load the collision is still seen
  const again = reloaded(m);
  assert.equal(await errnoOf(again.tree.write('handlers/vdisk_nullio/mgmt', 'add_device disk02')), 'EEXIST');

  // a usn written away, then given to another device: only the current holder counts
  await w('devices/disk1/usn', 'abc');
  await w('devices/other/usn', DISK02_USN);
  assert.equal(await errnoOf(w('handlers/vdisk_nullio/mgmt', 'add_device disk02')), 'EEXIST');
  await w('handlers/vdisk_nullio/mgmt', 'del_device other');
  assert.equal(await errnoOf(w('handlers/vdisk_nullio/mgmt', 'add_device disk02')), 'ok');
  assert.equal(await m.tree.read('devices/disk02/usn'), `${DISK02_USN}\n`);
});

test('device-group membership follows add, del, group deletion and device deletion', async () => {
  const m = newMachine();
  const w = (p: string, d: string): Promise<void> => m.tree.write(p, d);
  for (const d of ['a', 'b', 'c']) await w('handlers/vdisk_nullio/mgmt', `add_device ${d}`);
  await w('device_groups/mgmt', 'create dg1');
  await w('device_groups/mgmt', 'create dg2');
  await w('device_groups/dg1/devices/mgmt', 'add a');
  await w('device_groups/dg1/devices/mgmt', 'add b');
  assert.equal(await errnoOf(w('device_groups/dg2/devices/mgmt', 'add a')), 'EEXIST');
  assert.deepEqual((await m.tree.readdir('device_groups/dg1/devices')).sort(), ['a', 'b', 'mgmt']);
  assert.equal((await m.tree.lstat('device_groups/dg1/devices/b')).type, 'link');
  assert.equal(await errnoOf(m.tree.lstat('device_groups/dg1/devices/c')), 'ENOENT');

  await w('device_groups/dg1/devices/mgmt', 'del a');
  assert.equal(await errnoOf(w('device_groups/dg1/devices/mgmt', 'del a')), 'EINVAL');
  await w('device_groups/dg2/devices/mgmt', 'add a');
  assert.equal(await errnoOf(m.tree.lstat('device_groups/dg1/devices/a')), 'ENOENT');
  assert.equal((await m.tree.lstat('device_groups/dg2/devices/a')).type, 'link');

  await w('handlers/vdisk_nullio/mgmt', 'del_device a');
  assert.equal(await errnoOf(m.tree.lstat('device_groups/dg2/devices/a')), 'ENOENT');
  await w('handlers/vdisk_nullio/mgmt', 'add_device a');
  await w('device_groups/dg1/devices/mgmt', 'add a');

  const again = reloaded(m);
  assert.equal(await errnoOf(again.tree.write('device_groups/dg2/devices/mgmt', 'add b')), 'EEXIST');
  await w('device_groups/mgmt', 'del dg1');
  await w('device_groups/dg2/devices/mgmt', 'add b');
  assert.deepEqual((await m.tree.readdir('device_groups/dg2/devices')).sort(), ['b', 'mgmt']);
});
