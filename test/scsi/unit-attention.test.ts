import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { NullBacking } from '../../src/engine/backing/index.js';
import { DiskLogicalUnit } from '../../src/engine/scsi/index.js';
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
    lu.notifyReportedLunsChanged(a);
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
