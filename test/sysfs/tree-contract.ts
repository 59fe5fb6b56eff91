import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SysfsError, type SysfsTree } from '../../src/sysfs/index.js';

export interface TreeFixture {
  tree: SysfsTree;
  close?: () => Promise<void>;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SysfsError, `expected a SysfsError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

/**
 * Generic sysfs behaviour (sysfs.md §1) every SysfsTree must show on an SCST
 * tree right after module load (the state of fixtures/real-kernel/S0.txt):
 * a MemoryTree of S0, a real directory holding S0, the emulator in-process or
 * through FUSE. `makeTree` is called once per test.
 */
export function treeContract(label: string, makeTree: () => Promise<TreeFixture>): void {
  describe(`SysfsTree contract: ${label}`, () => {
    const withTree = (name: string, body: (tree: SysfsTree) => Promise<void>) =>
      test(name, async () => {
        const fixture = await makeTree();
        try {
          await body(fixture.tree);
        } finally {
          await fixture.close?.();
        }
      });

    withTree('root listing: SCST directories and attributes, no . or ..', async (tree) => {
      const names = await tree.readdir('');
      for (const name of ['handlers', 'devices', 'targets', 'device_groups', 'sgv', 'version', 'last_sysfs_mgmt_res', 'threads']) {
        assert.ok(names.includes(name), name);
      }
      assert.equal(names.includes('.') || names.includes('..') || names.includes('mgmt'), false);
      assert.deepEqual(await tree.readdir(''), names, 'the order is stable');
    });

    withTree('modes: directories 0755, rw 0644, ro 0444', async (tree) => {
      assert.deepEqual(pick(await tree.stat('handlers')), { type: 'dir', mode: 0o755 });
      assert.deepEqual(pick(await tree.stat('threads')), { type: 'file', mode: 0o644 });
      assert.deepEqual(pick(await tree.stat('version')), { type: 'file', mode: 0o444 });
      assert.deepEqual(pick(await tree.lstat('last_sysfs_mgmt_res')), { type: 'file', mode: 0o444 });
    });

    withTree('symlinks: relative text, lstat sees the link, stat and readdir follow it', async (tree) => {
      const link = 'targets/copy_manager/copy_manager_tgt/sessions/copy_manager_sess/luns';
      assert.equal((await tree.lstat(link)).type, 'link');
      assert.equal(await tree.readlink(link), '../../luns');
      assert.equal((await tree.stat(link)).type, 'dir');
      assert.ok((await tree.readdir(link)).includes('mgmt'));
    });

    withTree('reads: whole content with its newlines; empty attributes are empty', async (tree) => {
      assert.equal(await tree.read('last_sysfs_mgmt_res'), '0\n');
      assert.match(await tree.read('version'), /^SCST version: \d+\.\d+\.\d+/);
      assert.equal(await tree.read('cluster_name'), '');
      assert.match(await tree.read('device_groups/mgmt'), /^Usage: echo "create group_name" >mgmt\n {7}echo "del group_name" >mgmt\n$/);
    });

    withTree('errors: EISDIR, ENOENT, ENOTDIR, EINVAL', async (tree) => {
      await rejectsWith(tree.read('handlers'), 'EISDIR');
      await rejectsWith(tree.read('no_such_attribute'), 'ENOENT');
      await rejectsWith(tree.readdir('no_such_dir'), 'ENOENT');
      await rejectsWith(tree.readdir('threads'), 'ENOTDIR');
      await rejectsWith(tree.readlink('threads'), 'EINVAL');
      await rejectsWith(tree.lstat('handlers/no_such_handler'), 'ENOENT');
      await rejectsWith(tree.stat('handlers/no_such_handler'), 'ENOENT');
    });

    withTree('writes: read-only → EACCES, missing → ENOENT (never created), directory → EISDIR', async (tree) => {
      await rejectsWith(tree.write('version', '1\n'), 'EACCES');
      await rejectsWith(tree.write('last_sysfs_mgmt_res', '1'), 'EACCES');
      await rejectsWith(tree.write('no_such_attribute', '1'), 'ENOENT');
      await rejectsWith(tree.read('no_such_attribute'), 'ENOENT');
      await rejectsWith(tree.write('handlers', '1'), 'EISDIR');
      assert.equal(await tree.read('version').then((text) => text.startsWith('SCST version:')), true, 'unchanged');
    });
  });
}

function pick(stat: { type: string; mode: number }): { type: string; mode: number } {
  return { type: stat.type, mode: stat.mode };
}
