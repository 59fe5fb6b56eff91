import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReportLuns, encodeLun, respondReportLuns, type LunMap } from '../../src/engine/scsi/index.js';
import { assertCheck, assertGood, nullDisk } from './helpers.js';

describe('REPORT LUNS', () => {
  test('buildReportLuns: peripheral and flat addressing, truncated list keeps the full length', () => {
    const data = buildReportLuns([0, 1, 300], 1024);
    assert.deepEqual(
      data,
      Buffer.from([0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0x2c, 0, 0, 0, 0, 0, 0]),
    );
    const truncated = buildReportLuns([0, 1, 300], 16);
    assert.equal(truncated.length, 16);
    assert.equal(truncated.readUInt32BE(0), 24);
    assert.throws(() => encodeLun(16384), RangeError);
  });

  test('respondReportLuns validates SELECT REPORT and the allocation length', () => {
    const cdb = (select: number, allocation: number) => Buffer.from([0xa0, 0, select, 0, 0, 0, 0, 0, allocation >> 8, allocation & 0xff, 0, 0]);
    assert.equal(respondReportLuns(cdb(0, 256), [5]).dataIn!.length, 16);
    assert.equal(respondReportLuns(cdb(2, 256), [5]).dataIn!.length, 16);
    assert.deepEqual([...respondReportLuns(cdb(1, 256), [5]).dataIn!], [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(respondReportLuns(cdb(3, 256), [5]).status, 2);
    const small = respondReportLuns(cdb(0, 15), [5]);
    assert.deepEqual([small.status, small.sense![2], small.sense![12]], [2, 5, 0x24]);
  });

  test('a logical unit answers REPORT LUNS from the command lunMap, even with a pending unit attention', async () => {
    const { lu, exec } = await nullDisk();
    lu.notifyReportedLunsChanged();
    const lunMap: LunMap = { lookup: () => lu, luns: () => [0, 2] };
    const response = await lu.execute({
      nexus: { initiatorName: 'iqn.1994-05.com.redhat:client', relativeTargetPortId: 1, targetPortName: 'iqn.2006-10.net.vlnb:tgt' },
      cdb: Buffer.from([0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]),
      expectedLength: 256,
      direction: 'read',
      dataOut: null,
      lunMap,
    });
    assert.deepEqual([...assertGood(response)], [0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    assertCheck(await exec([0, 0, 0, 0, 0, 0]), 0x6, 0x3f, 0x0e);
  });
});
