import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCheck, assertGood, clearPowerOn, nexus, nullDisk, tempFileDisk } from './helpers.js';

function pages(data: Buffer, headerLength: number): Map<number, Buffer> {
  const blockDescriptorLength = headerLength === 4 ? data[3]! : data.readUInt16BE(6);
  const found = new Map<number, Buffer>();
  let at = headerLength + blockDescriptorLength;
  while (at < data.length) {
    found.set(data[at]! & 0x3f, data.subarray(at, at + 2 + data[at + 1]!));
    at += 2 + data[at + 1]!;
  }
  return found;
}

describe('MODE SENSE', () => {
  test('(6) all pages: header, block descriptor and SCST page order', async () => {
    const { exec } = await nullDisk(2048 * 512);
    const data = assertGood(await exec([0x1a, 0, 0x3f, 0, 255, 0]));
    assert.equal(data[0], data.length - 1);
    assert.deepEqual([...data.subarray(1, 4)], [0x00, 0x10, 8]); // medium type, DPOFUA, descriptor length
    assert.deepEqual([...data.subarray(4, 12)], [0, 0, 0x08, 0x00, 0, 0, 0x02, 0x00]); // 2048 blocks of 512
    assert.deepEqual([...pages(data, 4).keys()], [0x01, 0x02, 0x03, 0x08, 0x0a, 0x1c, 0x04]);
    const all = pages(data, 4);
    assert.deepEqual([...all.get(0x0a)!], [0x0a, 0x0a, 0x20, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x4b]);
    assert.deepEqual([...all.get(0x08)!.subarray(0, 4)], [0x08, 0x12, 0x00, 0]); // nullio: no volatile cache
    assert.equal(all.get(0x03)!.readUInt16BE(12), 512);
  });

  test('(10) with DBD, single page, allocation length and changeable values', async () => {
    const disk = await tempFileDisk(16);
    try {
      const caching = assertGood(await disk.exec([0x5a, 0x08, 0x08, 0, 0, 0, 0, 0, 255, 0]));
      assert.deepEqual([...caching.subarray(0, 8)], [0, 26, 0, 0x10, 0, 0, 0, 0]);
      assert.equal(caching[10]! & 0x04, 0x04); // WCE: fileio without write_through/nv_cache
      const changeable = assertGood(await disk.exec([0x5a, 0x08, 0x48, 0, 0, 0, 0, 0, 255, 0]));
      assert.deepEqual([...changeable.subarray(8, 11)], [0x08, 0x12, 0x04]);
      const control = assertGood(await disk.exec([0x1a, 0x08, 0x4a, 0, 255, 0]));
      assert.deepEqual([...control.subarray(4)], [0x0a, 0x0a, 0x1c, 0xf6, 0x08, 0x40, 0, 0, 0, 0, 0, 0]);
      const short = assertGood(await disk.exec([0x1a, 0, 0x3f, 0, 4, 0]));
      assert.equal(short.length, 4);
    } finally {
      await disk.cleanup();
    }
  });

  test('unsupported page, subpage and saved values are refused', async () => {
    const { exec } = await nullDisk();
    assertCheck(await exec([0x1a, 0, 0x19, 0, 255, 0]), 0x5, 0x24);
    assertCheck(await exec([0x1a, 0, 0x0a, 0x01, 255, 0]), 0x5, 0x24);
    assertCheck(await exec([0x1a, 0, 0xca, 0, 255, 0]), 0x5, 0x39);
  });
});

describe('MODE SELECT', () => {
  test('clearing WCE makes WCE read 0 and tells other nexuses MODE PARAMETERS CHANGED', async () => {
    const disk = await tempFileDisk(16);
    const other = nexus('iqn.other');
    try {
      await clearPowerOn(disk.exec, other);
      const params = Buffer.alloc(4 + 20);
      params[4] = 0x08;
      params[5] = 0x12;
      assertGood(await disk.exec([0x15, 0x10, 0, 0, params.length, 0], { dataOut: params }));
      const caching = assertGood(await disk.exec([0x1a, 0x08, 0x08, 0, 255, 0]));
      assert.equal(caching[6]! & 0x04, 0);
      assertGood(await disk.exec([0, 0, 0, 0, 0, 0]));
      assertCheck(await disk.exec([0, 0, 0, 0, 0, 0], { nexus: other }), 0x6, 0x2a, 0x01);
      // Writes now reach stable storage (FUA implied) and still succeed.
      assertGood(await disk.exec([0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0], { dataOut: Buffer.alloc(512, 1) }));
    } finally {
      await disk.cleanup();
    }
  });

  test('WCE cannot be set on a store without volatile cache; PF=0, SP, bad lengths and other pages are refused', async () => {
    const { exec } = await nullDisk();
    const caching = Buffer.alloc(24);
    caching[4] = 0x08;
    caching[5] = 0x12;
    caching[6] = 0x04;
    assertCheck(await exec([0x15, 0x10, 0, 0, 24, 0], { dataOut: caching }), 0x5, 0x26);
    assertCheck(await exec([0x15, 0x00, 0, 0, 24, 0], { dataOut: caching }), 0x5, 0x24);
    assertCheck(await exec([0x15, 0x11, 0, 0, 24, 0], { dataOut: caching }), 0x5, 0x24);
    assertCheck(await exec([0x15, 0x10, 0, 0, 24, 0], { dataOut: caching.subarray(0, 10) }), 0x5, 0x1a);
    const geometry = Buffer.alloc(4 + 24);
    geometry[4] = 0x04;
    geometry[5] = 0x16;
    const refused = await exec([0x15, 0x10, 0, 0, geometry.length, 0], { dataOut: geometry });
    assertCheck(refused, 0x5, 0x26);
    assert.deepEqual([...refused.sense!.subarray(15, 18)], [0x80 | 0x08 | 5, 0, 4]); // parameter list byte 4
    const tst = Buffer.from([0, 0, 0, 0, 0x0a, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x4b]); // TST 0
    assertCheck(await exec([0x15, 0x10, 0, 0, tst.length, 0], { dataOut: tst }), 0x5, 0x26);
    assertGood(await exec([0x15, 0x10, 0, 0, 0, 0]));
  });
});
