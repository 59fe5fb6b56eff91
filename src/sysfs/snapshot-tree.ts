import { SysfsError, type NodeStat, type NodeType, type SysfsTree } from './tree.js';

/**
 * One node of a tree dump (fixtures/real-kernel/README.md format):
 * `== <path> <dir|link|file> <mode>` [+ ` len=N` + N content bytes |
 * ` open_errno=13(EACCES)`] for files; links are followed by their target.
 */
export interface DumpEntry {
  type: NodeType;
  mode: number;
  /** File content (files readable at dump time). */
  content?: string;
  /** Errno name the file's open failed with at dump time (e.g. EACCES). */
  openErrno?: string;
  /** Link text (links). */
  target?: string;
}

/**
 * Parses a tree dump into entries keyed by path relative to the dump's root
 * (the first entry), in dump order — which is each directory's readdir order.
 */
export function parseTreeDump(text: string): Map<string, DumpEntry> {
  const bytes = Buffer.from(text, 'utf8');
  const entries = new Map<string, DumpEntry>();
  let root: string | undefined;
  let offset = 0;
  let lineNumber = 0;
  const nextLine = (): string => {
    const end = bytes.indexOf(0x0a, offset);
    const stop = end === -1 ? bytes.length : end;
    const line = bytes.subarray(offset, stop).toString('utf8');
    offset = end === -1 ? bytes.length : end + 1;
    lineNumber++;
    return line;
  };
  while (offset < bytes.length) {
    const header = nextLine();
    if (header === '' && offset >= bytes.length) break;
    if (!header.startsWith('== ')) {
      throw new Error(`tree dump line ${lineNumber}: expected "== <path> <type> <mode>", got ${JSON.stringify(header)}`);
    }
    const fields = header.slice(3).split(' ');
    const extra = fields[fields.length - 1]!.match(/^(len=\d+|open_errno=\d+\((\w+)\))$/) ? fields.pop()! : undefined;
    const modeText = fields.pop();
    const type = fields.pop();
    const absolute = fields.join(' ');
    if (!modeText || !/^[0-7]{3,4}$/.test(modeText) || (type !== 'dir' && type !== 'file' && type !== 'link') || !absolute) {
      throw new Error(`tree dump line ${lineNumber}: malformed header ${JSON.stringify(header)}`);
    }
    root ??= absolute;
    const path = relativeTo(root, absolute, lineNumber);
    const entry: DumpEntry = { type, mode: parseInt(modeText, 8) };
    if (type === 'file') {
      if (extra?.startsWith('len=')) {
        const length = Number(extra.slice(4));
        if (offset + length > bytes.length) {
          throw new Error(`tree dump line ${lineNumber}: content of ${absolute} is truncated`);
        }
        entry.content = bytes.subarray(offset, offset + length).toString('utf8');
        offset += length;
        // A separator newline follows content that does not end in one.
        if (length === 0 || bytes[offset - 1] !== 0x0a) {
          if (offset < bytes.length && bytes[offset] === 0x0a) offset++;
        }
        lineNumber += entry.content.split('\n').length - 1;
      } else if (extra?.startsWith('open_errno=')) {
        entry.openErrno = extra.match(/\((\w+)\)/)![1];
      } else {
        throw new Error(`tree dump line ${lineNumber}: file ${absolute} has neither len= nor open_errno=`);
      }
    } else if (type === 'link') {
      entry.target = nextLine();
    }
    entries.set(path, entry);
  }
  return entries;
}

function relativeTo(root: string, absolute: string, lineNumber: number): string {
  if (absolute === root) return '';
  if (!absolute.startsWith(root + '/')) {
    throw new Error(`tree dump line ${lineNumber}: ${absolute} is outside the dump root ${root}`);
  }
  return absolute.slice(root.length + 1);
}

export interface RecordedWrite {
  path: string;
  data: string;
}

/**
 * TEST DOUBLE: an in-memory SysfsTree serving a tree dump. It implements the
 * generic sysfs semantics of sysfs.md §1 (modes, EACCES/EISDIR/ENOENT,
 * relative symlinks) but no SCST behaviour: writes are only recorded in
 * `writes` and passed to `writeHandler`, which a test uses to answer with an
 * errno (throw a SysfsError) or to mutate the tree. `readFaults` queues errnos
 * for the next reads of a path (e.g. EAGAIN on last_sysfs_mgmt_res).
 */
export class MemoryTree implements SysfsTree {
  readonly writes: RecordedWrite[] = [];
  writeHandler?: (path: string, data: string, tree: MemoryTree) => void | Promise<void>;
  readonly readFaults = new Map<string, string[]>();
  private readonly entries: Map<string, DumpEntry>;
  private readonly children = new Map<string, string[]>();

  constructor(entries: Map<string, DumpEntry> = new Map([['', { type: 'dir', mode: 0o755 }]])) {
    this.entries = new Map();
    if (!entries.has('')) this.entries.set('', { type: 'dir', mode: 0o755 });
    for (const [path, entry] of entries) this.put(path, entry);
  }

  static fromDump(text: string): MemoryTree {
    return new MemoryTree(parseTreeDump(text));
  }

  /** Adds or replaces a node (its parent directory must exist). */
  put(path: string, entry: DumpEntry): this {
    if (path !== '') {
      const parent = parentOf(path);
      const parentEntry = this.entries.get(parent);
      if (!parentEntry || parentEntry.type !== 'dir') throw new Error(`MemoryTree.put: no directory ${parent || '<root>'}`);
      const siblings = this.children.get(parent)!;
      if (!this.entries.has(path)) siblings.push(basename(path));
    }
    this.entries.set(path, entry);
    if (entry.type === 'dir' && !this.children.has(path)) this.children.set(path, []);
    return this;
  }

  file(path: string, content: string, mode = 0o644): this {
    return this.put(path, { type: 'file', mode, content });
  }

  dir(path: string): this {
    return this.put(path, { type: 'dir', mode: 0o755 });
  }

  link(path: string, target: string): this {
    return this.put(path, { type: 'link', mode: 0o777, target });
  }

  /** Removes a node and everything below it. */
  remove(path: string): this {
    if (!this.entries.has(path) || path === '') throw new Error(`MemoryTree.remove: no node ${path}`);
    const prefix = path + '/';
    for (const key of [...this.entries.keys()]) {
      if (key === path || key.startsWith(prefix)) {
        this.entries.delete(key);
        this.children.delete(key);
      }
    }
    const siblings = this.children.get(parentOf(path))!;
    siblings.splice(siblings.indexOf(basename(path)), 1);
    return this;
  }

  /** The node at a path without following links, or undefined. */
  entry(path: string): DumpEntry | undefined {
    return this.entries.get(path);
  }

  async readdir(path: string): Promise<string[]> {
    const resolved = this.resolve(path, true);
    const entry = this.entries.get(resolved)!;
    if (entry.type !== 'dir') throw new SysfsError('ENOTDIR', path);
    return [...this.children.get(resolved)!];
  }

  async lstat(path: string): Promise<NodeStat> {
    return statOf(this.entries.get(this.resolve(path, false))!);
  }

  async stat(path: string): Promise<NodeStat> {
    return statOf(this.entries.get(this.resolve(path, true))!);
  }

  async read(path: string): Promise<string> {
    const entry = this.entries.get(this.resolve(path, true))!;
    const fault = this.readFaults.get(path)?.shift();
    if (fault) throw new SysfsError(fault, path);
    if (entry.type === 'dir') throw new SysfsError('EISDIR', path);
    if (entry.openErrno) throw new SysfsError(entry.openErrno, path);
    if ((entry.mode & 0o400) === 0) throw new SysfsError('EACCES', path);
    return entry.content ?? '';
  }

  async write(path: string, data: string): Promise<void> {
    const entry = this.entries.get(this.resolve(path, true))!;
    if (entry.type === 'dir') throw new SysfsError('EISDIR', path);
    if ((entry.mode & 0o200) === 0) throw new SysfsError('EACCES', path);
    this.writes.push({ path, data });
    await this.writeHandler?.(path, data, this);
  }

  async readlink(path: string): Promise<string> {
    const entry = this.entries.get(this.resolve(path, false))!;
    if (entry.type !== 'link') throw new SysfsError('EINVAL', path);
    return entry.target!;
  }

  /** Resolves links in every component (and the last one if asked); throws ENOENT. */
  private resolve(path: string, followLast: boolean, depth = 0): string {
    if (depth > 40) throw new SysfsError('ELOOP', path);
    // Keys are physical paths (put() requires a real parent directory), so a key needs no walk.
    const direct = this.entries.get(path);
    if (direct && (direct.type !== 'link' || !followLast)) return path;
    const parts = path === '' ? [] : path.split('/');
    let current = '';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      let next: string | undefined;
      if (part === '.' || part === '') next = current;
      else if (part === '..') next = current === '' ? undefined : parentOf(current);
      else next = current === '' ? part : `${current}/${part}`;
      const entry = next === undefined ? undefined : this.entries.get(next);
      if (next === undefined || !entry) throw new SysfsError('ENOENT', path);
      const isLast = i === parts.length - 1;
      if (entry.type === 'link' && (!isLast || followLast)) {
        const target = current === '' ? entry.target! : `${current}/${entry.target!}`;
        next = this.resolve(target, true, depth + 1);
      } else if (!isLast && entry.type !== 'dir') {
        throw new SysfsError('ENOTDIR', path);
      }
      current = next;
    }
    return current;
  }
}

function statOf(entry: DumpEntry): NodeStat {
  return { type: entry.type, mode: entry.mode, size: entry.type === 'file' ? 4096 : 0 };
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
