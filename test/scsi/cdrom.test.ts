import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCdromBacking } from '../../src/engine/backing/index.js';
import { CdromLogicalUnit } from '../../src/engine/scsi/index.js';
import { assertCheck, assertGood, cdb10, clearPowerOn, executor, IDENTITY, nexus } from './helpers.js';

const TUR = [0, 0, 0, 0, 0, 0];

async function withIso(blocks: number, run: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'scsi-cdrom-'));
  const path = join(dir, 'disc.iso');
  const image = Buffer.alloc(blocks * 2048);
  for (let block = 0; block < blocks; block++) image.fill(block & 0xff, block * 2048, (block + 1) * 2048);
  await writeFile(path, image);
  try {
    await run(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('vcdrom', () => {
  test('INQUIRY type 5 removable, READ CAPACITY in 2048-byte blocks, READ(10/12)', async () => {
    await withIso(10, async (path) => {
      const lu = new CdromLogicalUnit({ backing: await openCdromBacking(path), identity: IDENTITY });
      const exec = executor(lu);
      try {
        const inquiry = assertGood(await exec([0x12, 0, 0, 0, 36, 0]));
        assert.deepEqual([inquiry[0], inquiry[1]], [0x05, 0x80]);
        await clearPowerOn(exec);
        const capacity = assertGood(await exec([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert.deepEqual([capacity.readUInt32BE(0), capacity.readUInt32BE(4)], [9, 2048]);
        const block3 = assertGood(await exec(cdb10(0x28, 3, 1)));
        assert.deepEqual(block3, Buffer.alloc(2048, 3));
        const twelve = assertGood(await exec([0xa8, 0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0]));
        assert.deepEqual(twelve, Buffer.alloc(2048, 9));
        assertCheck(await exec(cdb10(0x28, 10, 1)), 0x5, 0x21);
        // Writes are not part of the CD-ROM command set.
        assertCheck(await exec(cdb10(0x2a, 0, 1), { dataOut: Buffer.alloc(2048) }), 0x5, 0x20);
        const modeSense = assertGood(await exec([0x1a, 0x08, 0x3f, 0, 255, 0]));
        assert.equal(modeSense[2], 0x80); // write protected, no DPOFUA
      } finally {
        await lu.close();
      }
    });
  });

  test('no medium: NOT READY, MEDIUM NOT PRESENT; inserting one raises MEDIUM MAY HAVE CHANGED', async () => {
    await withIso(4, async (path) => {
      const lu = new CdromLogicalUnit({ backing: null, identity: IDENTITY });
      const exec = executor(lu);
      try {
        await clearPowerOn(exec);
        assertCheck(await exec(TUR), 0x2, 0x3a);
        assertCheck(await exec([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0x2, 0x3a);
        const config = assertGood(await exec([0x46, 0, 0, 0, 0, 0, 0, 0, 255, 0]));
        assert.equal(config.readUInt16BE(6), 0); // no current profile
        await lu.changeMedium(await openCdromBacking(path));
        assertCheck(await exec(TUR), 0x6, 0x28, 0x00);
        assertGood(await exec(TUR));
        const capacity = assertGood(await exec([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert.equal(capacity.readUInt32BE(0), 3);
      } finally {
        await lu.close();
      }
    });
  });

  test('READ TOC (LBA and MSF), GET CONFIGURATION, GET EVENT STATUS NOTIFICATION', async () => {
    await withIso(100, async (path) => {
      const lu = new CdromLogicalUnit({ backing: await openCdromBacking(path), identity: IDENTITY });
      const exec = executor(lu);
      try {
        await clearPowerOn(exec);
        const toc = assertGood(await exec([0x43, 0, 0, 0, 0, 0, 0, 0, 255, 0]));
        assert.deepEqual([...toc], [0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0, 0, 0x14, 0xaa, 0, 0, 0, 0, 100]);
        const msf = assertGood(await exec([0x43, 0x02, 0, 0, 0, 0, 0xaa, 0, 255, 0]));
        assert.deepEqual([...msf], [0, 10, 1, 1, 0, 0x14, 0xaa, 0, 0, 0, 3, 25]); // LBA 100 + 150 frames = 00:03:25
        assertCheck(await exec([0x43, 0, 0, 0, 0, 0, 2, 0, 255, 0]), 0x5, 0x24);
        const config = assertGood(await exec([0x46, 0, 0, 0, 0, 0, 0, 0, 255, 0]));
        assert.equal(config.readUInt16BE(6), 0x0008);
        assert.deepEqual([...config.subarray(8, 16)], [0, 0, 0x03, 4, 0, 0x08, 0x01, 0]);
        const one = assertGood(await exec([0x46, 0x02, 0, 0x10, 0, 0, 0, 0, 255, 0]));
        assert.deepEqual([...one.subarray(8, 12)], [0, 0x10, 0x01, 8]);
        assert.equal(one.length, 8 + 12);
        const event = assertGood(await exec([0x4a, 0x01, 0, 0, 0x10, 0, 0, 0, 8, 0]));
        assert.deepEqual([...event], [0, 6, 0x04, 0x10, 0, 0x02, 0, 0]);
        assertCheck(await exec([0x4a, 0x00, 0, 0, 0x10, 0, 0, 0, 8, 0]), 0x5, 0x24);
      } finally {
        await lu.close();
      }
    });
  });

  test('START STOP UNIT ejects and loads; PREVENT blocks eject and medium change', async () => {
    await withIso(4, async (path) => {
      const lu = new CdromLogicalUnit({ backing: await openCdromBacking(path), identity: IDENTITY });
      const exec = executor(lu);
      const other = nexus('iqn.other');
      try {
        await clearPowerOn(exec);
        assertGood(await exec([0x1e, 0, 0, 0, 1, 0]));
        assertCheck(await exec([0x1b, 0, 0, 0, 0x02, 0]), 0x5, 0x53, 0x02);
        await assert.rejects(lu.changeMedium(null), /prevented/);
        assertGood(await exec([0x1e, 0, 0, 0, 0, 0]));
        assertGood(await exec([0x1b, 0, 0, 0, 0x02, 0]));
        assertCheck(await exec(TUR), 0x2, 0x3a);
        // A power condition makes START/LOEJ ignored.
        assertGood(await exec([0x1b, 0, 0, 0, 0x13, 0]));
        assertCheck(await exec(TUR), 0x2, 0x3a);
        assertGood(await exec([0x1b, 0, 0, 0, 0x03, 0]));
        assertGood(await exec(TUR));
        // The other nexus learns that the medium may have changed.
        await clearPowerOn(exec, other);
        const sense = assertGood(await exec([0x03, 0, 0, 0, 18, 0], { nexus: other }));
        assert.equal(sense[2], 0);
      } finally {
        await lu.close();
      }
    });
  });
});
