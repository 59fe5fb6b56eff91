/** Successful operations and cascades (sysfs.md §6–§8, §12). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errnoOf, newMachine } from './helpers.js';

test('copy-manager LUN numbers come from a counter that never goes back (§8.9)', async () => {
  const { tree } = newMachine();
  for (let i = 0; i < 8; i++) await tree.write('handlers/vdisk_nullio/mgmt', `add_device n${i}`);
  for (let i = 0; i < 8; i++) await tree.write('handlers/vdisk_nullio/mgmt', `del_device n${i}`);
  for (const n of ['a', 'b', 'c']) await tree.write('handlers/vdisk_nullio/mgmt', `add_device ${n}`);
  const luns = (await tree.readdir('targets/copy_manager/copy_manager_tgt/luns')).filter((x) => x !== 'mgmt').sort();
  assert.deepEqual(luns, ['10', '8', '9']);
  assert.equal(await tree.readlink('targets/copy_manager/copy_manager_tgt/luns/8/device'), '../../../../../devices/a');
});

test('deleting a device removes all its LUNs; export indexes are never reused (§7.4, §7.8)', async () => {
  const { tree } = newMachine();
  await tree.write('handlers/vdisk_fileio/mgmt', 'add_device d1 filename=/img');
  await tree.write('targets/iscsi/mgmt', 'add_target t');
  await tree.write('targets/iscsi/t/luns/mgmt', 'add d1 0');
  await tree.write('targets/iscsi/t/luns/mgmt', 'del 0');
  await tree.write('targets/iscsi/t/luns/mgmt', 'add d1 3');
  assert.deepEqual((await tree.readdir('devices/d1/exported')).sort(), ['export0', 'export2']);
  await tree.write('targets/iscsi/t/ini_groups/mgmt', 'create g');
  await tree.write('targets/iscsi/t/ini_groups/g/luns/mgmt', 'add d1 0');
  await tree.write('handlers/vdisk_fileio/mgmt', 'del_device d1');
  assert.deepEqual(await tree.readdir('targets/iscsi/t/luns'), ['mgmt']);
  assert.deepEqual(await tree.readdir('targets/iscsi/t/ini_groups/g/luns'), ['mgmt']);
  assert.deepEqual(await tree.readdir('targets/copy_manager/copy_manager_tgt/luns'), ['mgmt']);
  assert.equal(await errnoOf(tree.stat('handlers/vdisk_fileio/d1')), 'ENOENT');
});

test('del_device works through any vdisk handler directory (§6.3)', async () => {
  const { tree } = newMachine();
  await tree.write('handlers/vdisk_nullio/mgmt', 'add_device n1');
  await tree.write('handlers/vcdrom/mgmt', 'del_device n1');
  assert.equal(await errnoOf(tree.stat('devices/n1')), 'ENOENT');
});

test('LUN replace swaps the device and gives a new export link (§8.5)', async () => {
  const { tree } = newMachine();
  await tree.write('handlers/vdisk_nullio/mgmt', 'add_device a');
  await tree.write('handlers/vdisk_nullio/mgmt', 'add_device b');
  await tree.write('targets/iscsi/mgmt', 'add_target t');
  await tree.write('targets/iscsi/t/luns/mgmt', 'add a 0');
  await tree.write('targets/iscsi/t/luns/mgmt', 'REPLACE b 0 read_only=1');
  assert.equal(await tree.readlink('targets/iscsi/t/luns/0/device'), '../../../../../devices/b');
  assert.equal(await tree.read('targets/iscsi/t/luns/0/read_only'), '1\n[key]\n');
  assert.deepEqual(await tree.readdir('devices/a/exported'), ['export0']);
  assert.deepEqual((await tree.readdir('devices/b/exported')).sort(), ['export0', 'export1']);
});

test('vcdrom: no media, LUNs read-only, media change (§7.7)', async () => {
  const { tree } = newMachine();
  await tree.write('handlers/vcdrom/mgmt', 'add_device cd');
  assert.equal(await tree.read('devices/cd/filename'), 'none\n\n');
  assert.equal(await tree.read('devices/cd/size'), '0\n[key]\n');
  await tree.write('devices/cd/filename', ' /cd.iso \n');
  assert.equal(await tree.read('devices/cd/filename'), '/cd.iso\n[key]\n\n');
  assert.equal(await tree.read('devices/cd/size_mb'), '700\n');
  await tree.write('targets/iscsi/mgmt', 'add_target t');
  await tree.write('targets/iscsi/t/luns/mgmt', 'add cd 0');
  assert.equal(await tree.read('targets/iscsi/t/luns/0/read_only'), '1\n[key]\n');
  await tree.write('devices/cd/filename', '\n');
  assert.equal(await tree.read('devices/cd/filename'), 'none\n\n');
});

test('vdisk defaults, KEY rules and generated ids', async () => {
  const { tree } = newMachine();
  await tree.write('setup_id', '0x10');
  await tree.write('handlers/vdisk_blockio/mgmt', 'add_device disk01 filename=/dev/sdb; t10_dev_id=custom');
  const d = 'devices/disk01';
  assert.equal(await tree.read(`${d}/usn`), '1027cddc71\n');
  assert.equal(await tree.read(`${d}/t10_dev_id`), 'custom\n[key]\n');
  assert.equal(await tree.read(`${d}/vend_specific_id`), '1027cddc71-disk01\n');
  assert.equal(await tree.read(`${d}/t10_vend_id`), 'SCST_BIO\n');
  assert.equal(await tree.read(`${d}/size`), `${2 ** 30}\n[key]\n`);
  assert.equal(await tree.read(`${d}/bind_alua_state`), '1\n');
  assert.equal(await tree.read(`${d}/threads_num`), '1\n');
  await tree.write(`${d}/prod_id`, 'disk01');
  assert.equal(await tree.read(`${d}/prod_id`), 'disk01\n[key]\n', 'KEY once written, even with the same value');
  await tree.write(`${d}/naa_id`, ' 0x5ABCDEF012345678 ');
  assert.equal(await tree.read(`${d}/naa_id`), '0x5abcdef012345678\n[key]\n');
  await tree.write('handlers/vdisk_nullio/mgmt', 'add_device n1 blocksize=1000; size_mb=1');
  assert.equal(await tree.read('devices/n1/blocksize'), '512\n', '1000 rounds down to 512');
  assert.equal(await tree.read('devices/n1/size'), '1048576\n[key]\n');
  await tree.write('handlers/vdisk_fileio/mgmt', 'add_device f1 filename=/img; write_through=2; active=0');
  assert.equal(await tree.read('devices/f1/write_through'), '0\n', 'one-bit fields keep the lowest bit');
  assert.equal(await tree.read('devices/f1/size'), '0\n[key]\n', 'inactive devices read size 0');
  assert.equal(await tree.read('devices/f1/active'), '0\n[key]\n');
});

test('vdisk pr_file_name becomes writable once the copy-manager LUN is gone', async () => {
  const { tree } = newMachine();
  await tree.write('handlers/vdisk_nullio/mgmt', 'add_device n1');
  assert.equal(await errnoOf(tree.write('devices/n1/pr_file_name', '/x')), 'EBUSY');
  await tree.write('targets/copy_manager/copy_manager_tgt/luns/mgmt', 'clear');
  await tree.write('devices/n1/pr_file_name', '/x\nignored');
  assert.equal(await tree.read('devices/n1/pr_file_name'), '/x\n[key]\n');
  await tree.write('devices/n1/pr_file_name', '\n');
  assert.equal(await tree.read('devices/n1/pr_file_name'), '/var/lib/scst/pr/n1\n');
});

test('rel_tgt_id auto-assignment skips used ids and never resets (§8.4)', async () => {
  const { tree } = newMachine();
  for (const t of ['a', 'b', 'c']) await tree.write('targets/iscsi/mgmt', `add_target ${t}`);
  await tree.write('targets/iscsi/b/rel_tgt_id', '2');
  await tree.write('targets/iscsi/b/enabled', '1');
  await tree.write('targets/iscsi/a/enabled', '1');
  await tree.write('targets/iscsi/c/enabled', '1');
  assert.equal(await tree.read('targets/iscsi/a/rel_tgt_id'), '1\n[key]\n');
  assert.equal(await tree.read('targets/iscsi/c/rel_tgt_id'), '3\n[key]\n');
  await tree.write('targets/iscsi/mgmt', 'del_target a');
  await tree.write('targets/iscsi/mgmt', 'add_target d');
  await tree.write('targets/iscsi/d/enabled', '1');
  assert.equal(await tree.read('targets/iscsi/d/rel_tgt_id'), '4\n[key]\n');
  assert.equal(await tree.read('targets/iscsi/d/tid'), '4\n', 'tids are not reused either');
});

test('scst_local sessions: suffixes, del_session, groups follow initiator patterns (§8.7, §8.11)', async () => {
  const { tree } = newMachine();
  await tree.write('targets/scst_local/mgmt', 'add_target lt session_name=s1;session_name=host2');
  await tree.write('targets/scst_local/mgmt', 'add_session lt s1');
  assert.deepEqual((await tree.readdir('targets/scst_local/lt/sessions')).sort(), ['host2', 's1', 's1_1']);
  await tree.write('targets/scst_local/mgmt', 'frob lt s1');
  await tree.write('targets/scst_local/lt/ini_groups/mgmt', 'create g');
  await tree.write('targets/scst_local/lt/ini_groups/g/initiators/mgmt', 'add S?');
  assert.equal(await tree.readlink('targets/scst_local/lt/sessions/s1_1/luns'), '../../ini_groups/g/luns');
  assert.equal(await tree.readlink('targets/scst_local/lt/sessions/host2/luns'), '../../luns');
  await tree.write('handlers/vdisk_nullio/mgmt', 'add_device n1');
  await tree.write('targets/scst_local/lt/ini_groups/g/luns/mgmt', 'add n1 5');
  assert.deepEqual((await tree.readdir('targets/scst_local/lt/sessions/s1/lun5')).sort(), ['active_commands', 'thread_index', 'thread_pid']);
  await tree.write('targets/scst_local/mgmt', 'del_session lt s1');
  await tree.write('targets/scst_local/mgmt', 'del_session lt s1');
  assert.deepEqual(await tree.readdir('targets/scst_local/lt/sessions'), ['host2']);
  await tree.write('targets/scst_local/lt/ini_groups/g/initiators/mgmt', 'add host*');
  assert.equal(await errnoOf(tree.write('targets/scst_local/lt/ini_groups/mgmt', 'del g')), 'EBUSY');
  await tree.write('targets/scst_local/lt/sessions/host2/force_close', '1');
  await tree.write('targets/scst_local/lt/ini_groups/mgmt', 'del g');
  await tree.write('targets/scst_local/mgmt', 'del_target lt');
  assert.deepEqual(await tree.readdir('devices/n1/exported'), ['export0']);
});

test('initiator patterns: wildcards, case-insensitivity, negation', async () => {
  const { initiatorMatches } = await import('../../src/engine/ini-group.js');
  assert.ok(initiatorMatches('iqn.ini:*', 'IQN.INI:host1'));
  assert.ok(initiatorMatches('iqn.?ni:*', 'iqn.ini:x'));
  assert.ok(!initiatorMatches('iqn.ini:a', 'iqn.ini:ab'));
  assert.ok(initiatorMatches('iqn*!*bad', 'iqn.good'));
  assert.ok(!initiatorMatches('iqn*!*bad', 'iqn.bad'));
});

test('iscsi: dynamic attributes, parameters, creation parameters (§8.10)', async () => {
  const { tree } = newMachine();
  const m = 'targets/iscsi/mgmt';
  await tree.write(m, 'add_target t1 QueuedCommands=64;IncomingUser=joe secretsecret12;HeaderDigest=crc32c,none');
  assert.equal(await tree.read('targets/iscsi/t1/QueuedCommands'), '64\n[key]\n\n');
  assert.equal(await tree.read('targets/iscsi/t1/HeaderDigest'), 'None,CRC32C\n[key]\n\n');
  assert.equal(await tree.read('targets/iscsi/t1/IncomingUser'), 'joe secretsecret12\n[key]\n\n');
  await tree.write(m, 'add_target_attribute t1 IncomingUser ann secretsecret34');
  await tree.write(m, 'add_target_attribute t1 IncomingUser bob secretsecret56');
  await tree.write(m, 'del_target_attribute t1 IncomingUser ann');
  const files = (await tree.readdir('targets/iscsi/t1')).filter((n) => n.startsWith('IncomingUser')).sort();
  assert.deepEqual(files, ['IncomingUser', 'IncomingUser2']);
  assert.equal((await tree.stat('targets/iscsi/t1/IncomingUser2')).mode, 0o600);
  await tree.write('targets/iscsi/t1/QueuedCommands', ':default:');
  assert.equal(await tree.read('targets/iscsi/t1/QueuedCommands'), '32\n');
  await tree.write('targets/iscsi/t1/NopInInterval', '0x10garbage');
  assert.equal(await tree.read('targets/iscsi/t1/NopInInterval'), '16\n[key]\n\n');
  await tree.write('targets/iscsi/t1/redirect', '10.1.2.3:3261 temp');
  assert.equal(await tree.read('targets/iscsi/t1/redirect'), '10.1.2.3:3261 temp\n[key]\n\n');
  await tree.write('targets/iscsi/t1/alias', '  my alias \n');
  assert.equal(await tree.read('targets/iscsi/t1/alias'), 'my alias\n[key]\n\n');
  await tree.write('targets/iscsi/iSNSServer', '10.0.0.1 AccessControl');
  assert.equal(await tree.read('targets/iscsi/iSNSServer'), '10.0.0.1 AccessControl\n[key]\n\n');
  await tree.write('targets/iscsi/iSNSServer', '10.0.0.1');
  assert.equal(await tree.read('targets/iscsi/iSNSServer'), '10.0.0.1 \n[key]\n\n');
  await tree.write('targets/iscsi/t1/ini_groups/mgmt', 'create g');
  await tree.write('targets/iscsi/t1/ini_groups/g/per_sess_dedicated_tgt_threads', '7');
  assert.equal(await tree.read('targets/iscsi/t1/ini_groups/g/per_sess_dedicated_tgt_threads'), '1\n[key]\n');
});

test('root attributes: KEY rules, trace_level, suspend', async () => {
  const { tree } = newMachine();
  await tree.write('threads', '8\n');
  assert.equal(await tree.read('threads'), '8\n[key]\n');
  await tree.write('cluster_name', 'c1\n');
  assert.equal(await tree.read('cluster_name'), 'c1\n[key]\n');
  await tree.write('cluster_name', '\n');
  assert.equal(await tree.read('cluster_name'), '');
  await tree.write('trace_level', 'add scsi');
  assert.match(await tree.read('trace_level'), /^out_of_mem \| pid \| special \| scsi \| mgmt\n/);
  await tree.write('trace_level', 'none');
  assert.match(await tree.read('trace_level'), /^\n\n\nUsage:/);
  await tree.write('suspend', '0');
  await tree.write('suspend', '5');
  await tree.write('suspend', '-1');
  assert.equal(await tree.read('suspend'), '1\n');
  await tree.write('async_lun_replace', 'on');
  assert.equal(await tree.read('async_lun_replace'), '1\n');
});

test('hardware targets: ib_srpt and qla2x00t ports and NPIV', async () => {
  const gid = 'fe80:0000:0000:0000:0002:c903:00fa:b7e1';
  const wwpn = '21:00:00:24:ff:31:4c:60';
  const { tree } = newMachine({ modules: ['scst', 'scst_vdisk', 'ib_srpt', 'qla2x00tgt'], hwTargets: [{ driver: 'ib_srpt', name: gid }, { driver: 'qla2x00t', name: wwpn }] });
  assert.equal(await tree.read(`targets/ib_srpt/${gid}/port_id`), 'SCST SRP target\n');
  assert.equal(await tree.read(`targets/ib_srpt/${gid}/enabled`), '0\n');
  assert.equal(await errnoOf(tree.stat('targets/ib_srpt/mgmt')), 'ENOENT');
  assert.equal(await tree.read(`targets/qla2x00t/${wwpn}/hw_target`), '1\n');
  assert.equal(await errnoOf(tree.write('targets/qla2x00t/mgmt', 'add_target 21:00:00:24:ff:31:4c:61')), 'EINVAL');
  await tree.write('targets/qla2x00t/mgmt', `add_target 21:00:00:24:ff:31:4c:61 parent_host=${wwpn}`);
  assert.equal(await errnoOf(tree.stat('targets/qla2x00t/21:00:00:24:ff:31:4c:61/hw_target')), 'ENOENT');
  assert.match(await tree.read('targets/qla2x00t/mgmt'), /The following parameters available: node_name, parent_host\n\n$/);
});

test('transport sessions: force_close asks the transport, removeSession drops the directory', async () => {
  const { tree, engine } = newMachine();
  await tree.write('targets/iscsi/mgmt', 'add_target t');
  const target = engine.findTargetsByName('t')[0]!;
  let closed = 0;
  const s = target.addSession('iqn.ini:1', { onForceClose: () => closed++, entries: () => [] });
  target.addSession('iqn.ini:1');
  assert.deepEqual((await tree.readdir('targets/iscsi/t/sessions')).sort(), ['iqn.ini:1', 'iqn.ini:1_1']);
  await tree.write('targets/iscsi/t/sessions/iqn.ini:1/force_close', '1');
  assert.equal(closed, 1);
  assert.ok(await tree.stat('targets/iscsi/t/sessions/iqn.ini:1'), 'the transport decides when the session goes');
  assert.equal(await errnoOf(tree.write('targets/iscsi/mgmt', 'del_target t')), 'EBUSY');
  target.removeSession(s);
  await tree.write('targets/iscsi/t/sessions/iqn.ini:1_1/force_close', '1');
  await tree.write('targets/iscsi/mgmt', 'del_target t');
  assert.equal(engine.findTargetsByName('t').length, 0);
});

test('ALUA hooks: bind_alua_state closes/reopens the backing file, deletions cascade into device groups', async () => {
  const { tree } = newMachine();
  await tree.write('handlers/vdisk_blockio/mgmt', 'add_device b1 filename=/dev/sdb');
  await tree.write('targets/iscsi/mgmt', 'add_target t');
  await tree.write('device_groups/mgmt', 'create dg');
  await tree.write('device_groups/dg/devices/mgmt', 'add b1');
  await tree.write('device_groups/dg/target_groups/mgmt', 'add tg');
  await tree.write('device_groups/dg/target_groups/tg/mgmt', 'add t');
  assert.equal(await tree.readlink('device_groups/dg/target_groups/tg/t'), '../../../../targets/iscsi/t');
  await tree.write('device_groups/dg/target_groups/tg/state', 'standby');
  assert.equal(await tree.read('devices/b1/active'), '0\n[key]\n');
  assert.equal(await tree.read('last_sysfs_mgmt_res'), '0\n');
  await tree.write('device_groups/dg/target_groups/tg/state', 'active');
  assert.equal(await tree.read('devices/b1/active'), '1\n');
  await tree.write('targets/iscsi/mgmt', 'del_target t');
  assert.equal(await errnoOf(tree.lstat('device_groups/dg/target_groups/tg/t')), 'ENOENT');
  await tree.write('handlers/vdisk_blockio/mgmt', 'del_device b1');
  assert.deepEqual(await tree.readdir('device_groups/dg/devices'), ['mgmt']);
});

test('simulated busy queue: writers get EAGAIN, last_sysfs_mgmt_res is pending then final (§3.2)', async () => {
  const { tree, engine } = newMachine();
  engine.simulateBusyQueue = true;
  assert.equal(await errnoOf(tree.write('targets/iscsi/mgmt', 'add_target t')), 'EAGAIN');
  assert.equal(await errnoOf(tree.read('last_sysfs_mgmt_res')), 'EAGAIN');
  assert.equal(await errnoOf(tree.read('last_sysfs_mgmt_res')), 'EAGAIN');
  assert.equal(await tree.read('last_sysfs_mgmt_res'), '0\n');
  assert.ok(engine.findTargetsByName('t').length === 1, 'the command completed');
  assert.equal(await errnoOf(tree.write('targets/iscsi/mgmt', 'add_target t')), 'EAGAIN');
  await errnoOf(tree.read('last_sysfs_mgmt_res'));
  await errnoOf(tree.read('last_sysfs_mgmt_res'));
  assert.equal(await tree.read('last_sysfs_mgmt_res'), '-17\n');
  assert.equal(await errnoOf(tree.write('setup_id', 'x')), 'EINVAL', 'synchronous errors are not queued');
});
