import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LiveAttribute } from '../../src/model/live.js';
import { MemoryTree, SysfsClient } from '../../src/sysfs/index.js';
import { localFixture } from './helpers.js';

const DUMP = localFixture('configured.txt');
const T1 = 'iqn.2024-01.com.example:t1';
const T0 = 'iqn.2024-01.com.example:t0';

const plain = (value: string, readOnly = false): LiveAttribute => ({ values: [value], key: false, readOnly, writeOnly: false });
const keyed = (values: string[], readOnly = false): LiveAttribute => ({ values, key: true, readOnly, writeOnly: false });
const directoryQuirk: LiveAttribute = { values: [''], key: false, readOnly: false, writeOnly: false, directory: true };

async function read() {
  const client = new SysfsClient(MemoryTree.fromDump(DUMP), { trackReadPaths: true });
  return { live: await client.readLive(), client };
}

describe('readLive on a configured system (hand-made dump)', () => {
  test('core: KEY attribute and version', async () => {
    const { live } = await read();
    assert.deepEqual(live.attributes.get('cluster_name'), keyed(['clu1']));
    assert.deepEqual(live.attributes.get('last_sysfs_mgmt_res'), plain('0', true));
    assert.equal(live.version, '3.11.0-pre');
  });

  test('handlers: device lists in directory order; device links read as empty directory attributes [quirk]', async () => {
    const { live } = await read();
    assert.deepEqual([...live.handlers.keys()], ['vdisk_blockio', 'vdisk_fileio']);
    const fileio = live.handlers.get('vdisk_fileio')!;
    assert.deepEqual(fileio.devices, ['disk2', 'disk1']);
    assert.deepEqual(fileio.attributes.get('disk1'), directoryQuirk);
    assert.deepEqual(fileio.attributes.get('disk2'), directoryQuirk);
    assert.deepEqual([...fileio.attributes.keys()], ['type', 'type_string', 'disk2', 'trace_level', 'disk1']);
    assert.deepEqual(live.handlers.get('vdisk_blockio')!.devices, ['blk1']);
  });

  test('devices: KEY/static rules, SCST.pm exceptions, links, write-only, exports without copy_manager', async () => {
    const { live } = await read();
    assert.deepEqual([...live.devices.keys()], ['disk1', 'blk1', 'disk2']);
    const disk1 = live.devices.get('disk1')!;
    assert.equal(disk1.handler, 'vdisk_fileio');
    const a = disk1.attributes;
    assert.deepEqual(a.get('filename'), keyed(['/img/disk1']));
    assert.deepEqual(a.get('size'), keyed(['1048576'], true));
    assert.deepEqual(a.get('nv_cache'), keyed(['1'], true));
    assert.deepEqual(a.get('read_only'), plain('0', true));
    assert.deepEqual(a.get('threads_num'), plain('8'), 'threads_num is never static for SCST.pm, whatever its mode');
    assert.deepEqual(a.get('resync_size'), { values: [], key: false, readOnly: false, writeOnly: true });
    assert.deepEqual(a.get('handler'), plain('vdisk_fileio', true));
    assert.deepEqual(a.get('type'), plain('0', true));
    assert.deepEqual(a.get('type_string'), plain('Direct-access device (e.g., magnetic disk)', true));
    assert.equal(a.has('exported'), false);
    assert.deepEqual(disk1.exports, [
      { driver: 'iscsi', target: T1, lun: '0' },
      { driver: 'iscsi', target: T1, group: 'g1', lun: '0' },
    ]);
    assert.deepEqual(live.devices.get('blk1')!.attributes.get('size'), keyed(['2097152']));
    assert.deepEqual(live.devices.get('blk1')!.exports, []);
    assert.deepEqual(live.devices.get('disk2')!.attributes.get('t10_dev_id'), keyed(['disk-two']));
    assert.deepEqual(live.devices.get('disk2')!.exports, [{ driver: 'scst_local', target: 'local', lun: '0' }]);
  });

  test('drivers and targets: sorting, folding of numbered KEY attributes, target exceptions', async () => {
    const { live } = await read();
    assert.deepEqual([...live.drivers.keys()], ['copy_manager', 'iscsi', 'qla2x00t', 'scst_local']);
    const iscsi = live.drivers.get('iscsi')!;
    assert.deepEqual(iscsi.attributes.get('IncomingUser'), keyed(['joe pw1', 'jim pw2']), 'IncomingUser1 folds into index 1');
    assert.equal(iscsi.attributes.has('IncomingUser1'), false);
    assert.deepEqual(iscsi.attributes.get('enabled'), plain('1'));
    assert.deepEqual([...iscsi.targets.keys()], [T0, T1]);
    const t1 = iscsi.targets.get(T1)!;
    assert.equal(t1.hardware, false);
    assert.deepEqual(t1.attributes.get('rel_tgt_id'), keyed(['1']));
    assert.deepEqual(t1.attributes.get('cpu_mask'), plain('f'), 'cpu_mask is never static on targets');
    assert.deepEqual(t1.attributes.get('allowed_portal'), keyed(['10.0.0.1', '10.0.0.2']));
    assert.deepEqual(t1.lunCreateParams, ['read_only']);
    assert.deepEqual([...t1.luns.keys()], ['0']);
    assert.equal(t1.luns.get('0')!.device, 'disk1');
    assert.deepEqual(t1.luns.get('0')!.attributes.get('device'), plain('disk1', true));
    assert.deepEqual(t1.luns.get('0')!.attributes.get('read_only'), plain('0', true));
  });

  test('initiator groups: sorted groups, directory-ordered initiators, group LUNs, cpu_mask exception', async () => {
    const { live } = await read();
    const t1 = live.drivers.get('iscsi')!.targets.get(T1)!;
    assert.deepEqual([...t1.groups.keys()], ['g1', 'g2']);
    const g1 = t1.groups.get('g1')!;
    assert.deepEqual(g1.initiators, ['iqn.ini:b', 'iqn.ini:a*']);
    assert.deepEqual(g1.attributes.get('addr_method'), keyed(['FLAT']));
    assert.deepEqual(g1.attributes.get('cpu_mask'), plain('f'));
    assert.equal(g1.luns.get('0')!.device, 'disk1');
    assert.deepEqual(g1.luns.get('0')!.attributes.get('read_only'), keyed(['1'], true));
    assert.deepEqual(g1.lunCreateParams, ['read_only']);
    assert.deepEqual(g1.initiatorCreateParams, []);
    assert.deepEqual(t1.groups.get('g2')!.initiators, []);
  });

  test('sessions: first lines, write-only force_close, group from the luns link', async () => {
    const { live } = await read();
    const session = live.drivers.get('iscsi')!.targets.get(T1)!.sessions.get('iqn.ini:a1')!;
    assert.equal(session.group, 'g1');
    assert.deepEqual([...session.attributes], [['initiator_name', 'iqn.ini:a1'], ['force_close', '']]);
    assert.deepEqual(session.writeOnly, ['force_close']);
  });

  test('scst_local: sessions become KEY attribute session_name in directory order', async () => {
    const { live } = await read();
    const local = live.drivers.get('scst_local')!.targets.get('local')!;
    assert.deepEqual(local.attributes.get('session_name'), keyed(['s2', 's1']));
    assert.deepEqual([...local.sessions.keys()], ['s2', 's1']);
    assert.equal(local.sessions.get('s1')!.group, undefined);
    assert.equal(local.hardware, false);
  });

  test('hardware targets: hw_target=1 under a virtual-capable driver, host link basename', async () => {
    const { live } = await read();
    const qla = live.drivers.get('qla2x00t')!;
    assert.equal(qla.virtualCapable, true);
    assert.deepEqual(qla.targetCreateParams, ['node_name', 'parent_host']);
    const target = qla.targets.get('21:00:00:24:ff:00:00:01')!;
    assert.equal(target.hardware, true);
    assert.deepEqual(target.attributes.get('host'), plain('host3', true));
    assert.deepEqual(target.attributes.get('enabled'), plain('0'));
    const cm = live.drivers.get('copy_manager')!.targets.get('copy_manager_tgt')!;
    assert.deepEqual([...cm.luns].map(([lun, l]) => [lun, l.device]), [['0', 'disk1'], ['1', 'blk1']]);
  });

  test('ALUA: device groups, directory-ordered members, sorted tg targets, local vs remote', async () => {
    const { live } = await read();
    assert.deepEqual([...live.alua.attributes], [['dg1', directoryQuirk]]);
    const dg1 = live.deviceGroups.get('dg1')!;
    assert.deepEqual(dg1.devices, ['disk2', 'disk1']);
    assert.equal(dg1.attributes.size, 0);
    assert.deepEqual([...dg1.targetGroups.keys()], ['tg1', 'tg0']);
    const tg1 = dg1.targetGroups.get('tg1')!;
    assert.deepEqual(tg1.attributes.get('group_id'), keyed(['1']));
    assert.deepEqual(tg1.attributes.get('preferred'), plain('0'));
    assert.deepEqual(tg1.attributes.get('state'), keyed(['active']));
    assert.equal(tg1.attributes.has('mgmt'), false);
    assert.deepEqual([...tg1.targets.keys()], [T1, 'remote-tgt']);
    assert.deepEqual(tg1.targets.get(T1), { attributes: new Map(), local: true });
    assert.deepEqual(tg1.targets.get('remote-tgt'), { attributes: new Map([['rel_tgt_id', keyed(['7'])]]), local: false });
    assert.deepEqual(dg1.targetGroups.get('tg0')!.attributes.get('state'), keyed(['standby']));
  });

  test('each file read at most once; mgmt texts of handlers and drivers read once each', async () => {
    const { client } = await read();
    const reads = client.readsByPath!;
    assert.deepEqual([...reads].filter(([, n]) => n > 1), []);
    for (const mgmt of ['handlers/vdisk_fileio/mgmt', 'targets/iscsi/mgmt', 'targets/scst_local/mgmt', `targets/iscsi/${T1}/luns/mgmt`]) {
      assert.equal(reads.get(mgmt), 1, mgmt);
    }
    assert.equal(reads.has(`targets/iscsi/${T1}/sessions/iqn.ini:a1/latency/n512`), false, 'session sub-directories are skipped');
    assert.equal(client.counters.writes, 0);
  });

  test('readAttributeTable reads one object fresh with its kind rules', async () => {
    const { client } = await read();
    const table = await client.readAttributeTable('target', `targets/iscsi/${T1}`);
    assert.deepEqual(table.get('cpu_mask'), plain('f'));
    const local = await client.readAttributeTable('target', 'targets/scst_local/local');
    assert.deepEqual(local.get('session_name'), keyed(['s2', 's1']));
    const device = await client.readAttributeTable('device', 'devices/disk1');
    assert.deepEqual(device.get('threads_num'), plain('8'));
  });
});
