import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  S_IFDIR,
  S_IFLNK,
  decodeHeader,
  direntSize,
  encodeEntryOut,
  encodeInitOut,
  encodeReply,
  writeDirent,
} from '../../src/emulator/fuse/protocol.js';

test('in-header fields decode from their fuse.h offsets', () => {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(56, 0);
  header.writeUInt32LE(1, 4);
  header.writeBigUInt64LE(0x1234_5678_9abcn, 8);
  header.writeBigUInt64LE(7n, 16);
  header.writeUInt32LE(1000, 24);
  header.writeUInt32LE(100, 28);
  header.writeUInt32LE(4242, 32);
  assert.deepEqual(decodeHeader(header), { len: 56, opcode: 1, unique: 0x1234_5678_9abcn, nodeid: 7, uid: 1000, gid: 100, pid: 4242 });
});

test('an error reply is a bare header with the negated errno', () => {
  const reply = encodeReply(9n, 22, Buffer.from('ignored'));
  assert.equal(reply.length, 16);
  assert.equal(reply.readUInt32LE(0), 16);
  assert.equal(reply.readInt32LE(4), -22);
  assert.equal(reply.readBigUInt64LE(8), 9n);
});

test('init_out is 24 bytes for protocol minors before 23, 64 after', () => {
  const old = encodeInitOut({ minor: 22, maxReadahead: 0, flags: 0, maxWrite: 4096 });
  const current = encodeInitOut({ minor: 38, maxReadahead: 131072, flags: 1 << 13, maxWrite: 131072 });
  assert.equal(old.length, 24);
  assert.equal(current.length, 64);
  assert.deepEqual([current.readUInt32LE(0), current.readUInt32LE(4), current.readUInt32LE(8)], [7, 38, 131072]);
  assert.equal(current.readUInt32LE(12), 1 << 13);
  assert.equal(current.readUInt32LE(20), 131072);
  assert.equal(current.readUInt32LE(24), 1, 'time_gran');
});

test('entry_out carries the node id, an hour of name caching and no attribute caching', () => {
  const out = encodeEntryOut(42, { ino: 99n, size: 4096, mode: 0o100644, nlink: 1, time: 1000 });
  assert.equal(out.length, 128);
  assert.equal(out.readBigUInt64LE(0), 42n);
  assert.deepEqual(
    [out.readBigUInt64LE(16), out.readBigUInt64LE(24), out.readUInt32LE(32), out.readUInt32LE(36)],
    [3600n, 0n, 0, 0],
    'entry_valid, attr_valid, entry_valid_nsec, attr_valid_nsec',
  );
  assert.equal(out.readBigUInt64LE(40), 99n, 'attr.ino');
  assert.equal(out.readBigUInt64LE(48), 4096n, 'attr.size');
  assert.equal(out.readUInt32LE(100), 0o100644, 'attr.mode');
});

test('dirents are padded to 8 bytes and carry the next offset and d_type', () => {
  assert.equal(direntSize('a', false), 32);
  assert.equal(direntSize('exactly8', false), 32);
  assert.equal(direntSize('nine_char', false), 40);
  assert.equal(direntSize('a', true), 160);
  const out = Buffer.alloc(72, 0xff);
  let at = writeDirent(out, 0, { name: 'luns', ino: 5n, typeBits: S_IFDIR, nextOffset: 3 });
  at = writeDirent(out, at, { name: 'handler', ino: 6n, typeBits: S_IFLNK, nextOffset: 4 });
  assert.equal(at, 64);
  assert.deepEqual([out.readBigUInt64LE(0), out.readBigUInt64LE(8), out.readUInt32LE(16), out.readUInt32LE(20)], [5n, 3n, 4, 4]);
  assert.equal(out.toString('utf8', 24, 28), 'luns');
  assert.deepEqual([...out.subarray(28, 32)], [0, 0, 0, 0], 'padding is zeroed');
  assert.deepEqual([out.readUInt32LE(48), out.readUInt32LE(52)], [7, 10]);
  assert.equal(out.toString('utf8', 56, 63), 'handler');
});

test('direntplus entries cache real nodes only: "." and ".." (node id 0) get no entry timeout', () => {
  const out = Buffer.alloc(2 * direntSize('x', true));
  const second = writeDirent(out, 0, { name: '.', ino: 1n, typeBits: S_IFDIR, nextOffset: 1 }, { nodeid: 0 });
  writeDirent(out, second, { name: 'x', ino: 2n, typeBits: S_IFDIR, nextOffset: 2 }, { nodeid: 7, attr: { ino: 2n, size: 0, mode: 0o40755, nlink: 1, time: 0 } });
  assert.deepEqual([out.readBigUInt64LE(0), out.readBigUInt64LE(16), out.readBigUInt64LE(24)], [0n, 0n, 0n]);
  assert.deepEqual([out.readBigUInt64LE(second), out.readBigUInt64LE(second + 16), out.readBigUInt64LE(second + 24)], [7n, 3600n, 0n]);
});
