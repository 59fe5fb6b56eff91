import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

test('idle buffers stay within the budget; a new size drops idle ones of other sizes', () => {
  const pool = new BufferPool(4 * MiB);
  const big = Array.from({ length: 6 }, () => pool.take(MiB)); // take: data already arriving, over the budget
  assert.equal(pool.bytesOut, 6 * MiB);
  for (const buffer of big) pool.give(buffer);
  assert.equal(pool.bytesOut, 0);
  const reused = Array.from({ length: 6 }, () => pool.take(MiB)).filter((b) => big.includes(b));
  assert.equal(reused.length, 4);
  for (const buffer of reused) pool.give(buffer);
  pool.take(4096); // 4 MiB idle + 4 KiB would exceed the budget: the idle 1 MiB buffers go
  assert.equal(big.includes(pool.take(MiB)), false);
});

test('acquire waits while the budget is out; buffers given back serve the waiters in order', async () => {
  const pool = new BufferPool(2 * MiB);
  const a = pool.acquire(MiB);
  const b = pool.acquire(MiB);
  assert.ok(Buffer.isBuffer(a) && Buffer.isBuffer(b), 'within the budget: at once');
  const granted: string[] = [];
  const c = Promise.resolve(pool.acquire(MiB)).then((buf) => (granted.push('c'), buf));
  const d = Promise.resolve(pool.acquire(4096)).then((buf) => (granted.push('d'), buf));
  assert.equal(pool.tryTake(4096), undefined, 'nobody jumps the queue');
  assert.equal(pool.waiters, 2);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(granted, []);
  pool.give(a as Buffer);
  assert.equal(await c, a, 'the 1 MiB waiter gets the 1 MiB buffer back');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(granted, ['c'], 'd still waits: 2 MiB are out');
  pool.give(b as Buffer);
  assert.equal((await d).length, 4096);
  assert.deepEqual(granted, ['c', 'd']);
  assert.equal(pool.bytesOut, MiB + 4096);
});

test('a transfer larger than the whole budget goes through once nothing is out', async () => {
  const pool = new BufferPool(MiB);
  const small = pool.take(4096);
  const huge = pool.acquire(3 * MiB);
  assert.ok(huge instanceof Promise);
  pool.give(small);
  assert.equal((await huge).length, 3 * MiB);
});

test('buffers the pool did not make are never taken in', () => {
  const pool = new BufferPool();
  const foreign = Buffer.alloc(4096);
  pool.give(foreign);
  assert.notEqual(pool.take(4096), foreign);
  assert.equal(pool.bytesOut, 4096);
});

test('a buffer dropped without being given back returns to the budget when it is collected', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const pool = new BufferPool(MiB);
  (() => void pool.take(MiB))(); // taken and lost, as by a connection that went away
  const waiting = pool.acquire(MiB);
  assert.ok(waiting instanceof Promise);
  let served = false;
  void waiting.then(() => (served = true));
  for (let i = 0; i < 50 && !served; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(served, true);
});
