import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCheck, assertGood, cdb10, clearPowerOn, nexus, nullDisk, tempFileDisk } from './helpers.js';

const TUR = [0, 0, 0, 0, 0, 0];
const startStop = (byte4: number) => [0x1b, 0, 0, 0, byte4, 0];
const preventAllow = (prevent: number) => [0x1e, 0, 0, 0, prevent, 0];

describe('START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL', () => {
  test('a fixed disk stays ready: STOP, START and LOEJ have no effect on media access', async () => {
    const disk = await tempFileDisk(8);
    try {
      for (const byte4 of [0x00, 0x01, 0x02, 0x03, 0x04]) {
        assertGood(await disk.exec(startStop(byte4)));
        assertGood(await disk.exec(TUR));
      }
      assertGood(await disk.exec(preventAllow(1)));
      assertGood(await disk.exec(startStop(0x02)));
      assertGood(await disk.exec(cdb10(0x28, 0, 1)));
      assertCheck(await disk.exec(preventAllow(2)), 0x5, 0x24);
    } finally {
      await disk.cleanup();
    }
  });

  test('a removable disk ejects and loads; PREVENT from one nexus blocks eject from any nexus', async () => {
    const { lu, exec } = await nullDisk(1 << 20, 512, { removable: true });
    const other = nexus('iqn.other');
    await clearPowerOn(exec, other);
    assertGood(await exec(startStop(0x02)));
    assertCheck(await exec(TUR), 0x2, 0x3a);
    assertCheck(await exec(cdb10(0x28, 0, 1)), 0x2, 0x3a);
    assertCheck(await exec([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0x2, 0x3a);
    const sense = assertGood(await exec([0x03, 0, 0, 0, 18, 0]));
    assert.deepEqual([sense[2], sense[12]], [0x02, 0x3a]);
    assertGood(await exec(startStop(0x03)));
    assertGood(await exec(TUR));
    assertCheck(await exec(TUR, { nexus: other }), 0x6, 0x28, 0x00);
    assertGood(await exec(preventAllow(1), { nexus: other }));
    assert.equal(lu.removalPrevented, true);
    assertCheck(await exec(startStop(0x02)), 0x5, 0x53, 0x02);
    assertGood(await exec(TUR));
    // Loading is refused too while prevented.
    assertGood(await exec(preventAllow(0), { nexus: other }));
    assertGood(await exec(startStop(0x02)));
    assertGood(await exec(preventAllow(1), { nexus: other }));
    assertCheck(await exec(startStop(0x03)), 0x5, 0x53, 0x02);
    assertCheck(await exec(TUR), 0x2, 0x3a);
    // Preventions end when the preventing nexus is gone.
    lu.nexusLost(other);
    assert.equal(lu.removalPrevented, false);
    assertGood(await exec(startStop(0x03)));
    assertGood(await exec(TUR)); // the loading nexus itself gets no unit attention
    assertGood(await exec(startStop(0x02)));
    assertCheck(await exec(TUR), 0x2, 0x3a);
    // SYNCHRONIZE CACHE with SYNC_NV and IMMED needs the medium too.
    assertCheck(await exec([0x35, 0x06, 0, 0, 0, 0, 0, 0, 1, 0]), 0x2, 0x3a);
  });
});
