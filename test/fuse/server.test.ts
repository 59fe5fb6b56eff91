/**
 * The FUSE server mounted for real, serving an in-memory tree: what `ls`,
 * `cat`, `readlink` and `echo … >` see through the kernel (sysfs.md §1).
 * Every client runs in a child process: this process serves the mount.
 */
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { SysfsTree } from '../../src/sysfs/tree.js';
import { exec, mountForTest, probe, sh, skipReason } from './helpers.js';
import { MemoryTree } from './memory-tree.js';

const skip = skipReason();

/** errno numbers of Linux, including those Node's table lacks. */
function errnoOf(name: string): number {
  const linuxOnly: Record<string, number> = { EBADSLT: 57, EMEDIUMTYPE: 124 };
  return (constants.errno as Record<string, number>)[name] ?? linuxOnly[name]!;
}

describe('FUSE mount of a sysfs tree', { skip }, () => {
  const tree = new MemoryTree();
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;

  before(async () => {
    tree.addLink('handlers/vdisk_fileio/version_link', '../../version');
    ({ dir, cleanup } = await mountForTest(tree));
  });
  after(() => cleanup());

  test('ls -l shows sysfs modes, 4096-byte attributes and the tree order', async () => {
    const result = await exec('ls', ['-l', '-U', dir]);
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout
      .trim()
      .split('\n')
      .slice(1) // "total 0"
      .map((line) => {
        const fields = line.split(/\s+/);
        return `${fields[0]} ${fields[2]}:${fields[3]} ${fields[4]} ${fields.at(-1)}`;
      });
    assert.deepEqual(rows, [
      '-r--r--r-- root:root 4096 version',
      '-rw-r--r-- root:root 4096 setup_id',
      '--w------- root:root 4096 secret',
      'drwxr-xr-x root:root 0 handlers',
      'drwxr-xr-x root:root 0 devices',
      '-r--r--r-- root:root 4096 last_result',
    ]);
    assert.equal(result.stdout.split('\n')[0], 'total 0');
  });

  test('readdir gives . and .. first, then the entries as the tree orders them', async () => {
    const result = await exec('ls', ['-a', '-U', '-1', dir]);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      '.', '..', 'version', 'setup_id', 'secret', 'handlers', 'devices', 'last_result',
    ]);
    const [listing] = await probe({ op: 'readdir', path: `${dir}/handlers/vdisk_fileio` });
    assert.deepEqual(listing, { ok: ['version_link:l'] });
  });

  test('cat returns the attribute bytes exactly', async () => {
    const result = await exec('cat', [`${dir}/version`, `${dir}/last_result`]);
    assert.equal(result.stdout, '3.11.0-pre\n0\n');
  });

  test('readlink gives the relative link text; stat and cat follow it', async () => {
    const link = `${dir}/handlers/vdisk_fileio/version_link`;
    assert.equal((await exec('readlink', [link])).stdout, '../../version\n');
    const [lstat, stat, read] = await probe({ op: 'lstat', path: link }, { op: 'stat', path: link }, { op: 'read', path: link });
    assert.deepEqual(lstat, { ok: { mode: '120777', size: 0, ino: (lstat as { ok: { ino: number } }).ok.ino, nlink: 1, uid: 0, gid: 0 } });
    assert.equal((stat as { ok: { mode: string } }).ok.mode, '100444');
    assert.deepEqual(read, { ok: '3.11.0-pre\n' });
  });

  test('echo value > attribute: truncating open succeeds, store() gets one write with the newline', async () => {
    const before = tree.writes.length;
    const result = await sh(`echo 0x7 > ${dir}/setup_id`);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(tree.writes.slice(before), [['setup_id', '0x7\n']]);
    assert.equal((await exec('cat', [`${dir}/setup_id`])).stdout, '0x7\n');
  });

  test('mgmt writes make entries appear and vanish at once', async () => {
    const device = `${dir}/devices/disk1`;
    const results = await probe(
      { op: 'lstat', path: device },
      { op: 'write', path: `${dir}/devices/mgmt`, data: 'add disk1\n' },
      { op: 'readdir', path: `${dir}/devices` },
      { op: 'read', path: `${device}/size` },
      { op: 'readlink', path: `${device}/handler` },
      { op: 'write', path: `${dir}/devices/mgmt`, data: 'del disk1\n' },
      { op: 'lstat', path: `${device}/size` },
      { op: 'readdir', path: `${dir}/devices` },
    );
    assert.deepEqual(results.map((r) => ('ok' in r ? r.ok : r.error)), [
      'ENOENT',
      10,
      ['mgmt:f', 'disk1:d'],
      '4096\n',
      '../../handlers/vdisk_fileio',
      10,
      'ENOENT',
      ['mgmt:f'],
    ]);
  });

  test('I/O on an open attribute of a removed object fails with ENODEV', async () => {
    const results = await probe(
      { op: 'write', path: `${dir}/devices/mgmt`, data: 'add gone1\n' },
      { op: 'open', path: `${dir}/devices/gone1/size`, flags: 'r', as: 's' },
      { op: 'write', path: `${dir}/devices/mgmt`, data: 'del gone1\n' },
      { op: 'pread', fd: 's', offset: 0, size: 100 },
      { op: 'close', fd: 's' },
    );
    assert.deepEqual(results.map((r) => ('ok' in r ? r.ok : r.error)), [10, true, 10, 'ENODEV', true]);
  });

  test('a failed mgmt write fails write(2) with the store() errno', async () => {
    const errnos = ['EINVAL', 'ENOENT', 'EEXIST', 'EBUSY', 'ENODEV', 'EAGAIN', 'ENOSPC', 'ERANGE', 'EPERM', 'EBADSLT', 'EMEDIUMTYPE'];
    const results = await probe(...errnos.map((name) => ({ op: 'write' as const, path: `${dir}/devices/mgmt`, data: `fail ${name}\n` })));
    assert.deepEqual(
      results.map((r) => ('errno' in r ? r.errno : r)),
      errnos.map(errnoOf),
    );
    // A second `add` of the same name: the tree's EEXIST, as a shell reports it.
    assert.equal((await sh(`echo add twice > ${dir}/devices/mgmt`)).code, 0);
    const again = await exec('bash', ['-c', `echo add twice > ${dir}/devices/mgmt`]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /write error: File exists/);
    await sh(`echo del twice > ${dir}/devices/mgmt`);
  });

  test('open() refuses missing permission bits with EACCES, also for root', async () => {
    const before = tree.writes.length;
    const results = await probe(
      { op: 'write', path: `${dir}/version`, data: 'x\n' },
      { op: 'read', path: `${dir}/secret` },
      { op: 'open', path: `${dir}/secret`, flags: 'r+', as: 'rw' },
      { op: 'write', path: `${dir}/secret`, data: 'ok\n', flags: 'w' },
    );
    assert.deepEqual(results.map((r) => ('ok' in r ? r.ok : r.error)), ['EACCES', 'EACCES', 'EACCES', 3]);
    assert.deepEqual(tree.writes.slice(before), [['secret', 'ok\n']]);
  });

  test('directories: open succeeds, read fails with EISDIR; files are not directories', async () => {
    const results = await probe(
      { op: 'open', path: `${dir}/devices`, flags: 'r', as: 'd' },
      { op: 'pread', fd: 'd', offset: 0, size: 100 },
      { op: 'readdir', path: `${dir}/version` },
      { op: 'read', path: `${dir}/missing` },
    );
    assert.deepEqual(results.map((r) => ('ok' in r ? r.ok : r.error)), [true, 'EISDIR', 'ENOTDIR', 'ENOENT']);
  });

  test('the tree cannot be changed by file operations: create EACCES, mkdir/rm/chmod EPERM', async () => {
    const create = await probe({ op: 'write', path: `${dir}/new_file`, data: 'x' });
    assert.equal((create[0] as { error: string }).error, 'EACCES');
    for (const command of [`mkdir ${dir}/d`, `rm -f ${dir}/version`, `chmod 777 ${dir}/version`, `mv ${dir}/version ${dir}/v2`]) {
      const result = await exec('sh', ['-c', `LC_ALL=C ${command}`]);
      assert.notEqual(result.code, 0, command);
      assert.match(result.stderr, /Operation not permitted/, command);
    }
    assert.equal((await exec('touch', [`${dir}/setup_id`])).code, 0);
  });

  test('every read at offset 0 runs show() afresh, even on the same descriptor', async () => {
    tree.addFile('counter', 0o644, 'first\n');
    const shows = () => tree.shows.get('counter') ?? 0;
    const before = shows();
    const results = await probe(
      { op: 'open', path: `${dir}/counter`, flags: 'r', as: 'a' },
      { op: 'pread', fd: 'a', offset: 0, size: 100 },
      { op: 'write', path: `${dir}/counter`, data: 'second\n' },
      { op: 'pread', fd: 'a', offset: 0, size: 100 },
      { op: 'pread', fd: 'a', offset: 3, size: 100 },
      { op: 'close', fd: 'a' },
    );
    assert.deepEqual(results.map((r) => ('ok' in r ? r.ok : r.error)), [true, 'first\n', 7, 'second\n', 'ond\n', true]);
    assert.equal(shows() - before, 2, 'a read past offset 0 continues the last show()');
  });

  test('a failed show() fails that read; the next read on the same descriptor runs it again', async () => {
    tree.addFile('busy', 0o444, '0\n');
    tree.failingShows.set('busy', ['EAGAIN', 'EAGAIN']);
    const results = await probe(
      { op: 'open', path: `${dir}/busy`, flags: 'r', as: 'b' },
      { op: 'pread', fd: 'b', offset: 0, size: 8 },
      { op: 'pread', fd: 'b', offset: 0, size: 8 },
      { op: 'pread', fd: 'b', offset: 0, size: 8 },
      { op: 'close', fd: 'b' },
    );
    assert.deepEqual(results.map((r) => ('ok' in r ? r.ok : r.error)), [true, 'EAGAIN', 'EAGAIN', '0\n', true]);
    assert.equal(tree.shows.get('busy'), 3);
  });

  test('store() gets at most one page per write; an empty write never reaches it', async () => {
    const before = tree.writes.length;
    // libuv completes short writes itself: the first write(2) stores 4096
    // bytes and returns that count, the retried rest is a second store().
    const results = await probe(
      { op: 'open', path: `${dir}/setup_id`, flags: 'r+', as: 'w' },
      { op: 'writeFd', fd: 'w', data: 'y'.repeat(5000) },
      { op: 'writeFd', fd: 'w', data: '' },
      { op: 'close', fd: 'w' },
    );
    assert.deepEqual(results.map((r) => ('ok' in r ? r.ok : r.error)), [true, 5000, 0, true]);
    assert.deepEqual(tree.writes.slice(before), [
      ['setup_id', 'y'.repeat(4096)],
      ['setup_id', 'y'.repeat(904)],
    ]);
  });

  test('statfs reports a 4096-byte block size and 255-byte names', async () => {
    const result = await exec('stat', ['-f', '-c', '%s %l %b', dir]);
    assert.equal(result.stdout, '4096 255 0\n');
  });
});

/** A tree whose writes take a while and which records how many overlap. */
class SlowTree extends MemoryTree {
  inFlight = 0;
  maxInFlight = 0;
  override async write(path: string, data: string): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await delay(3);
      await super.write(path, data);
    } finally {
      this.inFlight--;
    }
  }
}

describe('concurrent clients', { skip }, () => {
  test('writers from two processes are served one at a time, like the management mutex', async () => {
    const tree = new SlowTree();
    const { dir, cleanup } = await mountForTest(tree as SysfsTree);
    try {
      const writer = (prefix: string) =>
        sh(`for i in 1 2 3 4 5 6 7 8; do echo add ${prefix}$i > ${dir}/devices/mgmt || exit 1; done`);
      const [a, b] = await Promise.all([writer('a'), writer('b')]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(tree.maxInFlight, 1);
      const listing = await exec('ls', [`${dir}/devices`]);
      assert.equal(listing.stdout.trim().split('\n').length, 17);
    } finally {
      await cleanup();
    }
  });
});
