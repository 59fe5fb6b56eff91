import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryTree, SysfsClient } from '../../src/sysfs/index.js';
import { sharedFixture } from './helpers.js';

const S0 = sharedFixture('real-kernel', 'S0.txt');

async function readS0() {
  const client = new SysfsClient(MemoryTree.fromDump(S0), { trackReadPaths: true });
  return { live: await client.readLive(), client };
}

describe('readLive on the real kernel tree S0 (fresh module load)', () => {
  test('core attributes, version and trace_level set', async () => {
    const { live } = await readS0();
    assert.equal(live.version, '3.11.0-pre');
    assert.deepEqual(live.attributes.get('version'), { values: ['SCST version: 3.11.0-pre'], key: false, readOnly: true, writeOnly: false });
    assert.deepEqual(live.attributes.get('threads'), { values: ['4'], key: false, readOnly: false, writeOnly: false });
    assert.deepEqual(live.attributes.get('cluster_name'), { values: [''], key: false, readOnly: false, writeOnly: false });
    const trace = live.attributes.get('trace_level')!;
    assert.deepEqual(trace.values, ['out_of_mem | pid | special | mgmt']);
    assert.deepEqual(trace.allowedValues, ['function', 'line', 'pid', 'out_of_mem', 'special', 'scsi', 'mgmt', 'minor', 'scsi_serializing', 'retry', 'pr']);
    // Directories (handlers, devices, targets, sgv, device_groups) are not core attributes.
    for (const dir of ['handlers', 'devices', 'targets', 'sgv', 'device_groups']) assert.equal(live.attributes.has(dir), false);
    assert.equal([...live.attributes.values()].some((a) => a.key), false, 'no core attribute is KEY after load');
  });

  test('handlers: sorted, virtual, creation parameters from the real mgmt texts, type split', async () => {
    const { live } = await readS0();
    assert.deepEqual([...live.handlers.keys()], ['vcdrom', 'vdisk_blockio', 'vdisk_fileio', 'vdisk_nullio']);
    const nullio = live.handlers.get('vdisk_nullio')!;
    assert.equal(nullio.virtual, true);
    assert.deepEqual(nullio.devices, []);
    assert.deepEqual(nullio.deviceCreateParams, [
      'blocksize', 'cluster_mode', 'dif_mode', 'dif_static_app_tag', 'dif_type', 'dummy', 'numa_node_id',
      'read_only', 'removable', 'rotational', 'size', 'size_mb', 'tst', 't10_dev_id',
    ]);
    assert.deepEqual(live.handlers.get('vcdrom')!.deviceCreateParams, ['tst']);
    assert.equal(live.handlers.get('vdisk_fileio')!.deviceCreateParams.length, 20);
    assert.deepEqual(live.handlers.get('vcdrom')!.attributes.get('type'), { values: ['5'], key: false, readOnly: true, writeOnly: false });
    assert.deepEqual(live.handlers.get('vcdrom')!.attributes.get('type_string'), { values: ['CD-ROM device'], key: false, readOnly: true, writeOnly: false });
    assert.equal(nullio.attributes.has('mgmt'), false);
    assert.deepEqual(nullio.attributes.get('trace_level')!.allowedValues!.slice(-1), ['order']);
    assert.equal(live.devices.size, 0);
  });

  test('drivers: copy_manager is hardware, iscsi and scst_local are virtual-capable', async () => {
    const { live } = await readS0();
    assert.deepEqual([...live.drivers.keys()], ['copy_manager', 'iscsi', 'scst_local']);
    const cm = live.drivers.get('copy_manager')!;
    assert.equal(cm.virtualCapable, false);
    assert.deepEqual([...cm.targets.keys()], ['copy_manager_tgt']);
    const cmTarget = cm.targets.get('copy_manager_tgt')!;
    assert.equal(cmTarget.hardware, true);
    assert.deepEqual(cmTarget.lunCreateParams, ['read_only']);
    assert.equal(cmTarget.attributes.has('enabled'), false);
    assert.deepEqual(cmTarget.attributes.get('cpu_mask'), { values: ['f'], key: false, readOnly: false, writeOnly: false });
    assert.deepEqual(cmTarget.attributes.get('sg_tablesize'), { values: ['65535'], key: false, readOnly: true, writeOnly: false });
    const session = cmTarget.sessions.get('copy_manager_sess')!;
    assert.equal(session.attributes.get('initiator_name'), 'copy_manager_sess');
    assert.equal(session.attributes.get('dif_checks_failed'), '\tapp\tref\tguard', 'first line only');
    assert.equal(session.group, undefined, 'luns -> ../../luns is the default set');
    assert.equal(session.attributes.has('latency'), false);

    const iscsi = live.drivers.get('iscsi')!;
    assert.equal(iscsi.virtualCapable, true);
    assert.deepEqual(iscsi.targetCreateParams, []);
    assert.deepEqual(iscsi.driverDynamicAttributes, ['IncomingUser', 'OutgoingUser']);
    assert.deepEqual(iscsi.targetDynamicAttributes, ['IncomingUser', 'OutgoingUser', 'allowed_portal']);
    assert.deepEqual(iscsi.attributes.get('enabled'), { values: ['0'], key: false, readOnly: false, writeOnly: false });
    assert.deepEqual(iscsi.attributes.get('iSNSServer'), { values: [''], key: false, readOnly: false, writeOnly: false });
    assert.equal(iscsi.attributes.get('trace_level')!.allowedValues!.at(-1), 'net_page');

    const local = live.drivers.get('scst_local')!;
    assert.deepEqual(local.targetCreateParams, ['session_name']);
    assert.deepEqual(local.driverDynamicAttributes, []);
    assert.deepEqual(local.attributes.get('version')!.values, ['3.11.0-pre/20110901']);
  });

  test('ALUA: no device groups, no ALUA attributes', async () => {
    const { live } = await readS0();
    assert.equal(live.deviceGroups.size, 0);
    assert.equal(live.alua.attributes.size, 0);
  });

  test('every file is read at most once', async () => {
    const { client } = await readS0();
    const twice = [...client.readsByPath!].filter(([, count]) => count > 1);
    assert.deepEqual(twice, []);
    assert.equal(client.counters.writes, 0);
    // sgv statistics are not part of the configuration.
    assert.equal([...client.readsByPath!.keys()].some((path) => path.startsWith('sgv/')), false);
  });
});
