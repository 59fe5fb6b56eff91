import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSense, parseSense, Sense } from '../../src/engine/scsi/index.js';
import { assertCheck, assertGood, cdb10, cdb16, nullDisk } from './helpers.js';

/** MODE SELECT(6) of the control page with D_SENSE set or cleared. */
function controlPageSelect(dSense: boolean, swp = false): { cdb: number[]; dataOut: Buffer } {
  const params = Buffer.from([0, 0, 0, 0, 0x0a, 0x0a, (1 << 5) | (dSense ? 0x04 : 0), 0, swp ? 0x08 : 0, 0, 0, 0, 0, 0, 0x02, 0x4b]);
  return { cdb: [0x15, 0x10, 0, 0, params.length, 0], dataOut: params };
}

describe('sense data', () => {
  test('fixed format: an invalid opcode is exactly 70 00 05 … 0a … 20 00', async () => {
    const { exec } = await nullDisk();
    const response = await exec([0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0]); // UNMAP
    assert.equal(response.status, 2);
    assert.deepEqual(response.sense, Buffer.from([0x70, 0, 0x05, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0]));
  });

  test('descriptor format after MODE SELECT sets D_SENSE, with the sense-key-specific descriptor', async () => {
    const { exec } = await nullDisk(100 * 512);
    const select = controlPageSelect(true);
    assertGood(await exec(select.cdb, { dataOut: select.dataOut }));
    const oob = await exec(cdb16(0x88, 0xffffffffffffffffn, 1));
    assert.deepEqual(oob.sense, Buffer.from([0x72, 0x05, 0x21, 0x00, 0, 0, 0, 0]));
    const field = await exec(cdb10(0x28, 0, 1, 0x04));
    assert.deepEqual(field.sense, Buffer.from([0x72, 0x05, 0x24, 0x00, 0, 0, 0, 8, 0x02, 0x06, 0, 0, 0xca, 0x00, 0x01, 0]));
    const back = controlPageSelect(false);
    assertGood(await exec(back.cdb, { dataOut: back.dataOut }));
    assert.equal((await exec(cdb16(0x88, 0xffffffffffffffffn, 1))).sense![0], 0x70);
  });

  test('descriptor sense carries INFORMATION in an information descriptor', () => {
    const sense = buildSense({ code: Sense.MISCOMPARE_DURING_VERIFY, information: 0x1234 }, true);
    assert.deepEqual(sense, Buffer.from([0x72, 0x0e, 0x1d, 0, 0, 0, 0, 12, 0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]));
    assert.deepEqual(parseSense(sense), { key: 0x0e, asc: 0x1d, ascq: 0, descriptor: true });
  });

  test('REQUEST SENSE: NO SENSE when nothing is pending, descriptor format when DESC is set', async () => {
    const { exec } = await nullDisk();
    const fixed = assertGood(await exec([0x03, 0, 0, 0, 252, 0]));
    assert.deepEqual(fixed, Buffer.from([0x70, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const descriptor = assertGood(await exec([0x03, 1, 0, 0, 252, 0]));
    assert.deepEqual(descriptor, Buffer.from([0x72, 0, 0, 0, 0, 0, 0, 0]));
    const truncated = assertGood(await exec([0x03, 0, 0, 0, 8, 0]));
    assert.equal(truncated.length, 8);
  });

  test('SWP set by MODE SELECT write-protects the unit', async () => {
    const { exec } = await nullDisk();
    const select = controlPageSelect(false, true);
    assertGood(await exec(select.cdb, { dataOut: select.dataOut }));
    assertCheck(await exec(cdb10(0x2a, 0, 1), { dataOut: Buffer.alloc(512) }), 0x7, 0x27);
    assertGood(await exec(cdb10(0x28, 0, 1)));
  });
});
