import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SgvCache, sgvNode } from '../../src/engine/sgv.js';
import { names, read, s0Subtree, walk, write } from './helpers.js';

describe('sgv/ (sysfs.md §10)', () => {
  test('a 4-CPU tree equals the real kernel tree of S0.txt byte for byte', () => {
    const expected = s0Subtree('sgv');
    const actual = walk(sgvNode({ cpus: 4 }), 'sgv');
    assert.ok(expected.size > 20, 'S0.txt sgv subtree found');
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
    for (const [path, entry] of expected) assert.deepEqual(actual.get(path), entry, path);
  });

  test('pool set follows the CPU count', () => {
    assert.deepEqual(names(sgvNode({ cpus: 1 }), ''), [
      'global_stats',
      'sgv',
      'sgv-0',
      'sgv-clust',
      'sgv-clust-0',
      'sgv-dma',
      'sgv-dma-0',
    ]);
    assert.throws(() => sgvNode({ cpus: 0 }), RangeError);
  });

  test('counters are printed in the kernel layout and a write resets them', () => {
    const cache = new SgvCache(2);
    const pool = cache.pool('sgv-clust-1')!;
    pool.recordAllocation(1, false);
    pool.recordAllocation(1, true);
    pool.recordAllocation(2, false, 1);
    pool.recordAllocation(2048, false, 512);
    pool.recordOtherAllocation(4, 8);
    pool.cachedPages = 3;
    pool.inactiveCachedPages = 2;
    pool.cachedEntries = 1;
    cache.pool('sgv')!.inactiveCachedPages = 5;
    const root = sgvNode({ cpus: 2, cache });
    const stats = read(root, 'sgv-clust-1/stats').split('\n');
    // hit 1, total 3; allocated = 1*1 + 1*2 = 3 pages, merged 1 → 33 %.
    assert.equal(stats[1], 'sgv-clust-1                    1           3           33          3/2/1');
    assert.equal(stats[2], '  sgv-clust-1-4K               1           2           0');
    assert.equal(stats[3], '  sgv-clust-1-8K               0           1           50');
    // big: 1 allocation of 2048 pages, 512 merged → 25 %; other: 8/4 without ×100.
    assert.equal(stats[13], '  big/other                                1/1         25/2');
    assert.equal(read(root, 'global_stats'), 'Inactive pages                             7\n');

    write(root, 'sgv-clust-1/stats', '1\n');
    const after = read(root, 'sgv-clust-1/stats').split('\n');
    assert.equal(after[1], 'sgv-clust-1                    0           0           0           3/2/1');
    assert.equal(after[13], '  big/other                                0/0         0/0');
    // Other pools are untouched by that write; global_stats accepts any write.
    write(root, 'global_stats', 'x');
    assert.equal(read(root, 'global_stats'), 'Inactive pages                             7\n');
  });
});
