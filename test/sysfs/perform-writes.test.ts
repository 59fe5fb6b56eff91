import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Operation } from '../../src/model/operations.js';
import { MemoryTree, SysfsClient, type WriteEvent } from '../../src/sysfs/index.js';
import { localFixture } from './helpers.js';

const DUMP = localFixture('configured.txt');
const T1 = 'iqn.2024-01.com.example:t1';
const TT1 = `targets/iscsi/${T1}`;
const QLA = 'targets/qla2x00t/21:00:00:24:ff:00:00:01';
const TG1 = 'device_groups/dg1/target_groups/tg1';
const iscsiT1 = { driver: 'iscsi', target: T1 };

/** The configured tree, plus a few files the stock dump lacks (ALUA attributes, an FC host). */
function configuredTree(): MemoryTree {
  const tree = MemoryTree.fromDump(DUMP);
  tree.file('device_groups/dummy_attr', '0\n');
  tree.file('device_groups/dg1/dummy_attr', '0\n');
  tree.remove(`${QLA}/host`);
  tree.dir('fc').dir('fc/host3').dir('fc/host3/device').dir('fc/host3/device/fc_host:host3');
  tree.file('fc/host3/device/fc_host:host3/issue_lip', '', 0o200);
  tree.link(`${QLA}/host`, '../../../fc/host3');
  // A force_close write makes the session go away, as the kernel does asynchronously.
  tree.writeHandler = (path, _data, t) => {
    if (path.endsWith('/force_close')) t.remove(path.slice(0, -'/force_close'.length));
  };
  return tree;
}

async function writesOf(op: Operation): Promise<Array<[string, string]>> {
  const tree = configuredTree();
  await new SysfsClient(tree, { pollIntervalMs: 1 }).perform(op);
  return tree.writes.map(({ path, data }) => [path, data]);
}

const CASES: Array<[string, Operation, Array<[string, string]>]> = [
  ['setScstAttribute (newline)', { op: 'setScstAttribute', name: 'threads', value: '8' }, [['threads', '8\n']]],
  ['setHandlerAttribute (newline)', { op: 'setHandlerAttribute', handler: 'vdisk_fileio', name: 'trace_level', value: 'add scsi' },
    [['handlers/vdisk_fileio/trace_level', 'add scsi\n']]],
  ['openDevice: params in order, cluster_mode moved last', {
    op: 'openDevice', handler: 'vdisk_fileio', device: 'disk3',
    params: [['cluster_mode', '1'], ['filename', '/img/disk3'], ['t10_dev_id', 'abc']],
  }, [['handlers/vdisk_fileio/mgmt', 'add_device disk3 filename=/img/disk3;t10_dev_id=abc;cluster_mode=1;']]],
  ['openDevice without params: trailing blank', { op: 'openDevice', handler: 'vdisk_blockio', device: 'blk2', params: [] },
    [['handlers/vdisk_blockio/mgmt', 'add_device blk2 ']]],
  ['closeDevice', { op: 'closeDevice', handler: 'vdisk_fileio', device: 'disk2' }, [['handlers/vdisk_fileio/mgmt', 'del_device disk2']]],
  ['setDeviceAttribute (no newline)', { op: 'setDeviceAttribute', device: 'disk1', name: 'threads_pool_type', value: 'shared' },
    [['devices/disk1/threads_pool_type', 'shared']]],
  ['resyncDevice', { op: 'resyncDevice', device: 'disk1' }, [['devices/disk1/resync_size', '1']]],
  ['setDriverAttribute (newline)', { op: 'setDriverAttribute', driver: 'iscsi', name: 'enabled', value: '0' }, [['targets/iscsi/enabled', '0\n']]],
  ['addDriverDynamicAttribute', { op: 'addDriverDynamicAttribute', driver: 'iscsi', name: 'IncomingUser', value: 'bob secret' },
    [['targets/iscsi/mgmt', 'add_attribute IncomingUser bob secret']]],
  ['removeDriverDynamicAttribute', { op: 'removeDriverDynamicAttribute', driver: 'iscsi', name: 'IncomingUser', value: 'joe pw1' },
    [['targets/iscsi/mgmt', 'del_attribute IncomingUser joe pw1']]],
  ['addTarget without params: trailing blank', { op: 'addTarget', driver: 'iscsi', target: 'iqn.x:t9', params: [] },
    [['targets/iscsi/mgmt', 'add_target iqn.x:t9 ']]],
  ['addTarget with repeated params', { op: 'addTarget', driver: 'scst_local', target: 'l2', params: [['session_name', 'a'], ['session_name', 'b']] },
    [['targets/scst_local/mgmt', 'add_target l2 session_name=a;session_name=b;']]],
  ['removeTarget: disable, force_close sessions, del_target', { op: 'removeTarget', ...iscsiT1 }, [
    [`${TT1}/enabled`, '0'],
    [`${TT1}/sessions/iqn.ini:a1/force_close`, '1'],
    ['targets/iscsi/mgmt', `del_target ${T1}`],
  ]],
  ['setTargetAttribute (no newline)', { op: 'setTargetAttribute', ...iscsiT1, name: 'rel_tgt_id', value: '2' }, [[`${TT1}/rel_tgt_id`, '2']]],
  ['addTargetDynamicAttribute', { op: 'addTargetDynamicAttribute', ...iscsiT1, name: 'allowed_portal', value: '10.0.0.3' },
    [['targets/iscsi/mgmt', `add_target_attribute ${T1} allowed_portal 10.0.0.3`]]],
  ['removeTargetDynamicAttribute', { op: 'removeTargetDynamicAttribute', ...iscsiT1, name: 'allowed_portal', value: '10.0.0.1' },
    [['targets/iscsi/mgmt', `del_target_attribute ${T1} allowed_portal 10.0.0.1`]]],
  ['closeSession', { op: 'closeSession', driver: 'scst_local', target: 'local', session: 's1' },
    [['targets/scst_local/local/sessions/s1/force_close', '1']]],
  ['issueLip through host/device/fc_host:<host>', { op: 'issueLip', driver: 'qla2x00t', target: '21:00:00:24:ff:00:00:01' },
    [[`${QLA}/host/device/fc_host:host3/issue_lip`, '1']]],
  ['addGroup', { op: 'addGroup', ...iscsiT1, group: 'g3' }, [[`${TT1}/ini_groups/mgmt`, 'create g3']]],
  ['removeGroup', { op: 'removeGroup', ...iscsiT1, group: 'g2' }, [[`${TT1}/ini_groups/mgmt`, 'del g2']]],
  ['setGroupAttribute (newline)', { op: 'setGroupAttribute', ...iscsiT1, group: 'g1', name: 'addr_method', value: 'LUN' },
    [[`${TT1}/ini_groups/g1/addr_method`, 'LUN\n']]],
  ['addInitiator', { op: 'addInitiator', ...iscsiT1, group: 'g2', initiator: 'iqn.x:host' }, [[`${TT1}/ini_groups/g2/initiators/mgmt`, 'add iqn.x:host']]],
  ['removeInitiator', { op: 'removeInitiator', ...iscsiT1, group: 'g1', initiator: 'iqn.ini:b' }, [[`${TT1}/ini_groups/g1/initiators/mgmt`, 'del iqn.ini:b']]],
  ['moveInitiator', { op: 'moveInitiator', ...iscsiT1, group: 'g1', initiator: 'iqn.ini:b', to: 'g2' },
    [[`${TT1}/ini_groups/g1/initiators/mgmt`, 'move iqn.ini:b g2']]],
  ['clearInitiators', { op: 'clearInitiators', ...iscsiT1, group: 'g1' }, [[`${TT1}/ini_groups/g1/initiators/mgmt`, 'clear']]],
  ['addLun without params: trailing blank', { op: 'addLun', ...iscsiT1, lun: '1', device: 'disk2', params: [] }, [[`${TT1}/luns/mgmt`, 'add disk2 1 ']]],
  ['addLun to a group with params', { op: 'addLun', ...iscsiT1, group: 'g1', lun: '1', device: 'disk2', params: [['read_only', '1']] },
    [[`${TT1}/ini_groups/g1/luns/mgmt`, 'add disk2 1 read_only=1;']]],
  ['replaceLun', { op: 'replaceLun', ...iscsiT1, lun: '0', device: 'disk2', params: [] }, [[`${TT1}/luns/mgmt`, 'replace disk2 0 ']]],
  ['removeLun', { op: 'removeLun', ...iscsiT1, lun: '0' }, [[`${TT1}/luns/mgmt`, 'del 0']]],
  ['clearLuns of a group', { op: 'clearLuns', ...iscsiT1, group: 'g1' }, [[`${TT1}/ini_groups/g1/luns/mgmt`, 'clear']]],
  ['setAluaAttribute (newline)', { op: 'setAluaAttribute', name: 'dummy_attr', value: '1' }, [['device_groups/dummy_attr', '1\n']]],
  ['addDeviceGroup', { op: 'addDeviceGroup', deviceGroup: 'dg2' }, [['device_groups/mgmt', 'create dg2']]],
  ['removeDeviceGroup', { op: 'removeDeviceGroup', deviceGroup: 'dg1' }, [['device_groups/mgmt', 'del dg1']]],
  ['setDeviceGroupAttribute (newline)', { op: 'setDeviceGroupAttribute', deviceGroup: 'dg1', name: 'dummy_attr', value: '1' },
    [['device_groups/dg1/dummy_attr', '1\n']]],
  ['addDeviceGroupDevice', { op: 'addDeviceGroupDevice', deviceGroup: 'dg1', device: 'blk1' }, [['device_groups/dg1/devices/mgmt', 'add blk1']]],
  ['removeDeviceGroupDevice', { op: 'removeDeviceGroupDevice', deviceGroup: 'dg1', device: 'disk1' }, [['device_groups/dg1/devices/mgmt', 'del disk1']]],
  ['addTargetGroup', { op: 'addTargetGroup', deviceGroup: 'dg1', targetGroup: 'tg2' }, [['device_groups/dg1/target_groups/mgmt', 'add tg2']]],
  ['removeTargetGroup', { op: 'removeTargetGroup', deviceGroup: 'dg1', targetGroup: 'tg0' }, [['device_groups/dg1/target_groups/mgmt', 'del tg0']]],
  ['setTargetGroupAttribute (newline)', { op: 'setTargetGroupAttribute', deviceGroup: 'dg1', targetGroup: 'tg1', name: 'state', value: 'standby' },
    [[`${TG1}/state`, 'standby\n']]],
  ['addTargetGroupTarget', { op: 'addTargetGroupTarget', deviceGroup: 'dg1', targetGroup: 'tg1', target: 'iqn.x:t9' }, [[`${TG1}/mgmt`, 'add iqn.x:t9']]],
  ['removeTargetGroupTarget', { op: 'removeTargetGroupTarget', deviceGroup: 'dg1', targetGroup: 'tg1', target: 'remote-tgt' }, [[`${TG1}/mgmt`, 'del remote-tgt']]],
  ['setTargetGroupTargetAttribute of a remote member', {
    op: 'setTargetGroupTargetAttribute', deviceGroup: 'dg1', targetGroup: 'tg1', target: 'remote-tgt', name: 'rel_tgt_id', value: '8',
  }, [[`${TG1}/remote-tgt/rel_tgt_id`, '8\n']]],
  ['setTargetGroupTargetAttribute of a local member goes through the link', {
    op: 'setTargetGroupTargetAttribute', deviceGroup: 'dg1', targetGroup: 'tg1', target: T1, name: 'rel_tgt_id', value: '3',
  }, [[`${TG1}/${T1}/rel_tgt_id`, '3\n']]],
];

describe('perform() writes exactly what SCST.pm writes', () => {
  for (const [name, op, expected] of CASES) {
    test(name, async () => assert.deepEqual(await writesOf(op), expected));
  }

  test('every Operation variant that can succeed is covered above', () => {
    const covered = new Set(CASES.map(([, op]) => op.op));
    // setInitiatorAttribute and setLunAttribute always fail on SCST (see the failure tests).
    const all: Operation['op'][] = [
      'setScstAttribute', 'setHandlerAttribute', 'openDevice', 'closeDevice', 'setDeviceAttribute', 'resyncDevice',
      'setDriverAttribute', 'addDriverDynamicAttribute', 'removeDriverDynamicAttribute', 'addTarget', 'removeTarget',
      'setTargetAttribute', 'addTargetDynamicAttribute', 'removeTargetDynamicAttribute', 'closeSession', 'issueLip',
      'addGroup', 'removeGroup', 'setGroupAttribute', 'addInitiator', 'removeInitiator', 'moveInitiator', 'clearInitiators',
      'addLun', 'replaceLun', 'removeLun', 'clearLuns', 'setAluaAttribute', 'addDeviceGroup', 'removeDeviceGroup',
      'setDeviceGroupAttribute', 'addDeviceGroupDevice', 'removeDeviceGroupDevice', 'addTargetGroup', 'removeTargetGroup',
      'setTargetGroupAttribute', 'addTargetGroupTarget', 'removeTargetGroupTarget', 'setTargetGroupTargetAttribute',
    ];
    assert.deepEqual(all.filter((name) => !covered.has(name)), []);
  });

  test('removeTarget of scst_local: enabled is missing (ignored, `(ENOENT) ` on stderr), both sessions closed', async () => {
    const tree = configuredTree();
    const stderr: string[] = [];
    await new SysfsClient(tree, { pollIntervalMs: 1, stderr: (text) => stderr.push(text) }).perform({ op: 'removeTarget', driver: 'scst_local', target: 'local' });
    assert.deepEqual(tree.writes.map(({ path, data }) => [path, data]), [
      ['targets/scst_local/local/sessions/s2/force_close', '1'],
      ['targets/scst_local/local/sessions/s1/force_close', '1'],
      ['targets/scst_local/mgmt', 'del_target local'],
    ]);
    assert.deepEqual(stderr, ['(ENOENT) ']);
  });

  test('dry run (-debug): nothing written, SCST.pm debug texts reported', async () => {
    const tree = configuredTree();
    const events: WriteEvent[] = [];
    const client = new SysfsClient(tree, { dryRun: true, onWrite: (event) => events.push(event) });
    await client.perform({ op: 'setScstAttribute', name: 'threads', value: '8' });
    await client.perform({ op: 'openDevice', handler: 'vdisk_fileio', device: 'd9', params: [['filename', '/x']] });
    await client.perform({ op: 'setTargetAttribute', ...iscsiT1, name: 'rel_tgt_id', value: '5' });
    await client.perform({ op: 'setDeviceAttribute', device: 'disk1', name: 'threads_num', value: '2' });
    await client.perform({ op: 'addGroup', ...iscsiT1, group: 'g3' });
    await client.perform({ op: 'setAluaAttribute', name: 'dummy_attr', value: '1' });
    await client.perform({ op: 'closeSession', driver: 'scst_local', target: 'local', session: 's1' });
    assert.deepEqual(tree.writes, []);
    assert.deepEqual(events.map((e) => e.debugText), [
      '/sys/kernel/scst_tgt/threads -> threads = 8',
      'add_device d9 filename=/x;',
      `5 > /sys/kernel/scst_tgt/${TT1}/rel_tgt_id`,
      '2 > /sys/kernel/scst_tgt/devices/disk1/threads_num',
      `/sys/kernel/scst_tgt/${TT1}/ini_groups/mgmt -> create g3`,
      '1 > /sys/kernel/scst_tgt/device_groups/dummy_attr',
      '1',
    ]);
    assert.deepEqual(events[1], { path: 'handlers/vdisk_fileio/mgmt', data: 'add_device d9 filename=/x;', debugText: 'add_device d9 filename=/x;' });
  });

  test('counters count reads and writes', async () => {
    const tree = configuredTree();
    const client = new SysfsClient(tree);
    await client.perform({ op: 'addGroup', ...iscsiT1, group: 'g3' });
    assert.equal(client.counters.writes, 1);
    assert.equal(client.counters.reads, 0);
  });
});
