import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BackingError, type BackingStore } from '../../src/engine/backing/index.js';
import { DiskLogicalUnit } from '../../src/engine/scsi/index.js';
import { assertCheck, assertGood, cdb10, cdb12, cdb16, clearPowerOn, executor, IDENTITY, nullDisk, tempFileDisk } from './helpers.js';

const READ6 = 0x08, WRITE6 = 0x0a, READ10 = 0x28, WRITE10 = 0x2a, READ12 = 0xa8, WRITE12 = 0xaa, READ16 = 0x88, WRITE16 = 0x8a;
const WRITE_VERIFY10 = 0x2e, VERIFY10 = 0x2f, VERIFY16 = 0x8f, SYNC10 = 0x35, SYNC16 = 0x91;

function pattern(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + (i >> 9) * 13 + seed) & 0xff;
  return b;
}

describe('READ CAPACITY', () => {
  for (const blockSize of [512, 1024, 2048, 4096]) {
    test(`(10) and (16) report the last LBA and block size ${blockSize}`, async () => {
      const { exec } = await nullDisk(64 * 4096, blockSize);
      const blocks = (64 * 4096) / blockSize;
      const rc10 = assertGood(await exec([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
      assert.deepEqual([rc10.readUInt32BE(0), rc10.readUInt32BE(4)], [blocks - 1, blockSize]);
      const rc16 = assertGood(await exec([0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0]));
      assert.equal(rc16.length, 32);
      assert.equal(rc16.readBigUInt64BE(0), BigInt(blocks - 1));
      assert.equal(rc16.readUInt32BE(8), blockSize);
      assert.deepEqual([...rc16.subarray(12)], new Array(20).fill(0));
    });
  }

  test('(10) saturates at 0xFFFFFFFF beyond 2 TiB; (16) honours a short allocation length', async () => {
    const { exec } = await nullDisk(2748779069440, 512);
    const rc10 = assertGood(await exec([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.equal(rc10.readUInt32BE(0), 0xffffffff);
    const rc16 = assertGood(await exec([0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0]));
    assert.equal(rc16.length, 12);
    assert.equal(rc16.readBigUInt64BE(0), 2748779069440n / 512n - 1n);
    const none = await exec([0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(none.dataIn, null);
  });
});

describe('fileio READ/WRITE', () => {
  test('WRITE(10) then READ(6/10/12/16) returns the same bytes, which are in the file after SYNCHRONIZE CACHE', async () => {
    const disk = await tempFileDisk(64);
    try {
      const data = pattern(4 * 512, 7);
      const write = await disk.exec(cdb10(WRITE10, 8, 4), { dataOut: data });
      assertGood(write);
      assert.equal(write.cdbTransferLength, 2048);
      assert.deepEqual(assertGood(await disk.exec(cdb10(READ10, 8, 4))), data);
      assert.deepEqual(assertGood(await disk.exec([READ6, 0, 0, 8, 4, 0])), data);
      assert.deepEqual(assertGood(await disk.exec(cdb12(READ12, 8, 4))), data);
      assert.deepEqual(assertGood(await disk.exec(cdb16(READ16, 8, 4))), data);
      assertGood(await disk.exec(cdb10(SYNC10, 0, 0)));
      const file = await readFile(disk.path);
      assert.deepEqual(file.subarray(8 * 512, 12 * 512), data);
      assert.ok(file.subarray(0, 8 * 512).every((b) => b === 0));
    } finally {
      await disk.cleanup();
    }
  });

  test('WRITE(6/12/16) with FUA land in the file; block size 4096', async () => {
    const disk = await tempFileDisk(16, { blockSize: 4096 });
    try {
      const a = pattern(4096, 1), b = pattern(8192, 2), c = pattern(4096, 3);
      assertGood(await disk.exec([WRITE6, 0, 0, 1, 1, 0], { dataOut: a }));
      assertGood(await disk.exec(cdb12(WRITE12, 2, 2, 0x08), { dataOut: b }));
      assertGood(await disk.exec(cdb16(WRITE16, 15, 1, 0x18), { dataOut: c }));
      assertGood(await disk.exec(cdb16(SYNC16, 0, 0)));
      const file = await readFile(disk.path);
      assert.deepEqual(file.subarray(4096, 8192), a);
      assert.deepEqual(file.subarray(8192, 16384), b);
      assert.deepEqual(file.subarray(15 * 4096), c);
    } finally {
      await disk.cleanup();
    }
  });

  test('READ(6) with transfer length 0 reads 256 blocks; READ(10) with 0 blocks transfers nothing', async () => {
    const disk = await tempFileDisk(300, {}, {}, 0x5a);
    try {
      const data = assertGood(await disk.exec([READ6, 0, 0, 0, 0, 0]));
      assert.equal(data.length, 256 * 512);
      assert.ok(data.every((x) => x === 0x5a));
      const none = await disk.exec(cdb10(READ10, 0, 0));
      assert.deepEqual([none.status, none.dataIn], [0, null]);
    } finally {
      await disk.cleanup();
    }
  });

  test('EDTL shorter than the CDB: only the received bytes are written; the rest of the block is untouched', async () => {
    const disk = await tempFileDisk(4, {}, {}, 0x61);
    try {
      const response = await disk.exec(cdb10(WRITE10, 0, 1), { dataOut: Buffer.alloc(200, 0x62) });
      assertGood(response);
      assert.equal(response.cdbTransferLength, 512);
      const block = assertGood(await disk.exec(cdb10(READ10, 0, 1)));
      assert.ok(block.subarray(0, 200).every((x) => x === 0x62));
      assert.ok(block.subarray(200).every((x) => x === 0x61));
      const nothing = await disk.exec(cdb10(WRITE10, 1, 1));
      assertGood(nothing);
      assert.equal(nothing.cdbTransferLength, 512);
    } finally {
      await disk.cleanup();
    }
  });

  test('buffers given back with recycle() are reused for later reads', async () => {
    const disk = await tempFileDisk(8, {}, {}, 0x11);
    try {
      const first = assertGood(await disk.exec(cdb10(READ10, 0, 1)));
      disk.lu.recycle(first);
      const second = assertGood(await disk.exec(cdb10(READ10, 1, 1)));
      assert.equal(second.buffer, first.buffer);
      assert.ok(second.every((x) => x === 0x11));
    } finally {
      await disk.cleanup();
    }
  });
});

describe('LBA range and field checks', () => {
  test('the last block is readable; one past it is LBA OUT OF RANGE for every CDB size', async () => {
    const { exec } = await nullDisk(100 * 512);
    assertGood(await exec(cdb10(READ10, 99, 1)));
    assertCheck(await exec(cdb10(READ10, 99, 2)), 0x5, 0x21);
    assertCheck(await exec(cdb10(READ10, 100, 1)), 0x5, 0x21);
    assertCheck(await exec([READ6, 0, 0, 99, 2, 0]), 0x5, 0x21);
    assertCheck(await exec(cdb12(READ12, 0xffffffff, 1)), 0x5, 0x21);
    assertCheck(await exec(cdb16(READ16, 0xffffffffffffffffn, 1)), 0x5, 0x21);
    assertCheck(await exec(cdb16(WRITE16, 100, 1), { dataOut: Buffer.alloc(512) }), 0x5, 0x21);
    // 0 blocks: at the end is fine, one past the end is not (libiscsi Read10_0blocks).
    assertGood(await exec(cdb10(READ10, 100, 0)));
    assertCheck(await exec(cdb10(READ10, 101, 0)), 0x5, 0x21);
    assertCheck(await exec(cdb10(SYNC10, 90, 11)), 0x5, 0x21);
    assertCheck(await exec(cdb10(VERIFY10, 100, 1)), 0x5, 0x21);
  });

  test('RDPROTECT/WRPROTECT/VRPROTECT ≠ 0 are invalid fields pointing at byte 1 bit 7', async () => {
    const { exec } = await nullDisk();
    for (const cdb of [cdb10(READ10, 0, 1, 0x20), cdb12(READ12, 0, 1, 0x40), cdb16(READ16, 0, 1, 0x60), cdb10(VERIFY10, 0, 1, 0x20)]) {
      const response = await exec(cdb);
      assertCheck(response, 0x5, 0x24);
      assert.deepEqual([...response.sense!.subarray(15, 18)], [0xcf, 0, 1]);
    }
    assertCheck(await exec(cdb10(WRITE10, 0, 1, 0x20), { dataOut: Buffer.alloc(512) }), 0x5, 0x24);
  });

  test('DPO, FUA and FUA_NV are accepted; a reserved bit is rejected with its bit pointer', async () => {
    const { exec } = await nullDisk();
    assertGood(await exec(cdb10(READ10, 0, 1, 0x18)));
    assertGood(await exec(cdb10(WRITE10, 0, 1, 0x1a), { dataOut: Buffer.alloc(512) }));
    const reserved = await exec(cdb10(READ10, 0, 1, 0x04));
    assertCheck(reserved, 0x5, 0x24);
    assert.deepEqual([...reserved.sense!.subarray(15, 18)], [0xc0 | 0x08 | 2, 0, 1]);
    const control = await exec([READ10, 0, 0, 0, 0, 0, 0, 0, 1, 0x04]); // NACA: ACA is not supported
    assertCheck(control, 0x5, 0x24);
    assert.deepEqual([...control.sense!.subarray(15, 18)], [0xc0 | 0x08 | 2, 0, 9]);
  });

  test('a read over the 8 MiB maximum transfer length is an invalid field', async () => {
    const { exec } = await nullDisk(64 * 1024 * 1024);
    assertCheck(await exec(cdb12(READ12, 0, 16385)), 0x5, 0x24);
  });
});

describe('read-only', () => {
  test('writes fail with DATA PROTECT / WRITE PROTECTED, reads work', async () => {
    const disk = await tempFileDisk(8, { readOnly: true }, {}, 0x33);
    try {
      assertCheck(await disk.exec(cdb10(WRITE10, 0, 1), { dataOut: Buffer.alloc(512) }), 0x7, 0x27);
      assertCheck(await disk.exec(cdb16(WRITE16, 0, 1), { dataOut: Buffer.alloc(512) }), 0x7, 0x27);
      assertCheck(await disk.exec(cdb10(WRITE_VERIFY10, 0, 1, 0x02), { dataOut: Buffer.alloc(512) }), 0x7, 0x27);
      assertCheck(await disk.exec([WRITE6, 0, 0, 0, 1, 0], { dataOut: Buffer.alloc(512) }), 0x7, 0x27);
      assert.ok(assertGood(await disk.exec(cdb10(READ10, 0, 1))).every((x) => x === 0x33));
      const modeSense = assertGood(await disk.exec([0x1a, 0x08, 0x3f, 0, 255, 0]));
      assert.equal(modeSense[2], 0x90); // WP + DPOFUA
    } finally {
      await disk.cleanup();
    }
  });

  test('the read_only flag protects a writable store too', async () => {
    const { exec } = await nullDisk(1 << 20, 512, { readOnly: true });
    assertCheck(await exec(cdb10(WRITE10, 0, 1), { dataOut: Buffer.alloc(512) }), 0x7, 0x27);
  });
});

describe('VERIFY and WRITE AND VERIFY', () => {
  test('BYTCHK=1 compares; a mismatch is MISCOMPARE with the offset in INFORMATION', async () => {
    const disk = await tempFileDisk(16);
    try {
      const data = pattern(1024, 9);
      assertGood(await disk.exec(cdb10(WRITE_VERIFY10, 2, 2, 0x02), { dataOut: data }));
      assertGood(await disk.exec(cdb10(VERIFY10, 2, 2, 0x02), { dataOut: data }));
      const wrong = Buffer.from(data);
      wrong[700] ^= 0xff;
      const response = await disk.exec(cdb10(VERIFY10, 2, 2, 0x02), { dataOut: wrong });
      assertCheck(response, 0xe, 0x1d);
      assert.equal(response.sense![0], 0xf0); // VALID + current fixed
      assert.equal(response.sense!.readUInt32BE(3), 700);
      // BYTCHK=0: medium verification only, no data compared.
      assertGood(await disk.exec(cdb16(VERIFY16, 2, 2)));
      // BYTCHK=3: one block compared with each block.
      assertGood(await disk.exec(cdb10(VERIFY10, 10, 3, 0x06), { dataOut: Buffer.alloc(512) }));
      assertCheck(await disk.exec(cdb10(VERIFY10, 2, 2, 0x06), { dataOut: data.subarray(0, 512) }), 0xe, 0x1d);
      // BYTCHK=2 is reserved.
      assertCheck(await disk.exec(cdb10(VERIFY10, 2, 2, 0x04), { dataOut: data }), 0x5, 0x24);
    } finally {
      await disk.cleanup();
    }
  });
});

describe('nullio', () => {
  test('writes are discarded and reads return zeros', async () => {
    const { exec } = await nullDisk();
    assertGood(await exec(cdb10(WRITE10, 0, 1), { dataOut: Buffer.alloc(512, 0xee) }));
    const data = assertGood(await exec(cdb10(READ10, 0, 1)));
    assert.deepEqual(data, Buffer.alloc(512));
    assertGood(await exec(cdb10(SYNC10, 0, 0)));
  });
});

describe('WRITE SAME, COMPARE AND WRITE, PRE-FETCH', () => {
  test('WRITE SAME(10/16) repeats the block; 0 blocks is refused (WSNZ); UNMAP bit is an invalid field', async () => {
    const disk = await tempFileDisk(32);
    try {
      const block = pattern(512, 5);
      const response = await disk.exec(cdb10(0x41, 4, 3), { dataOut: block });
      assertGood(response);
      assert.equal(response.cdbTransferLength, 512);
      assertGood(await disk.exec(cdb16(0x93, 31, 1), { dataOut: Buffer.alloc(512, 0x77) }));
      const file = await readFile(disk.path);
      for (const b of [4, 5, 6]) assert.deepEqual(file.subarray(b * 512, (b + 1) * 512), block);
      assert.ok(file.subarray(3 * 512, 4 * 512).every((x) => x === 0));
      assert.ok(file.subarray(31 * 512).every((x) => x === 0x77));
      assertCheck(await disk.exec(cdb10(0x41, 0, 0), { dataOut: block }), 0x5, 0x24);
      assertCheck(await disk.exec(cdb10(0x41, 0, 1, 0x08), { dataOut: block }), 0x5, 0x24);
      assertCheck(await disk.exec(cdb10(0x41, 31, 2), { dataOut: block }), 0x5, 0x21);
      const limits = assertGood(await disk.exec([0x12, 1, 0xb0, 0, 255, 0]));
      assert.deepEqual([limits[4], limits[5], limits.readUInt32BE(40)], [0x01, 255, 2 * 1024 * 1024]);
    } finally {
      await disk.cleanup();
    }
  });

  test('COMPARE AND WRITE writes on match, reports MISCOMPARE and writes nothing otherwise', async () => {
    const disk = await tempFileDisk(16, {}, {}, 0x41);
    try {
      const verify = Buffer.alloc(1024, 0x41);
      const write = Buffer.alloc(1024, 0x42);
      const caw = (lba: number, blocks: number, byte1 = 0) => cdb16(0x89, lba, 0, byte1).map((b, i) => (i === 13 ? blocks : b));
      assertGood(await disk.exec(caw(2, 2, 0x08), { dataOut: Buffer.concat([verify, write]) }));
      assert.deepEqual(assertGood(await disk.exec(cdb10(0x28, 2, 2))), write);
      const again = await disk.exec(caw(2, 2), { dataOut: Buffer.concat([verify, Buffer.alloc(1024, 0x43)]) });
      assertCheck(again, 0xe, 0x1d);
      assert.equal(again.sense!.readUInt32BE(3), 0);
      assert.deepEqual(assertGood(await disk.exec(cdb10(0x28, 2, 2))), write);
      assertCheck(await disk.exec(caw(2, 2), { dataOut: verify }), 0x5, 0x24);
      assertCheck(await disk.exec(caw(15, 2), { dataOut: Buffer.concat([verify, write]) }), 0x5, 0x21);
      assertGood(await disk.exec(caw(0, 0)));
    } finally {
      await disk.cleanup();
    }
  });

  test('PRE-FETCH(10/16) checks the range only', async () => {
    const { exec } = await nullDisk(100 * 512);
    assertGood(await exec(cdb10(0x34, 90, 10, 0x02)));
    assertGood(await exec(cdb16(0x90, 100, 0)));
    assertCheck(await exec(cdb10(0x34, 101, 0)), 0x5, 0x21);
    assertCheck(await exec(cdb16(0x90, 99, 2)), 0x5, 0x21);
  });
});

describe('backing failures', () => {
  test('read/write errors are MEDIUM ERROR with the LBA; other failures HARDWARE ERROR, never a thrown exception', async () => {
    const failing: BackingStore = {
      kind: 'fileio',
      blockSize: 512,
      sizeBytes: 512 * 64,
      readOnly: false,
      volatileCache: true,
      storesData: true,
      read: () => Promise.reject(new BackingError('EIO', 'EIO')),
      write: () => Promise.reject(new BackingError('EIO', 'EIO')),
      flush: () => Promise.reject(new BackingError('EIO', 'EIO')),
      close: () => Promise.resolve(),
      resync: () => Promise.resolve(512 * 64),
    };
    const lu = new DiskLogicalUnit({ backing: failing, identity: IDENTITY });
    const exec = executor(lu);
    await clearPowerOn(exec);
    const read = await exec(cdb10(READ10, 7, 1));
    assertCheck(read, 0x3, 0x11);
    assert.equal(read.sense!.readUInt32BE(3), 7);
    assertCheck(await exec(cdb10(WRITE10, 9, 1), { dataOut: Buffer.alloc(512) }), 0x3, 0x0c);
    assertCheck(await exec(cdb10(SYNC10, 0, 0)), 0x3, 0x0c);
    assertCheck(await exec([0x1b, 0, 0, 0, 0x00, 0]), 0x4, 0x44);
  });
});

describe('ORWRITE, GET LBA STATUS, READ DEFECT DATA', () => {
  test('ORWRITE(16) ORs the data into the medium', async () => {
    const disk = await tempFileDisk(8, {}, {}, 0x0f);
    try {
      assertGood(await disk.exec(cdb16(0x8b, 1, 2, 0x08), { dataOut: Buffer.alloc(1024, 0xa0) }));
      const data = assertGood(await disk.exec(cdb10(READ10, 0, 4)));
      assert.ok(data.subarray(0, 512).every((x) => x === 0x0f));
      assert.ok(data.subarray(512, 1536).every((x) => x === 0xaf));
      assert.ok(data.subarray(1536).every((x) => x === 0x0f));
      assertCheck(await disk.exec(cdb16(0x8b, 7, 2), { dataOut: Buffer.alloc(1024) }), 0x5, 0x21);
    } finally {
      await disk.cleanup();
    }
  });

  test('GET LBA STATUS reports one mapped extent to the end; READ DEFECT DATA an empty list', async () => {
    const { exec } = await nullDisk(100 * 512);
    const gls = (lba: number) => [0x9e, 0x12, ...cdb16(0, lba, 0).slice(2, 10), 0, 0, 0, 24, 0, 0];
    const status = assertGood(await exec(gls(40)));
    assert.deepEqual([...status], [0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 60, 0, 0, 0, 0]);
    assertCheck(await exec(gls(100)), 0x5, 0x21);
    assert.deepEqual([...assertGood(await exec([0x37, 0, 0x1d, 0, 0, 0, 0, 0, 32, 0]))], [0, 0x1d, 0, 0]);
    assert.deepEqual([...assertGood(await exec([0xb7, 0x0c, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0]))], [0, 0x0c, 0, 0, 0, 0, 0, 0]);
  });
});
