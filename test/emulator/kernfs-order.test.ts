import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareKernfs, kernfsNameHash, kernfsSort } from '../../src/emulator/kernfs-order.js';

test('hash values stay within kernfs limits', () => {
  for (const name of ['', 'a', 'mgmt', 'copy_manager_tgt', 'x'.repeat(300), 'é', '\u00ff\u0080']) {
    const h = kernfsNameHash(name);
    assert.ok(h >= 2 && h <= 0x7ffffffe, `${name}: ${h}`);
  }
});

test('root entries of a real tree come out in the captured order', () => {
  // The order of /sys/kernel/scst_tgt in real-kernel/S0.txt.
  const real = ['setup_id', 'cluster_name', 'threads', 'trace_mcmds', 'handlers', 'devices', 'force_global_sgv_pool', 'targets', 'last_sysfs_mgmt_res', 'max_tasklet_cmd', 'sgv', 'suspend', 'device_groups', 'measure_latency', 'async_lun_replace', 'trace_level', 'version', 'trace_cmds', 'poll_us'];
  assert.deepEqual(kernfsSort([...real].reverse()), real);
});

test('bytes >= 0x80 are sign-extended (hash differs from the zero-extended computation)', () => {
  // Regression guard: a non-ASCII name must not hash like its unsigned variant.
  const mask = (1n << 64n) - 1n;
  const unsignedHash = (name: string): number => {
    let h = 0n;
    for (const b of Buffer.from(name)) h = ((h + ((BigInt(b) << 4n) & mask) + (BigInt(b) >> 4n)) * 11n) & mask;
    let v = Number(((h * 0x61c8864680b583ebn) & mask) >> 32n) & 0x7fffffff;
    if (v < 2) v += 2;
    return v;
  };
  assert.equal(kernfsNameHash('abc'), unsignedHash('abc'));
  assert.notEqual(kernfsNameHash('\u00e9'), unsignedHash('\u00e9'));
});

test('equal hashes fall back to strcmp', () => {
  assert.equal(compareKernfs('same', 'same'), 0);
  assert.ok(compareKernfs('a', 'b') !== 0);
});
