import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { NullBacking } from '../../src/engine/backing/index.js';
import { DataPath } from '../../src/engine/data-path.js';
import { DiskLogicalUnit, nexusKey, type LogicalUnit, type Nexus } from '../../src/engine/scsi/index.js';
import { newMachine } from '../engine/helpers.js';
import { assertCheck, assertGood, clearPowerOn, executor, IDENTITY, nexus, tempFileDisk } from './helpers.js';

const TUR = [0, 0, 0, 0, 0, 0];

describe('unit attentions', () => {
  test('power-on is reported once per nexus; INQUIRY passes and keeps it; REQUEST SENSE returns and clears it', async () => {
    const lu = new DiskLogicalUnit({ backing: new NullBacking({ sizeBytes: 1 << 20 }), identity: IDENTITY });
    const a = nexus('iqn.a'), b = nexus('iqn.b'), c = nexus('iqn.a', 2);
    const exec = executor(lu);
    assertGood(await exec([0x12, 0, 0, 0, 36, 0], { nexus: a }));
    assertCheck(await exec(TUR, { nexus: a }), 0x6, 0x29, 0x00);
    assertGood(await exec(TUR, { nexus: a }));
    const sense = assertGood(await exec([0x03, 0, 0, 0, 18, 0], { nexus: b }));
    assert.deepEqual([sense[2], sense[12], sense[13]], [0x06, 0x29, 0x00]);
    assertGood(await exec(TUR, { nexus: b }));
    // Another target port is another nexus.
    assertCheck(await exec(TUR, { nexus: c }), 0x6, 0x29, 0x00);
    // After the nexus is lost, a new login starts with power-on again.
    lu.nexusLost(a);
    assertCheck(await exec(TUR, { nexus: a }), 0x6, 0x29, 0x00);
  });

  test('resync after the file grew raises CAPACITY DATA HAS CHANGED for every nexus, once', async () => {
    const disk = await tempFileDisk(8);
    const other = nexus('iqn.other');
    try {
      await clearPowerOn(disk.exec, other);
      assert.equal(await disk.lu.resync(), 8 * 512);
      assertGood(await disk.exec(TUR));
      await writeFile(disk.path, Buffer.alloc(16 * 512));
      assert.equal(await disk.lu.resync(), 16 * 512);
      assertCheck(await disk.exec(TUR), 0x6, 0x2a, 0x09);
      assertCheck(await disk.exec(TUR, { nexus: other }), 0x6, 0x2a, 0x09);
      assertGood(await disk.exec(TUR));
      const rc = assertGood(await disk.exec([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
      assert.equal(rc.readUInt32BE(0), 15);
    } finally {
      await disk.cleanup();
    }
  });

  test('nullio resize + resync, LUN changes and resets', async () => {
    const backing = new NullBacking({ sizeBytes: 1 << 20 });
    const lu = new DiskLogicalUnit({ backing, identity: IDENTITY });
    const a = nexus('iqn.a'), b = nexus('iqn.b');
    const exec = executor(lu);
    await clearPowerOn(exec, a);
    await clearPowerOn(exec, b);
    backing.resize(2 << 20);
    await lu.resync();
    lu.notifyReportedLunsChanged((n) => nexusKey(n) === nexusKey(a));
    assertCheck(await exec(TUR, { nexus: a }), 0x6, 0x2a, 0x09);
    assertCheck(await exec(TUR, { nexus: a }), 0x6, 0x3f, 0x0e);
    assertGood(await exec(TUR, { nexus: a }));
    // A LUN reset from b replaces every pending condition, b's own included (scst_process_reset).
    lu.reset('lun', b);
    assertCheck(await exec(TUR, { nexus: a }), 0x6, 0x29, 0x00);
    assertCheck(await exec(TUR, { nexus: b }), 0x6, 0x29, 0x00);
    assertGood(await exec(TUR, { nexus: b }));
    lu.reset('target', a);
    assertCheck(await exec(TUR, { nexus: b }), 0x6, 0x29, 0x03);
    assertCheck(await exec(TUR, { nexus: a }), 0x6, 0x29, 0x03);
    assertGood(await exec(TUR, { nexus: a }));
  });
});

describe('REPORTED LUNS DATA HAS CHANGED reaches only the sessions of the changed LUN set', () => {
  /** The nexus an iSCSI session of `initiator` on `target` has (its target port name, as the driver builds it). */
  const onTarget = (initiator: string, target: string): Nexus => ({
    initiatorName: initiator,
    targetPortName: `${target},t,0x0001`,
    relativeTargetPortId: 1,
  });

  test('a LUN added to one target: its sessions are told, those of another target and of an initiator group are not', async () => {
    const { engine, tree } = newMachine();
    const [t1, t2] = ['iqn.2026-11.test:t1', 'iqn.2026-11.test:t2'];
    await tree.write('handlers/vdisk_nullio/mgmt', 'add_device shared');
    await tree.write('handlers/vdisk_nullio/mgmt', 'add_device extra');
    for (const t of [t1, t2]) {
      await tree.write('targets/iscsi/mgmt', `add_target ${t}`);
      await tree.write(`targets/iscsi/${t}/luns/mgmt`, 'add shared 0');
    }
    await tree.write(`targets/iscsi/${t1}/ini_groups/mgmt`, 'create grp');
    await tree.write(`targets/iscsi/${t1}/ini_groups/grp/initiators/mgmt`, 'add iqn.2026-11.test:grouped');
    await tree.write(`targets/iscsi/${t1}/ini_groups/grp/luns/mgmt`, 'add shared 0');
    const dataPath = new DataPath(engine);
    const unitOn = (t: string, group?: string): LogicalUnit => {
      const target = engine.allTargets().find((x) => x.name === t)!;
      return dataPath.lunMap(group ? target.groups.get(group)!.luns : target.luns).lookup(0)!;
    };
    const a = onTarget('iqn.2026-11.test:a', t1);
    const b = onTarget('iqn.2026-11.test:b', t2);
    const g = onTarget('iqn.2026-11.test:grouped', t1);
    const viaT1 = executor(unitOn(t1), a);
    const viaT2 = executor(unitOn(t2), b);
    const viaGroup = executor(unitOn(t1, 'grp'), g);
    for (const [exec, n] of [[viaT1, a], [viaT2, b], [viaGroup, g]] as const) await clearPowerOn(exec, n);

    await tree.write(`targets/iscsi/${t1}/luns/mgmt`, 'add extra 1');
    assertCheck(await viaT1(TUR, { nexus: a }), 0x6, 0x3f, 0x0e);
    assertGood(await viaT1(TUR, { nexus: a }));
    assertGood(await viaT2(TUR, { nexus: b }));
    assertGood(await viaGroup(TUR, { nexus: g }));

    await tree.write(`targets/iscsi/${t1}/ini_groups/grp/luns/mgmt`, 'add extra 1');
    assertCheck(await viaGroup(TUR, { nexus: g }), 0x6, 0x3f, 0x0e);
    assertGood(await viaT1(TUR, { nexus: a }));
    assertGood(await viaT2(TUR, { nexus: b }));
  });
});
