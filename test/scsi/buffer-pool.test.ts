import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../../src/engine/scsi/buffer-pool.js';

const MiB = 1024 * 1024;

test('a given-back buffer is handed out again for the same size only', () => {
  const pool = new BufferPool();
  const first = pool.take(4096);
  pool.give(first);
  assert.notEqual(pool.take(8192), first);
  assert.equal(pool.take(4096), first);
  assert.notEqual(pool.take(4096), first, 'taken once, not twice');
});

test('views into larger buffers and the same buffer twice are not pooled', () => {
  const pool = new BufferPool();
  const whole = pool.take(8192);
  pool.give(whole.subarray(0, 4096));
  assert.equal(pool.take(4096).buffer === whole.buffer, false);
  pool.give(whole);
  pool.give(whole);
  assert.equal(pool.take(8192), whole);
  assert.notEqual(pool.take(8192), whole);
});

test('a pool keeps at most 16 MiB of idle buffers, whatever their sizes', () => {
  const pool = new BufferPool();
  const big = Array.from({ length: 20 }, () => pool.take(MiB));
  for (const buffer of big) pool.give(buffer);
  const reused = Array.from({ length: 20 }, () => pool.take(MiB)).filter((b) => big.includes(b));
  assert.equal(reused.length, 16);
  // Taking them out frees the budget for other sizes.
  const small = pool.take(4096);
  pool.give(small);
  assert.equal(pool.take(4096), small);
});
