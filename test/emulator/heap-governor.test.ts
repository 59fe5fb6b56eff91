import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapGovernor, startHeapGovernor, type HeapControls } from '../../src/emulator/heap-governor.js';

const MiB = 1024 * 1024;

/** An old generation whose size the test sets; a collection, run when the test says, brings it back to `live`. */
function fakeHeap(initial: number): HeapControls & { used: number; live: number; collected: number; run(): Promise<void> } {
  let finish: (() => void) | undefined;
  const heap = {
    used: initial,
    live: initial,
    collected: 0,
    oldSpaceUsed: () => heap.used,
    collect: () => {
      heap.collected++;
      return new Promise<void>((resolve) => (finish = resolve));
    },
    /** Runs the collection asked for and lets the governor see its result. */
    run: async () => {
      heap.used = heap.live;
      finish?.();
      await new Promise((r) => setImmediate(r));
    },
  };
  return heap;
}

test('a small heap is collected once it has grown by more than 3 MiB, once at a time', async () => {
  const heap = fakeHeap(6 * MiB);
  const governor = new HeapGovernor(heap);
  heap.used = 9 * MiB;
  governor.check();
  assert.equal(heap.collected, 0, 'exactly 3 MiB of growth is within the step');
  heap.used = 9 * MiB + 1;
  governor.check();
  assert.equal(heap.collected, 1);
  heap.used = 20 * MiB;
  governor.check();
  assert.equal(heap.collected, 1, 'not asked again while one is pending');
  await heap.run();
  assert.equal(governor.collections, 1);
  heap.used = 8 * MiB;
  governor.check();
  assert.equal(heap.collected, 1, 'measured from what was live after the collection');
});

test('a large heap gets a step of a quarter of what is live', () => {
  const heap = fakeHeap(400 * MiB);
  const governor = new HeapGovernor(heap);
  heap.used = 499 * MiB;
  governor.check();
  assert.equal(heap.collected, 0);
  heap.used = 501 * MiB;
  governor.check();
  assert.equal(heap.collected, 1);
});

test('a collection V8 made on its own becomes the new baseline', () => {
  const heap = fakeHeap(14 * MiB);
  const governor = new HeapGovernor(heap);
  heap.used = 6 * MiB; // V8 collected
  governor.check();
  heap.used = 10 * MiB; // below the old baseline, 4 MiB above the new one
  governor.check();
  assert.equal(heap.collected, 1);
});

test('without gc exposed the governor does not start', () => {
  if (globalThis.gc) return assert.fail('this test process must run without --expose-gc');
  assert.equal(startHeapGovernor(), undefined);
});
