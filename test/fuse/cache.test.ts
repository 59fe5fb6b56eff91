/**
 * The kernel caches names (entry timeouts) but never attributes or data:
 * every change of the tree — through the mount or made in-process, without
 * any FUSE request — must be seen by the very next stat, open, read,
 * readlink, readdir, access or chdir, exactly as without caching. Also the
 * server's own permission checks (the mount has no default_permissions).
 * Every client runs in a child process: this process serves the mount.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NodeStat } from '../../src/sysfs/tree.js';
import { exec, mountForTest, outcome, probe, probeAsNobody, skipReason } from './helpers.js';
import { MemoryTree } from './memory-tree.js';

const skip = skipReason();

/** A MemoryTree that counts lstat() calls per path (each LOOKUP makes some). */
class CountingTree extends MemoryTree {
  readonly lstats = new Map<string, number>();

  override async lstat(path: string): Promise<NodeStat> {
    this.lstats.set(path, (this.lstats.get(path) ?? 0) + 1);
    return super.lstat(path);
  }
}

describe('cached names, fresh answers', { skip }, () => {
  const tree = new CountingTree();
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;

  before(async () => {
    tree.addFile('handlers/vdisk_fileio/type', 0o444, 'vdisk\n');
    tree.addLink('handlers/vdisk_fileio/version_link', '../../version');
    ({ dir, cleanup } = await mountForTest(tree));
  });
  after(() => cleanup());

  test('names are cached: a second walk of the same path makes no LOOKUP', async () => {
    const path = `${dir}/handlers/vdisk_fileio/type`;
    assert.deepEqual((await probe({ op: 'read', path })).map(outcome), ['vdisk\n']);
    const lookedUp = tree.lstats.get('handlers') ?? 0;
    assert.ok(lookedUp > 0, 'the first walk looked handlers up');
    assert.deepEqual((await probe({ op: 'read', path }, { op: 'stat', path })).map(outcome).map(withoutIno), [
      'vdisk\n',
      { mode: '100444', size: 4096, nlink: 1, uid: 0, gid: 0 },
    ]);
    assert.equal(tree.lstats.get('handlers') ?? 0, lookedUp, 'the second walk used the cached names');
  });

  test('an object deleted through mgmt is gone at once from every cached name', async () => {
    const device = `${dir}/devices/disk1`;
    const results = await probe(
      { op: 'write', path: `${dir}/devices/mgmt`, data: 'add disk1\n' },
      { op: 'lstat', path: device },
      { op: 'read', path: `${device}/size` },
      { op: 'readlink', path: `${device}/handler` },
      { op: 'stat', path: `${device}/handler` },
      { op: 'readdir', path: device },
      { op: 'write', path: `${dir}/devices/mgmt`, data: 'del disk1\n' },
      { op: 'lstat', path: device },
      { op: 'stat', path: `${device}/size` },
      { op: 'read', path: `${device}/size` },
      { op: 'readlink', path: `${device}/handler` },
      { op: 'stat', path: `${device}/handler` },
      { op: 'readdir', path: device },
      { op: 'access', path: `${device}/size`, mode: 'f' },
      { op: 'chdir', path: device },
      { op: 'readdir', path: `${dir}/devices` },
    );
    assert.deepEqual(results.map(outcome).map(withoutIno), [
      10,
      { mode: '40755', size: 0, nlink: 1, uid: 0, gid: 0 },
      '4096\n',
      '../../handlers/vdisk_fileio',
      { mode: '40755', size: 0, nlink: 1, uid: 0, gid: 0 },
      ['size:f', 'handler:l'],
      10,
      'ENOENT',
      'ENOENT',
      'ENOENT',
      'ENOENT',
      'ENOENT',
      'ENOENT',
      'ENOENT',
      'ENOENT',
      ['mgmt:f'],
    ]);
  });

  test('an object removed in-process, without any FUSE request, is gone at once; made again, it is there at once', async () => {
    const device = `${dir}/devices/disk2`;
    const cached = await probe(
      { op: 'write', path: `${dir}/devices/mgmt`, data: 'add disk2\n' },
      { op: 'read', path: `${device}/size` },
      { op: 'readlink', path: `${device}/handler` },
      { op: 'readdir', path: device },
    );
    assert.deepEqual(cached.map(outcome), [10, '4096\n', '../../handlers/vdisk_fileio', ['size:f', 'handler:l']]);
    tree.remove('devices/disk2');
    const gone = await probe(
      { op: 'lstat', path: device },
      { op: 'lstat', path: `${device}/size` },
      { op: 'read', path: `${device}/size` },
      { op: 'open', path: `${device}/size`, flags: 'r', as: 'f' },
      { op: 'readlink', path: `${device}/handler` },
      { op: 'readdir', path: device },
      { op: 'access', path: device, mode: 'x' },
      { op: 'chdir', path: device },
      { op: 'mkdir', path: device },
      { op: 'readdir', path: `${dir}/devices` },
    );
    assert.deepEqual(gone.map(outcome), ['ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'EPERM', ['mgmt:f']]);
    tree.addDir('devices/disk2');
    tree.addFile('devices/disk2/size', 0o444, '8192\n');
    const back = await probe({ op: 'read', path: `${device}/size` }, { op: 'readlink', path: `${device}/handler` }, { op: 'readdir', path: device });
    assert.deepEqual(back.map(outcome), ['8192\n', 'ENOENT', ['size:f']]);
    tree.remove('devices/disk2');
  });

  test('a name that comes back with another type is seen with its new type at once', async () => {
    const shape = `${dir}/devices/shape`;
    tree.addFile('devices/shape', 0o444, 'a file\n');
    assert.deepEqual((await probe({ op: 'lstat', path: shape }, { op: 'read', path: shape })).map(outcome).map(withoutIno), [
      { mode: '100444', size: 4096, nlink: 1, uid: 0, gid: 0 },
      'a file\n',
    ]);
    tree.remove('devices/shape');
    tree.addDir('devices/shape');
    tree.addFile('devices/shape/inner', 0o444, 'inside\n');
    assert.deepEqual(
      (await probe({ op: 'lstat', path: shape }, { op: 'read', path: `${shape}/inner` }, { op: 'read', path: shape })).map(outcome).map(withoutIno),
      [{ mode: '40755', size: 0, nlink: 1, uid: 0, gid: 0 }, 'inside\n', 'EISDIR'],
    );
    tree.remove('devices/shape');
    tree.addLink('devices/shape', '../version');
    // lstat first: readlink(2) of a name the kernel still knows as a directory
    // is refused by the VFS itself (docs/fuse.md, "Caching").
    assert.deepEqual(
      (await probe({ op: 'lstat', path: shape }, { op: 'readlink', path: shape }, { op: 'read', path: shape })).map(outcome).map(withoutIno),
      [{ mode: '120777', size: 0, nlink: 1, uid: 0, gid: 0 }, '../version', '3.11.0-pre\n'],
    );
    tree.remove('devices/shape');
    assert.deepEqual((await probe({ op: 'lstat', path: shape })).map(outcome), ['ENOENT']);
  });

  test('attribute values and link targets are fresh on every read, however they changed', async () => {
    const setupId = `${dir}/setup_id`;
    const link = `${dir}/handlers/vdisk_fileio/version_link`;
    const written = await probe(
      { op: 'read', path: setupId },
      { op: 'write', path: setupId, data: '0x5\n' },
      { op: 'read', path: setupId },
      { op: 'readlink', path: link },
      { op: 'read', path: link },
    );
    assert.deepEqual(written.map(outcome), ['0x0\n', 4, '0x5\n', '../../version', '3.11.0-pre\n']);
    await tree.write('setup_id', '0x7\n');
    tree.remove('handlers/vdisk_fileio/version_link');
    tree.addLink('handlers/vdisk_fileio/version_link', '../../last_result');
    const changed = await probe({ op: 'read', path: setupId }, { op: 'readlink', path: link }, { op: 'read', path: link });
    assert.deepEqual(changed.map(outcome), ['0x7\n', '../../last_result', '0\n']);
  });
});

describe('permissions without default_permissions', { skip }, () => {
  const tree = new MemoryTree();
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;

  before(async () => {
    ({ dir, cleanup } = await mountForTest(tree));
  });
  after(() => cleanup());

  test('anyone but root reads what the mode allows and writes nothing', async () => {
    const results = await probeAsNobody(
      { op: 'read', path: `${dir}/setup_id` },
      { op: 'write', path: `${dir}/setup_id`, data: '0x1\n', flags: 'r+' },
      { op: 'read', path: `${dir}/secret` },
      { op: 'access', path: `${dir}/setup_id`, mode: 'r' },
      { op: 'access', path: `${dir}/setup_id`, mode: 'w' },
      { op: 'access', path: `${dir}/devices`, mode: 'x' },
      { op: 'readdir', path: `${dir}/handlers` },
      { op: 'chdir', path: `${dir}/devices` },
      { op: 'mkdir', path: `${dir}/devices/new` },
      { op: 'utimes', path: `${dir}/setup_id` },
    );
    assert.deepEqual(results.map(outcome), [
      '0x0\n',
      'EACCES',
      'EACCES',
      true,
      'EACCES',
      true,
      ['vdisk_fileio:d'],
      `${dir}/devices`,
      'EACCES',
      'EPERM',
    ]);
    const touch = await exec('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'touch', `${dir}/setup_id`]);
    assert.equal(touch.code, 1);
    assert.match(touch.stderr, /Permission denied/);
    assert.deepEqual(tree.writes, []);
  });

  test('root passes the mode bits except at open() (kernfs), and cannot create names', async () => {
    const results = await probe(
      { op: 'access', path: `${dir}/version`, mode: 'w' },
      { op: 'access', path: `${dir}/secret`, mode: 'r' },
      { op: 'access', path: `${dir}/version`, mode: 'x' },
      { op: 'write', path: `${dir}/version`, data: 'x', flags: 'r+' },
      { op: 'read', path: `${dir}/secret` },
      { op: 'mkdir', path: `${dir}/devices/new` },
      { op: 'utimes', path: `${dir}/setup_id` },
    );
    assert.deepEqual(results.map(outcome), [true, true, 'EACCES', 'EACCES', 'EACCES', 'EPERM', true]);
  });
});

function withoutIno(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { ino: _ino, ...rest } = value as Record<string, unknown>;
  return rest;
}
