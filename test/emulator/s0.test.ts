/**
 * The default machine reproduces the real-kernel capture S0.txt entry by
 * entry, except for host/build-dependent values (real-kernel/README.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { collectTree, parseDump, formatEntries, type DumpEntry } from '../../src/emulator/dump.js';
import { kernfsSort } from '../../src/emulator/kernfs-order.js';
import { newMachine } from '../engine/helpers.js';
import { sharedPath } from '../repo.js';

const S0 = fs.readFileSync(sharedPath('fixtures', 'real-kernel', 'S0.txt'), 'utf8');

/**
 * Entries whose *content* depends on the build or the host. The capture
 * was taken on a 4-CPU machine; the default emulated machine also has 4
 * CPUs, so only the build strings of `version` differ.
 */
const CONTENT_ALLOWED = new Map<string, (ours: string, real: string) => boolean>([
  // Build date and kernel version lines depend on the build/host; the version,
  // build number, git commit, arch and config lines must match.
  ['/sys/kernel/scst_tgt/version', (ours, real) => {
    const stable = (s: string): string[] => s.split('\n').filter((l) => !l.startsWith('SCST build date:') && !l.startsWith('SCST kver:'));
    return JSON.stringify(stable(ours)) === JSON.stringify(stable(real));
  }],
]);

test('the default machine reproduces S0.txt entry by entry', async () => {
  const { tree } = newMachine();
  const ours = await collectTree(tree);
  const real = parseDump(S0);
  assert.deepEqual(ours.map((e) => e.path), real.map((e) => e.path), 'same entries in the same (readdir) order');
  for (let i = 0; i < real.length; i++) {
    const o = ours[i]!;
    const r = real[i]!;
    assert.equal(o.type, r.type, `${r.path}: type`);
    assert.equal(o.mode, r.mode, `${r.path}: mode`);
    assert.equal(o.error, r.error, `${r.path}: open error`);
    const allowed = CONTENT_ALLOWED.get(r.path);
    if (allowed) assert.ok(allowed(o.body ?? '', r.body ?? ''), `${r.path}: stable lines differ`);
    else assert.equal(o.body, r.body, `${r.path}: content`);
  }
});

test('S0.txt round-trips through parseDump/formatEntries byte for byte', () => {
  assert.equal(formatEntries(parseDump(S0)), S0);
});

test('every directory of S0.txt lists its entries in kernfs hash order', () => {
  const children = new Map<string, string[]>();
  for (const e of parseDump(S0) as DumpEntry[]) {
    const slash = e.path.lastIndexOf('/');
    const parent = e.path.slice(0, slash);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(e.path.slice(slash + 1));
  }
  let checked = 0;
  for (const [dir, names] of children) {
    if (dir === '/sys/kernel') continue;
    assert.deepEqual(kernfsSort(names), names, `order of ${dir}`);
    checked += names.length;
  }
  assert.ok(checked > 150, `only ${checked} entries checked`);
});

test('a 1-CPU machine shows threads 1, cpu_mask 1 and no sgv pools of other CPUs', async () => {
  const { tree } = newMachine({ cpus: 1 });
  assert.equal(await tree.read('threads'), '1\n');
  assert.equal(await tree.read('targets/copy_manager/copy_manager_tgt/cpu_mask'), '1\n');
  const pools = await tree.readdir('sgv');
  assert.ok(!pools.includes('sgv-3'));
});
