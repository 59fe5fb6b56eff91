import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackingError, nullBacking, openBlockBacking, openCdromBacking, openFileBacking } from '../../src/engine/backing/index.js';

async function withFile(content: Buffer, run: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'scsi-backing-'));
  const path = join(dir, 'img');
  await writeFile(path, content);
  try {
    await run(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('backing stores', () => {
  test('fileio: positional read/write, writev of a buffer list, FUA, flush, resync, partial tail block', async () => {
    await withFile(Buffer.alloc(4096 + 100, 0x41), async (path) => {
      const store = await openFileBacking(path, { blockSize: 1024 });
      try {
        assert.deepEqual([store.kind, store.blockSize, store.sizeBytes, store.readOnly, store.volatileCache, store.storesData], ['fileio', 1024, 4196, false, true, true]);
        await store.write(1024, [Buffer.alloc(10, 1), Buffer.alloc(20, 2)], true);
        await store.write(2048, Buffer.alloc(5, 3), false);
        await store.flush();
        const file = await readFile(path);
        assert.deepEqual([...file.subarray(1024, 1036)], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2]);
        assert.deepEqual([...file.subarray(2048, 2054)], [3, 3, 3, 3, 3, 0x41]);
        const into = Buffer.alloc(64, 0xff);
        const read = await store.read(1030, 8, into);
        assert.equal(read.buffer, into.buffer);
        assert.deepEqual([...read], [1, 1, 1, 1, 2, 2, 2, 2]);
        await writeFile(path, Buffer.alloc(8192));
        assert.equal(await store.resync(), 8192);
      } finally {
        await store.close();
      }
    });
  });

  test('write_through and nv_cache have no volatile cache; read_only refuses writes and the bad combinations', async () => {
    await withFile(Buffer.alloc(2048), async (path) => {
      const wt = await openFileBacking(path, { writeThrough: true });
      const nv = await openBlockBacking(path, { nvCache: true });
      const ro = await openFileBacking(path, { readOnly: true });
      try {
        assert.deepEqual([wt.volatileCache, nv.volatileCache, nv.kind], [false, false, 'blockio']);
        await wt.write(0, Buffer.alloc(512, 9), true);
        assert.equal((await readFile(path))[511], 9);
        await assert.rejects(ro.write(0, Buffer.alloc(1), false), (err: unknown) => err instanceof BackingError && err.code === 'EROFS');
      } finally {
        await Promise.all([wt.close(), nv.close(), ro.close()]);
      }
      await assert.rejects(openFileBacking(path, { readOnly: true, writeThrough: true }), /read_only cannot be combined/);
      await assert.rejects(openFileBacking(path, { blockSize: 768 }), RangeError);
    });
  });

  test('open errors carry the errno; directories are refused', async () => {
    await assert.rejects(openFileBacking('/nonexistent/scsi-test.img'), (err: unknown) => err instanceof BackingError && err.code === 'ENOENT');
    await assert.rejects(openFileBacking(tmpdir(), { readOnly: true }), (err: unknown) => err instanceof BackingError && err.code === 'EINVAL');
  });

  test('cdrom media is read-only with 2048-byte blocks; nullio resizes in whole blocks', async () => {
    await withFile(Buffer.alloc(2048 * 3), async (path) => {
      const iso = await openCdromBacking(path);
      assert.deepEqual([iso.kind, iso.blockSize, iso.readOnly, iso.sizeBytes], ['cdrom', 2048, true, 6144]);
      await iso.close();
    });
    const nul = nullBacking({ blockSize: 4096 });
    assert.equal(nul.sizeBytes, 2748779069440);
    nul.resize(8192);
    assert.equal(await nul.resync(), 8192);
    assert.throws(() => nul.resize(1000), RangeError);
    const zeros = await nul.read(0, 16, Buffer.alloc(32, 7));
    assert.deepEqual([...zeros], new Array(16).fill(0));
  });
});
