import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MemoryTree, parseTreeDump, RealDirectoryTree, SysfsClient, SysfsError } from '../../src/sysfs/index.js';
import { sharedFixture } from './helpers.js';
import { materializeDump } from './materialize.js';
import { treeContract } from './tree-contract.js';

const S0 = sharedFixture('real-kernel', 'S0.txt');

treeContract('MemoryTree of S0', async () => ({ tree: MemoryTree.fromDump(S0) }));

treeContract('RealDirectoryTree over a directory holding S0', async () => {
  const { root, remove } = await materializeDump(parseTreeDump(S0));
  return { tree: new RealDirectoryTree(root, { enforceModes: true }), close: remove };
});

describe('parseTreeDump', () => {
  test('S0: paths relative to the root, dump order, modes, exact contents', () => {
    const entries = parseTreeDump(S0);
    const paths = [...entries.keys()];
    assert.equal(paths[0], '');
    assert.deepEqual(paths.slice(1, 5), ['setup_id', 'cluster_name', 'threads', 'trace_mcmds']);
    assert.deepEqual(entries.get('setup_id'), { type: 'file', mode: 0o644, content: '0x0\n' });
    assert.deepEqual(entries.get('cluster_name'), { type: 'file', mode: 0o644, content: '' });
    assert.equal(entries.get('handlers/vdisk_nullio/mgmt')!.content!.length, 362);
    assert.equal(entries.get('targets/iscsi/enabled')!.content, '0\n\n');
    assert.equal(entries.get('targets/iscsi/internal_portal')!.content, '\n\n');
    assert.deepEqual(entries.get('targets/copy_manager/copy_manager_tgt/sessions/copy_manager_sess/luns'), { type: 'link', mode: 0o777, target: '../../luns' });
    assert.equal(entries.get('version')!.content!.split('\n')[0], 'SCST version: 3.11.0-pre');
    assert.equal(entries.size, 178, 'every entry of the dump');
  });

  test('write-only files and malformed input', () => {
    const entries = parseTreeDump('== /r dir 0755\n== /r/force_close file 0200 open_errno=13(EACCES)\n== /r/a file 0644 len=3\nabc\n');
    assert.deepEqual(entries.get('force_close'), { type: 'file', mode: 0o200, openErrno: 'EACCES' });
    assert.deepEqual(entries.get('a'), { type: 'file', mode: 0o644, content: 'abc' });
    assert.throws(() => parseTreeDump('== /r dir 0755\nbogus\n'), /line 2: expected "== <path> <type> <mode>"/);
    assert.throws(() => parseTreeDump('== /r dir 0755\n== /r/a file 0644 len=10\nabc\n'), /truncated/);
    assert.throws(() => parseTreeDump('== /r dir 0755\n== /x/a file 0644 len=0\n\n'), /outside the dump root/);
  });
});

describe('MemoryTree (test double)', () => {
  test('records writes, lets a handler answer with an errno, serves queued read faults', async () => {
    const tree = MemoryTree.fromDump(S0);
    tree.writeHandler = (path) => {
      if (path === 'threads') throw new SysfsError('EINVAL', path);
    };
    await tree.write('poll_us', '5\n');
    await assert.rejects(tree.write('threads', 'x'), { code: 'EINVAL' });
    assert.deepEqual(tree.writes, [{ path: 'poll_us', data: '5\n' }, { path: 'threads', data: 'x' }]);
    tree.readFaults.set('threads', ['EAGAIN']);
    await assert.rejects(tree.read('threads'), { code: 'EAGAIN' });
    assert.equal(await tree.read('threads'), '4\n');
  });
});

describe('RealDirectoryTree specifics', () => {
  async function scratch(): Promise<{ dir: string; tree: RealDirectoryTree; done: () => Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), 'real-tree-'));
    return { dir, tree: new RealDirectoryTree(dir, { enforceModes: true }), done: () => rm(dir, { recursive: true, force: true }) };
  }

  test('readdir keeps the directory order (fs.readdir would sort)', async () => {
    const { dir, tree, done } = await scratch();
    try {
      const names = ['zeta', 'alpha', 'mike', 'bravo', 'yankee', 'charlie', 'x-ray', 'delta', 'lima', 'echo'];
      for (const name of names) await writeFile(join(dir, name), '');
      const kernelOrder = execFileSync('ls', ['-U', '-A', dir], { encoding: 'utf8' }).split('\n').filter(Boolean);
      assert.deepEqual(await tree.readdir(''), kernelOrder);
      assert.deepEqual([...(await tree.readdir(''))].sort(), [...names].sort());
    } finally {
      await done();
    }
  });

  test('modes from stat/lstat; write-only read and read-only write → EACCES even for root', async () => {
    const { dir, tree, done } = await scratch();
    try {
      await writeFile(join(dir, 'force_close'), '');
      await chmod(join(dir, 'force_close'), 0o200);
      await writeFile(join(dir, 'size'), '1\n');
      await chmod(join(dir, 'size'), 0o444);
      await mkdir(join(dir, 'devices'));
      await symlink('devices', join(dir, 'link'));
      assert.deepEqual(await tree.stat('force_close'), { type: 'file', mode: 0o200, size: 0 });
      assert.equal((await tree.lstat('link')).type, 'link');
      assert.equal((await tree.stat('link')).type, 'dir');
      assert.equal(await tree.readlink('link'), 'devices');
      await assert.rejects(tree.read('force_close'), { code: 'EACCES' });
      await assert.rejects(tree.write('size', '2\n'), { code: 'EACCES' });
      await assert.rejects(tree.read('devices'), { code: 'EISDIR' });
      await tree.write('force_close', '1');
      assert.equal(await readFile(join(dir, 'force_close'), 'utf8'), '1');
    } finally {
      await done();
    }
  });

  test('a missing root (SCST not loaded) makes readLive fail with ENOENT', async () => {
    const { dir, done } = await scratch();
    try {
      await assert.rejects(new SysfsClient(new RealDirectoryTree(join(dir, 'scst_tgt'))).readLive(), { name: 'SysfsError', code: 'ENOENT' });
    } finally {
      await done();
    }
  });

  test('write is open(O_WRONLY) + one write: no truncation, no creation', async () => {
    const { dir, tree, done } = await scratch();
    try {
      await writeFile(join(dir, 'attr'), '0123456');
      await tree.write('attr', 'abc');
      assert.equal(await readFile(join(dir, 'attr'), 'utf8'), 'abc3456');
      await assert.rejects(tree.write('new_file', 'x'), { code: 'ENOENT' });
      await assert.rejects(readFile(join(dir, 'new_file')), { code: 'ENOENT' });
    } finally {
      await done();
    }
  });
});
