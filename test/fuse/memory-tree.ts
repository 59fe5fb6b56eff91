/**
 * A small in-memory SysfsTree for the FUSE tests: directories, rw/ro/wo
 * attributes, relative symlinks, and a `mgmt` file whose commands create and
 * delete directories or fail with a chosen errno — independent of the engine.
 */
import { SysfsError, joinPath, type NodeStat, type SysfsTree } from '../../src/sysfs/tree.js';

type Entry =
  | { type: 'dir'; children: Map<string, Entry> }
  | { type: 'file'; mode: number; value: string; store?: (data: string) => void }
  | { type: 'link'; target: string };

export class MemoryTree implements SysfsTree {
  private readonly root: Entry = { type: 'dir', children: new Map() };
  /** Every store() call, in order, as [path, data]. */
  readonly writes: Array<[string, string]> = [];
  /** How many times each attribute's show() ran. */
  readonly shows = new Map<string, number>();
  /** errnos the next show() calls of a path fail with, in order. */
  readonly failingShows = new Map<string, string[]>();

  constructor() {
    this.addFile('version', 0o444, '3.11.0-pre\n');
    this.addFile('setup_id', 0o644, '0x0\n');
    this.addFile('secret', 0o200, '');
    this.addDir('handlers/vdisk_fileio');
    this.addDir('devices');
    this.addFile('devices/mgmt', 0o200, '', (data) => this.mgmt(data));
    this.addFile('last_result', 0o444, '0\n');
  }

  addDir(path: string): void {
    let dir = this.root;
    for (const part of path.split('/')) {
      if (dir.type !== 'dir') throw new Error(`${path}: not a directory`);
      let next = dir.children.get(part);
      if (!next) {
        next = { type: 'dir', children: new Map() };
        dir.children.set(part, next);
      }
      dir = next;
    }
  }

  addFile(path: string, mode: number, value: string, store?: (data: string) => void): void {
    this.parentOf(path).children.set(basename(path), { type: 'file', mode, value, store });
  }

  addLink(path: string, target: string): void {
    this.parentOf(path).children.set(basename(path), { type: 'link', target });
  }

  remove(path: string): void {
    this.parentOf(path).children.delete(basename(path));
  }

  /**
   * `add NAME` creates devices/NAME (with a `size` attribute and a `handler`
   * link), `del NAME` removes it, `fail ERRNO` fails with that errno.
   */
  private mgmt(data: string): void {
    const [command, name] = data.trim().split(/\s+/);
    if (command === 'fail' && name) throw new SysfsError(name, 'devices/mgmt');
    if (command === 'add' && name) {
      if (this.find(`devices/${name}`)) throw new SysfsError('EEXIST', 'devices/mgmt');
      this.addDir(`devices/${name}`);
      this.addFile(`devices/${name}/size`, 0o444, '4096\n');
      this.addLink(`devices/${name}/handler`, '../../handlers/vdisk_fileio');
      return;
    }
    if (command === 'del' && name) {
      if (!this.find(`devices/${name}`)) throw new SysfsError('ENODEV', 'devices/mgmt');
      this.remove(`devices/${name}`);
      return;
    }
    throw new SysfsError('EINVAL', 'devices/mgmt');
  }

  private find(path: string): Entry | undefined {
    let entry: Entry | undefined = this.root;
    for (const part of path === '' ? [] : path.split('/')) {
      if (entry?.type !== 'dir') return undefined;
      entry = entry.children.get(part);
    }
    return entry;
  }

  private get(path: string): Entry {
    const entry = this.find(path);
    if (!entry) throw new SysfsError('ENOENT', path);
    return entry;
  }

  private parentOf(path: string): Extract<Entry, { type: 'dir' }> {
    const slash = path.lastIndexOf('/');
    const parent = this.get(slash < 0 ? '' : path.slice(0, slash));
    if (parent.type !== 'dir') throw new Error(`${path}: parent is not a directory`);
    return parent;
  }

  async readdir(path: string): Promise<string[]> {
    const entry = this.get(path);
    if (entry.type !== 'dir') throw new SysfsError('ENOTDIR', path);
    return [...entry.children.keys()];
  }

  async lstat(path: string): Promise<NodeStat> {
    const entry = this.get(path);
    if (entry.type === 'dir') return { type: 'dir', mode: 0o755, size: 0 };
    if (entry.type === 'link') return { type: 'link', mode: 0o777, size: 0 };
    return { type: 'file', mode: entry.mode, size: 4096 };
  }

  async stat(path: string): Promise<NodeStat> {
    const entry = this.get(path);
    return entry.type === 'link' ? this.stat(this.linkTarget(path, entry.target)) : this.lstat(path);
  }

  private linkTarget(linkPath: string, target: string): string {
    const slash = linkPath.lastIndexOf('/');
    const parts = slash < 0 ? [] : linkPath.slice(0, slash).split('/');
    for (const part of target.split('/')) {
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return joinPath(...parts);
  }

  async read(path: string): Promise<string> {
    const entry = this.get(path);
    if (entry.type === 'dir') throw new SysfsError('EISDIR', path);
    if (entry.type === 'link') return this.read(this.linkTarget(path, entry.target));
    if (!(entry.mode & 0o444)) throw new SysfsError('EACCES', path);
    this.shows.set(path, (this.shows.get(path) ?? 0) + 1);
    const failure = this.failingShows.get(path)?.shift();
    if (failure) throw new SysfsError(failure, path);
    return entry.value;
  }

  async write(path: string, data: string): Promise<void> {
    const entry = this.get(path);
    if (entry.type !== 'file') throw new SysfsError('EISDIR', path);
    if (!(entry.mode & 0o222)) throw new SysfsError('EACCES', path);
    this.writes.push([path, data]);
    if (entry.store) entry.store(data);
    else entry.value = data;
  }

  async readlink(path: string): Promise<string> {
    const entry = this.get(path);
    if (entry.type !== 'link') throw new SysfsError('EINVAL', path);
    return entry.target;
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
