/** The walk-through of sysfs.md §13, byte for byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryHostFs } from '../../src/engine/host-fs.js';
import { ScstEngine } from '../../src/engine/engine.js';
import { EmulatedTree } from '../../src/emulator/tree.js';

const IMG_SIZE = 10 * 2 ** 20;

async function scenario(): Promise<EmulatedTree> {
  const engine = new ScstEngine({}, new MemoryHostFs().set('/img', { kind: 'file', size: IMG_SIZE }));
  const tree = new EmulatedTree(() => engine.root());
  await tree.write('handlers/vdisk_fileio/mgmt', 'add_device disk01 filename=/img; nv_cache=1\n');
  await tree.write('targets/iscsi/mgmt', 'add_target iqn.x:t1\n');
  await tree.write('targets/iscsi/iqn.x:t1/luns/mgmt', 'add disk01 0\n');
  await tree.write('targets/iscsi/iqn.x:t1/ini_groups/mgmt', 'create g1\n');
  await tree.write('targets/iscsi/iqn.x:t1/ini_groups/g1/luns/mgmt', 'add disk01 0 read_only=1\n');
  await tree.write('targets/iscsi/iqn.x:t1/ini_groups/g1/initiators/mgmt', 'add iqn.ini:*\n');
  await tree.write('targets/iscsi/iqn.x:t1/enabled', '1\n');
  return tree;
}

test('§13 device attributes and links', async () => {
  const tree = await scenario();
  const dev = 'devices/disk01';
  assert.equal(await tree.read(`${dev}/filename`), '/img\n[key]\n\n');
  assert.equal(await tree.read(`${dev}/nv_cache`), '1\n[key]\n');
  assert.equal(await tree.read(`${dev}/t10_dev_id`), '27cddc71-disk01\n');
  assert.equal(await tree.read(`${dev}/usn`), '27cddc71\n');
  assert.equal(await tree.read(`${dev}/prod_id`), 'disk01\n');
  assert.equal(await tree.read(`${dev}/size`), `${IMG_SIZE}\n[key]\n`);
  assert.equal(await tree.readlink(`${dev}/handler`), '../../handlers/vdisk_fileio');
  assert.equal(await tree.readlink(`${dev}/exported/export0`), '../../../targets/copy_manager/copy_manager_tgt/luns/0');
  assert.equal(await tree.readlink(`${dev}/exported/export1`), '../../../targets/iscsi/iqn.x:t1/luns/0');
  assert.equal(await tree.readlink(`${dev}/exported/export2`), '../../../targets/iscsi/iqn.x:t1/ini_groups/g1/luns/0');
  assert.deepEqual((await tree.readdir(`${dev}/exported`)).sort(), ['export0', 'export1', 'export2']);
  assert.equal(await tree.readlink('handlers/vdisk_fileio/disk01'), '../../devices/disk01');
  assert.equal(await tree.readlink('targets/copy_manager/copy_manager_tgt/luns/0/device'), '../../../../../devices/disk01');
});

test('§13 target state', async () => {
  const tree = await scenario();
  const t = 'targets/iscsi/iqn.x:t1';
  assert.equal(await tree.read(`${t}/tid`), '1\n');
  assert.equal(await tree.read(`${t}/enabled`), '1\n');
  assert.equal(await tree.read(`${t}/rel_tgt_id`), '1\n[key]\n');
  assert.equal(await tree.read(`${t}/luns/0/read_only`), '0\n');
  assert.equal(await tree.read(`${t}/ini_groups/g1/luns/0/read_only`), '1\n[key]\n');
  assert.equal(await tree.read(`${t}/ini_groups/g1/initiators/iqn.ini:*`), 'iqn.ini:*\n');
  assert.equal(await tree.read(`${t}/HeaderDigest`), 'None\n');
  assert.equal(await tree.read(`${t}/QueuedCommands`), '32\n');
  assert.equal(await tree.read(`${t}/ini_groups/g1/luns/0/device`).catch((e: { code: string }) => e.code), 'EISDIR');
  assert.equal(await tree.readlink(`${t}/ini_groups/g1/luns/0/device`), '../../../../../../../devices/disk01');
  assert.equal(await tree.read('last_sysfs_mgmt_res'), '0\n');
});
