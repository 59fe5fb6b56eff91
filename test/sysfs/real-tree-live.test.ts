import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LiveScst } from '../../src/model/live.js';
import { MemoryTree, parseTreeDump, RealDirectoryTree, SysfsClient } from '../../src/sysfs/index.js';
import { localFixture, sharedFixture } from './helpers.js';
import { materializeDump } from './materialize.js';

/**
 * The live model as comparable JSON. A real directory has its own readdir order, so
 * directory-ordered lists are sorted here; everything else must match exactly.
 */
function normalized(live: LiveScst): unknown {
  return JSON.parse(
    JSON.stringify(live, (_key, value: unknown) => {
      if (value instanceof Map) return Object.fromEntries([...value].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return [...value].sort();
      return value;
    }),
  );
}

async function throughRealDirectory(dump: string): Promise<{ real: LiveScst; memory: LiveScst; reads: number }> {
  const { root, remove } = await materializeDump(parseTreeDump(dump));
  try {
    const client = new SysfsClient(new RealDirectoryTree(root, { enforceModes: true }), { trackReadPaths: true });
    const real = await client.readLive();
    assert.deepEqual([...client.readsByPath!].filter(([, n]) => n > 1), []);
    const memory = await new SysfsClient(MemoryTree.fromDump(dump)).readLive();
    return { real, memory, reads: client.counters.reads };
  } finally {
    await remove();
  }
}

describe('readLive through RealDirectoryTree equals readLive through MemoryTree', () => {
  test('S0 (real kernel after load)', async () => {
    const { real, memory } = await throughRealDirectory(sharedFixture('real-kernel', 'S0.txt'));
    assert.deepEqual(normalized(real), normalized(memory));
    assert.equal(real.version, '3.11.0-pre');
  });

  test('configured system (devices, LUNs, groups, sessions, ALUA, write-only files)', async () => {
    const { real, memory } = await throughRealDirectory(localFixture('configured.txt'));
    assert.deepEqual(normalized(real), normalized(memory));
    const session = real.drivers.get('iscsi')!.targets.get('iqn.2024-01.com.example:t1')!.sessions.get('iqn.ini:a1')!;
    assert.deepEqual(session.writeOnly, ['force_close']);
    assert.equal(real.deviceGroups.get('dg1')!.targetGroups.get('tg1')!.targets.get('iqn.2024-01.com.example:t1')!.local, true);
  });
});
