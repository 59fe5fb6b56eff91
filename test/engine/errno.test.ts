/**
 * Every errno row of sysfs.md §11 (ALUA rows excepted: src/engine/alua):
 * the write fails with the kernel's errno, the tree is unchanged, and
 * `last_sysfs_mgmt_res` is updated only by work-queue commands (§3.3, §15a).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpTree, errnoOf, newMachine, type TestMachine } from './helpers.js';
import { ERRNO_NUMBER } from '../../src/engine/parse.js';
import { VdiskDevice } from '../../src/engine/vdisk.js';

/** A machine with some of everything. */
async function baseMachine(): Promise<TestMachine> {
  const m = newMachine();
  const w = (p: string, d: string): Promise<void> => m.tree.write(p, d);
  await w('handlers/vdisk_fileio/mgmt', 'add_device disk1 filename=/img');
  await w('handlers/vdisk_nullio/mgmt', 'add_device nul1');
  await w('handlers/vcdrom/mgmt', 'add_device cd1');
  await w('handlers/vdisk_blockio/mgmt', 'add_device blk1 filename=/dev/sdb');
  await w('targets/iscsi/mgmt', 'add_target t1');
  await w('targets/iscsi/mgmt', 'add_target t2');
  await w('targets/iscsi/t1/luns/mgmt', 'add disk1 0');
  await w('targets/iscsi/t1/ini_groups/mgmt', 'create g1');
  await w('targets/iscsi/t1/ini_groups/mgmt', 'create g2');
  await w('targets/iscsi/t1/ini_groups/g1/initiators/mgmt', 'add iqn.ini:a');
  await w('targets/iscsi/t1/ini_groups/g2/initiators/mgmt', 'add iqn.ini:b');
  await w('targets/iscsi/t1/rel_tgt_id', '5');
  await w('targets/iscsi/t1/enabled', '1');
  await w('targets/iscsi/mgmt', 'add_attribute IncomingUser joe secretsecret12');
  await w('targets/iscsi/mgmt', 'add_target_attribute t1 allowed_portal 10.0.0.*');
  await w('targets/scst_local/mgmt', 'add_target lt1 session_name=s1');
  return m;
}

type Setup = (m: TestMachine) => unknown;

interface Row {
  what: string;
  path: string;
  data: string;
  errno: string;
  /** Whether the write goes through the work queue (updates last_sysfs_mgmt_res). */
  queued: boolean;
  setup?: Setup;
  op?: 'read';
}

const H = 'handlers/vdisk_fileio/mgmt';
const HN = 'handlers/vdisk_nullio/mgmt';
const HB = 'handlers/vdisk_blockio/mgmt';
const IM = 'targets/iscsi/mgmt';
const LM = 'targets/scst_local/mgmt';
const T1 = 'targets/iscsi/t1';
const T2 = 'targets/iscsi/t2';
const q = (what: string, path: string, data: string, errno: string, setup?: Setup): Row => ({ what, path, data, errno, queued: true, ...(setup ? { setup } : {}) });
const s = (what: string, path: string, data: string, errno: string, setup?: Setup): Row => ({ what, path, data, errno, queued: false, ...(setup ? { setup } : {}) });
const vdisk = (m: TestMachine, name: string): VdiskDevice => m.engine.getDevice(name) as VdiskDevice;

const ROWS: Row[] = [
  s('open for write of a read-only attribute', 'version', '1', 'EACCES'),
  { what: 'open for read of a write-only attribute', path: 'devices/disk1/resync_size', data: '', errno: 'EACCES', queued: false, op: 'read' },
  s('path does not exist', 'no_such_attr', '1', 'ENOENT'),
  q('handler: unknown command', H, 'frob disk9', 'EINVAL'),
  q('handler: missing name', H, 'add_device', 'EINVAL'),
  q('handler: extra lexeme on del_device', H, 'del_device disk1 extra', 'EINVAL'),
  q('add_device: name already used', H, 'add_device disk1 filename=/img2', 'EEXIST'),
  q('add_device: name used by another vdisk handler', HN, 'add_device disk1', 'EEXIST'),
  q('add_device: name longer than 64', HN, `add_device ${'n'.repeat(65)}`, 'EINVAL'),
  q('add_device: name contains .', HN, 'add_device a.b', 'EINVAL'),
  q('add_device: name contains /', HN, 'add_device a/b', 'EINVAL'),
  q('add_device: generated usn collides', HN, 'add_device disk02', 'EEXIST', (m) => m.tree.write('devices/disk1/usn', '132a74e8')),
  q('add_device: unknown parameter', H, 'add_device d2 filename=/img2; bogus=1', 'EINVAL'),
  q('add_device: parameter not advertised by the handler', HN, 'add_device d2 filename=/img2', 'EINVAL'),
  q('add_device: fileio parses the value of an unknown name first', H, 'add_device d2 filename=/img2; bogus=99999999999999999999', 'ERANGE'),
  q('add_device: missing value', H, 'add_device d2 filename', 'EINVAL'),
  q('add_device: extra value', H, 'add_device d2 filename=/img2 x', 'EINVAL'),
  q('add_device: blank segment after ";"', H, 'add_device d2 filename=/img2; ', 'EINVAL'),
  q('add_device: bad number', H, 'add_device d2 filename=/img2; blocksize=abc', 'EINVAL'),
  q('add_device: overflowing number', H, 'add_device d2 filename=/img2; blocksize=99999999999999999999', 'ERANGE'),
  q('add_device: invalid tst', H, 'add_device d2 filename=/img2; tst=2', 'EINVAL'),
  q('add_device: invalid dummy', HN, 'add_device d2 dummy=2', 'EINVAL'),
  q('add_device: blocksize below 512', H, 'add_device d2 filename=/img2; blocksize=256', 'EINVAL'),
  q('add_device: invalid dif_mode', H, 'add_device d2 filename=/img2; dif_mode=bogus; dif_type=1', 'EINVAL'),
  q('add_device: numa_node_id below -1', H, 'add_device d2 filename=/img2; numa_node_id=-2', 'EINVAL'),
  q('add_device: negative number', H, 'add_device d2 filename=/img2; read_only=-1', 'EINVAL'),
  q('add_device: relative filename', H, 'add_device d2 filename=img2', 'EINVAL'),
  q('add_device: relative dif_filename', H, 'add_device d2 filename=/img2; dif_filename=x', 'EINVAL'),
  q('add_device: duplicate filename', H, 'add_device d2 filename=/img2; filename=/img', 'EINVAL'),
  q('add_device: fileio without filename', H, 'add_device d2 nv_cache=1', 'EINVAL'),
  q('add_device: blockio without filename', HB, 'add_device d2', 'EINVAL'),
  q('add_device: read_only with write_through', H, 'add_device d2 filename=/img2; read_only=1; write_through=1', 'EINVAL'),
  q('add_device: read_only with nv_cache', H, 'add_device d2 filename=/img2; read_only=1; nv_cache=1', 'EINVAL'),
  q('add_device: o_direct without async', H, 'add_device d2 filename=/img2; o_direct=1', 'EINVAL'),
  q('add_device: dif_type without dif_mode', H, 'add_device d2 filename=/img2; dif_type=1', 'EINVAL'),
  q('add_device: dif_mode without dif_type', H, 'add_device d2 filename=/img2; dif_mode=tgt', 'EINVAL'),
  q('add_device: dif_type above 3', H, 'add_device d2 filename=/img2; dif_type=4; dif_mode=tgt', 'EINVAL'),
  q('add_device: size not a multiple of the block size', HN, 'add_device d2 size=1000', 'EINVAL'),
  q('add_device: backing file missing', H, 'add_device d2 filename=/missing', 'ENOENT'),
  q('add_device: backing path is a directory', H, 'add_device d2 filename=/dir', 'EINVAL'),
  q('add_device: blockio on a regular file', HB, 'add_device d2 filename=/img2', 'EINVAL'),
  q('del_device: no such device', H, 'del_device nosuch', 'EINVAL'),
  q('target driver: unknown command', IM, 'frob t1', 'EINVAL'),
  q('target driver: missing target name', IM, 'add_target', 'EINVAL'),
  q('target driver: extra lexeme on del_target', IM, 'del_target t2 x', 'EINVAL'),
  q('add_target: duplicate (iscsi)', IM, 'add_target t1', 'EEXIST'),
  q('add_target: duplicate (scst_local)', LM, 'add_target lt1', 'EFAULT'),
  q('add_target: bad parameter (iscsi)', IM, 'add_target t3 Bogus=1', 'EINVAL'),
  q('add_target: out-of-range parameter (iscsi)', IM, 'add_target t3 QueuedCommands=5000', 'EINVAL'),
  q('add_target: bad parameter (scst_local)', LM, 'add_target lt2 foo=1', 'EINVAL'),
  q('add_target: session_name without value (scst_local)', LM, 'add_target lt2 session_name', 'EINVAL'),
  q('del_target: unknown (iscsi)', IM, 'del_target nosuch', 'ENOENT'),
  q('del_target: unknown (scst_local)', LM, 'del_target nosuch', 'ENOENT'),
  q('del_target: iscsi target with sessions', IM, 'del_target t2', 'EBUSY', (m) => m.engine.findTargetsByName('t2')[0]!.addSession('iqn.ini:z')),
  q('add_attribute: unknown attribute', IM, 'add_attribute allowed_portal 1.2.3.4', 'EINVAL'),
  q('add_attribute: secret shorter than 12', IM, 'add_attribute IncomingUser bob short', 'EINVAL'),
  q('add_attribute: missing secret', IM, 'add_attribute IncomingUser bob', 'EINVAL'),
  q('add_attribute: duplicate user', IM, 'add_attribute IncomingUser joe anothersecret1', 'EINVAL'),
  q('add_target_attribute: duplicate portal', IM, 'add_target_attribute t1 allowed_portal 10.0.0.*', 'EINVAL'),
  q('add_target_attribute: unknown target', IM, 'add_target_attribute nosuch IncomingUser bob secretsecret12', 'ENOENT'),
  q('del_attribute: account not found', IM, 'del_attribute IncomingUser nobody', 'ENOENT'),
  q('del_target_attribute: account not found', IM, 'del_target_attribute t1 OutgoingUser nobody', 'ENOENT'),
  q('del_target_attribute: portal not found', IM, 'del_target_attribute t1 allowed_portal 9.9.9.9', 'EINVAL'),
  s('iscsi parameter: bad value', `${T1}/InitialR2T`, 'yes', 'EINVAL'),
  s('iscsi parameter: out of range', `${T1}/MaxBurstLength`, '100', 'EINVAL'),
  s('iscsi parameter: extra token', `${T1}/QueuedCommands`, '16 17', 'EINVAL'),
  s('iscsi parameter: bad digest', `${T1}/HeaderDigest`, 'MD5', 'EINVAL'),
  q('scst_local add_session: unknown target', LM, 'add_session nosuch s2', 'EINVAL'),
  q('scst_local add_session: missing names', LM, 'add_session lt1', 'EINVAL'),
  q('scst_local del_session: unknown session', LM, 'del_session lt1 nosuch', 'EINVAL'),
  s('target enabled: first byte not 0/1', `${T2}/enabled`, '2', 'EINVAL'),
  q('target enabled: rel_tgt_id used by an enabled target', `${T2}/enabled`, '1', 'EBADSLT', (m) => m.tree.write(`${T2}/rel_tgt_id`, '5')),
  s('rel_tgt_id: not a number', `${T1}/rel_tgt_id`, 'abc', 'EINVAL'),
  s('rel_tgt_id: overflowing number is mapped to EINVAL', `${T1}/rel_tgt_id`, '99999999999999999999', 'EINVAL'),
  q('rel_tgt_id: duplicate among enabled targets', `${T2}/rel_tgt_id`, '5', 'EBADSLT', async (m) => {
    await m.tree.write(`${T2}/rel_tgt_id`, '6');
    await m.tree.write(`${T2}/enabled`, '1');
  }),
  // The kernel checks uniqueness (16-bit truncated) before the range: 0 on an
  // enabled target collides with copy_manager_tgt's 0 (scst_sysfs.c; §11 says EINVAL).
  q('rel_tgt_id: 0 while enabled collides with copy_manager_tgt', `${T1}/rel_tgt_id`, '0', 'EBADSLT'),
  q('rel_tgt_id: 0 on an always-enabled scst_local target', 'targets/scst_local/lt1/rel_tgt_id', '0', 'EINVAL'),
  q('rel_tgt_id: above 65535 while enabled', `${T1}/rel_tgt_id`, '70000', 'EINVAL'),
  q('rel_tgt_id: above 65535 while disabled', `${T2}/rel_tgt_id`, '65536', 'EINVAL'),
  s('addr_method: no keyword match', `${T1}/addr_method`, 'BOGUS', 'EINVAL'),
  s('io_grouping_type: no keyword, number <= 0', `${T1}/io_grouping_type`, '0', 'EINVAL'),
  s('io_grouping_type: not a number', `${T1}/ini_groups/g1/io_grouping_type`, 'x', 'EINVAL'),
  s('threads_pool_type: no keyword match', 'devices/disk1/threads_pool_type', 'bogus', 'EINVAL'),
  s('black_hole: first byte invalid', `${T1}/black_hole`, '5', 'EINVAL'),
  s('forward_dst: first byte invalid', `${T1}/forward_dst`, 'x', 'EINVAL'),
  s('forwarding: first byte invalid', `${T1}/forwarding`, '2', 'EINVAL'),
  s('aen_disabled: first byte invalid', `${T1}/aen_disabled`, 'y', 'EINVAL'),
  s('forward_src: not 0/1', `${T1}/forward_src`, '2', 'EINVAL'),
  q('LUN mgmt: unknown command', `${T1}/luns/mgmt`, 'frob disk1 1', 'EINVAL'),
  q('LUN mgmt: empty command', `${T1}/luns/mgmt`, '\n', 'EINVAL'),
  q('LUN add: device not found (checked before the LUN)', `${T1}/luns/mgmt`, 'add nosuch abc', 'EINVAL'),
  q('LUN add: LUN missing', `${T1}/luns/mgmt`, 'add disk1', 'EINVAL'),
  q('LUN add: LUN not a number', `${T1}/luns/mgmt`, 'add disk1 x1', 'EINVAL'),
  q('LUN add: LUN overflows', `${T1}/luns/mgmt`, 'add disk1 99999999999999999999', 'ERANGE'),
  q('LUN add: LUN above 16383', `${T1}/luns/mgmt`, 'add disk1 16384', 'EINVAL'),
  q('LUN add: parameter other than read_only', `${T1}/luns/mgmt`, 'add disk1 1 bogus=1', 'EINVAL'),
  q('LUN add: malformed segment', `${T1}/luns/mgmt`, 'add disk1 1 read_only', 'EINVAL'),
  q('LUN add: LUN already used', `${T1}/luns/mgmt`, 'add nul1 0', 'EEXIST'),
  q('LUN add: read-only LUN on the copy manager', 'targets/copy_manager/copy_manager_tgt/luns/mgmt', 'add disk1 100 read_only=1', 'EINVAL'),
  q('LUN add: read-only device on the copy manager', 'targets/copy_manager/copy_manager_tgt/luns/mgmt', 'add cd1 100', 'EINVAL'),
  q('LUN replace: device not found', `${T1}/luns/mgmt`, 'replace nosuch 0', 'EINVAL'),
  q('LUN del: no such LUN', `${T1}/luns/mgmt`, 'del 7', 'EINVAL'),
  q('LUN del: extra lexeme', `${T1}/luns/mgmt`, 'del 0 1', 'EINVAL'),
  q('LUN clear: extra lexeme', `${T1}/luns/mgmt`, 'clear all', 'EINVAL'),
  q('ini_groups: unknown command', `${T1}/ini_groups/mgmt`, 'frob g3', 'EINVAL'),
  q('ini_groups: missing name', `${T1}/ini_groups/mgmt`, 'create', 'EINVAL'),
  q('ini_groups create: group exists', `${T1}/ini_groups/mgmt`, 'create g1', 'EEXIST'),
  q('ini_groups create: on copy_manager', 'targets/copy_manager/copy_manager_tgt/ini_groups/mgmt', 'create g1', 'EINVAL'),
  q('ini_groups del: not found', `${T1}/ini_groups/mgmt`, 'del nosuch', 'EINVAL'),
  q('ini_groups del: group has sessions', `${T1}/ini_groups/mgmt`, 'del g1', 'EBUSY', (m) => m.engine.findTargetsByName('t1')[0]!.addSession('iqn.ini:a')),
  q('initiators: unknown command', `${T1}/ini_groups/g1/initiators/mgmt`, 'frob x', 'EINVAL'),
  q('initiators add: missing name', `${T1}/ini_groups/g1/initiators/mgmt`, 'add', 'EINVAL'),
  q('initiators add: already in the group', `${T1}/ini_groups/g1/initiators/mgmt`, 'add iqn.ini:a', 'EEXIST'),
  q('initiators del: not in the group', `${T1}/ini_groups/g1/initiators/mgmt`, 'del iqn.ini:zz', 'EINVAL'),
  q('initiators move: not in the source group', `${T1}/ini_groups/g1/initiators/mgmt`, 'move iqn.ini:zz g2', 'EINVAL'),
  q('initiators move: destination missing', `${T1}/ini_groups/g1/initiators/mgmt`, 'move iqn.ini:a nosuch', 'EINVAL'),
  q('initiators move: missing destination name', `${T1}/ini_groups/g1/initiators/mgmt`, 'move iqn.ini:a', 'EINVAL'),
  q('initiators move: already in the destination', `${T1}/ini_groups/g1/initiators/mgmt`, 'move iqn.ini:a g2', 'EEXIST', (m) => m.tree.write(`${T1}/ini_groups/g2/initiators/mgmt`, 'add iqn.ini:a')),
  s('device threads_num: negative', 'devices/disk1/threads_num', '-1', 'EINVAL'),
  s('device threads_num: pool disabled', 'devices/disk1/threads_num', '2', 'EPERM', (m) => (vdisk(m, 'disk1').threadsNum = -1)),
  s('device max_tgt_dev_commands: negative', 'devices/disk1/max_tgt_dev_commands', '-1', 'EINVAL'),
  s('device numa_node_id: below -1', 'devices/disk1/numa_node_id', '-2', 'EINVAL'),
  q('device pr_file_name: exported', 'devices/disk1/pr_file_name', '/tmp/pr', 'EBUSY'),
  q('device pr_state: exported', 'devices/disk1/pr_state', 'version 1\ngeneration 1\n', 'EBUSY'),
  q('device pr_file_name: cluster_mode on', 'devices/disk1/pr_file_name', '/tmp/pr', 'EPERM', (m) => m.tree.write('devices/disk1/cluster_mode', '1')),
  s('vdisk t10_dev_id: too long', 'devices/disk1/t10_dev_id', 'x'.repeat(26), 'EINVAL'),
  s('vdisk t10_dev_id: cluster_mode on', 'devices/disk1/t10_dev_id', 'abc', 'EPERM', (m) => m.tree.write('devices/disk1/cluster_mode', '1')),
  q('vdisk filename: device active', 'devices/disk1/filename', '/img2', 'EINVAL'),
  q('vdisk filename: empty', 'devices/disk1/filename', ' \n', 'EINVAL', (m) => m.tree.write('devices/disk1/active', '0')),
  q('vdisk filename: not absolute', 'devices/disk1/filename', 'img2', 'EINVAL', (m) => m.tree.write('devices/disk1/active', '0')),
  q('vcdrom filename: not absolute', 'devices/cd1/filename', 'cd.iso', 'EINVAL'),
  q('vcdrom filename: medium removal prevented', 'devices/cd1/filename', '/cd.iso', 'EBUSY', (m) => (vdisk(m, 'cd1').mediumRemovalPrevented = true)),
  q('vcdrom filename: file cannot be opened', 'devices/cd1/filename', '/missing.iso', 'ENOENT'),
  q('vdisk resync_size: device inactive', 'devices/disk1/resync_size', '1', 'EMEDIUMTYPE', (m) => m.tree.write('devices/disk1/active', '0')),
  s('vdisk size: not a number', 'devices/nul1/size', 'abc', 'EINVAL'),
  q('vdisk size: not a multiple of the block size', 'devices/nul1/size', '1000', 'EINVAL'),
  s('vdisk opt_trans_len: not a multiple of the block size', 'devices/disk1/opt_trans_len', '1000', 'EINVAL'),
  s('vdisk t10_vend_id: 9 characters', 'devices/disk1/t10_vend_id', 'ABCDEFGHI', 'EINVAL'),
  s('vdisk prod_id: 17 characters', 'devices/disk1/prod_id', 'x'.repeat(17), 'EINVAL'),
  s('vdisk prod_rev_lvl: 5 characters', 'devices/disk1/prod_rev_lvl', '12345', 'EINVAL'),
  s('vdisk vend_specific_id: 129 characters', 'devices/disk1/vend_specific_id', 'x'.repeat(129), 'EINVAL'),
  s('vdisk usn: too long', 'devices/disk1/usn', 'x'.repeat(21), 'EINVAL'),
  s('vdisk naa_id: bad first digit', 'devices/disk1/naa_id', '0x1000000000000000', 'EINVAL'),
  s('vdisk eui64_id: wrong length', 'devices/disk1/eui64_id', '0x1234', 'EINVAL'),
  s('vdisk active: not 0/1', 'devices/disk1/active', '2', 'EINVAL'),
  s('vdisk async: not 0/1', 'devices/disk1/async', '2', 'EINVAL'),
  s('vdisk cluster_mode: not 0/1', 'devices/disk1/cluster_mode', '2', 'EINVAL'),
  s('vdisk lb_per_pb_exp: not 0/1', 'devices/disk1/lb_per_pb_exp', '2', 'EINVAL'),
  s('vdisk read_zero: not 0/1', 'devices/nul1/read_zero', '2', 'EINVAL'),
  s('root threads: not positive', 'threads', '0', 'EINVAL'),
  s('root threads: not a number', 'threads', 'abc', 'EINVAL'),
  s('root cluster_name: 64 characters', 'cluster_name', 'c'.repeat(64), 'EINVAL'),
  s('root measure_latency: newline only', 'measure_latency', '\n', 'EINVAL'),
  s('root measure_latency: not a number', 'measure_latency', '.', 'EINVAL'),
  s('trace_level: unknown token', 'trace_level', 'add bogus', 'EINVAL'),
  s('trace_level: unknown action', 'handlers/vdisk_fileio/trace_level', 'frob', 'EINVAL'),
  s('block: invalid value', 'devices/disk1/block', '2', 'EINVAL'),
];

const withoutMgmtRes = (dump: string): string => dump.replace(/== \/sys\/kernel\/scst_tgt\/last_sysfs_mgmt_res file 0444 len=\d+\n[^\n]*\n/, '');

for (const row of ROWS) {
  test(`${row.errno}: ${row.what}`, async () => {
    const m = await baseMachine();
    await row.setup?.(m);
    // A known non-zero value shows whether the failing command touched it.
    m.engine.lastMgmtRes = -99;
    const before = await dumpTree(m.tree);
    const got = await errnoOf(row.op === 'read' ? m.tree.read(row.path) : m.tree.write(row.path, row.data));
    assert.equal(got, row.errno);
    assert.equal(withoutMgmtRes(await dumpTree(m.tree)), withoutMgmtRes(before), 'a failed write changes nothing');
    const expected = row.queued ? -ERRNO_NUMBER[row.errno]! : -99;
    assert.equal(await m.tree.read('last_sysfs_mgmt_res'), `${expected}\n`);
  });
}
