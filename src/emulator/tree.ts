/**
 * EmulatedTree: the engine's nodes seen as /sys/kernel/scst_tgt with
 * kernfs semantics (sysfs.md §1): readdir order, modes, EACCES/EISDIR,
 * relative symlinks, and writes serialised like the kernel's mgmt lock.
 */
import { EngineError, type DirNode, type SysfsNode } from '../engine/node.js';
import { SysfsError, type NodeStat, type SysfsTree } from '../sysfs/tree.js';
import { kernfsSort } from './kernfs-order.js';

/** Where the emulated tree sits in a real file system (for symlink texts). */
export const SCST_ROOT = ['sys', 'kernel', 'scst_tgt'];
const MAX_LINK_HOPS = 16;
/** A store() routine gets at most one page per write(2) (§1.4). */
const WRITE_LIMIT = 4096;

interface Resolved {
  node: SysfsNode;
  /** Canonical root-relative segments of the node. */
  segments: string[];
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/** Normalises a root-relative link target; null when it leaves the tree. */
function normalise(target: string): string[] | null {
  const abs = [...SCST_ROOT];
  for (const seg of split(target)) {
    if (seg === '..') abs.pop();
    else abs.push(seg);
  }
  for (let i = 0; i < SCST_ROOT.length; i++) if (abs[i] !== SCST_ROOT[i]) return null;
  return abs.slice(SCST_ROOT.length);
}

/** The text of a symlink at `linkDir` pointing at root-relative `target` (§1.5). */
export function relativeLinkText(linkDir: string[], target: string): string {
  const from = [...SCST_ROOT, ...linkDir];
  const to = [...SCST_ROOT];
  for (const seg of split(target)) {
    if (seg === '..') to.pop();
    else to.push(seg);
  }
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common++;
  return [...Array<string>(from.length - common).fill('..'), ...to.slice(common)].join('/');
}

function childOf(dir: DirNode, name: string): SysfsNode | undefined {
  if (dir.child) return dir.child(name);
  for (const [n, node] of dir.entries()) if (n === name) return node;
  return undefined;
}

export class EmulatedTree implements SysfsTree {
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly root: () => DirNode) {}

  private resolve(path: string, followLast: boolean): Resolved {
    let segments = split(path);
    for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
      let node: SysfsNode = this.root();
      let restarted = false;
      for (let i = 0; i < segments.length; i++) {
        if (node.kind === 'attr') throw new SysfsError('ENOTDIR', path);
        if (node.kind === 'link') throw new SysfsError('ENOENT', path);
        const next = childOf(node, segments[i]!);
        if (!next) throw new SysfsError('ENOENT', path);
        const isLast = i === segments.length - 1;
        if (next.kind === 'link' && (!isLast || followLast)) {
          const target = normalise(next.target());
          if (!target) throw new SysfsError('ENOENT', path);
          segments = [...target, ...segments.slice(i + 1)];
          restarted = true;
          break;
        }
        node = next;
      }
      if (!restarted) return { node, segments };
    }
    throw new SysfsError('ELOOP', path);
  }

  private static stat(node: SysfsNode): NodeStat {
    if (node.kind === 'dir') return { type: 'dir', mode: 0o755, size: 0 };
    if (node.kind === 'link') return { type: 'link', mode: 0o777, size: 0 };
    return { type: 'file', mode: node.mode, size: 4096 };
  }

  async readdir(path: string): Promise<string[]> {
    const { node } = this.resolve(path, true);
    if (node.kind !== 'dir') throw new SysfsError('ENOTDIR', path);
    return kernfsSort([...node.entries()].map(([name]) => name));
  }

  async lstat(path: string): Promise<NodeStat> {
    return EmulatedTree.stat(this.resolve(path, false).node);
  }

  async stat(path: string): Promise<NodeStat> {
    return EmulatedTree.stat(this.resolve(path, true).node);
  }

  async read(path: string): Promise<string> {
    const { node } = this.resolve(path, true);
    if (node.kind === 'dir') throw new SysfsError('EISDIR', path);
    if (node.kind !== 'attr' || !node.show) throw new SysfsError('EACCES', path);
    try {
      return node.show();
    } catch (err) {
      throw toSysfsError(err, path);
    }
  }

  write(path: string, data: string): Promise<void> {
    const run = this.writeChain.then(() => this.writeNow(path, data));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  private writeNow(path: string, data: string): void {
    const { node } = this.resolve(path, true);
    if (node.kind === 'dir') throw new SysfsError('EISDIR', path);
    if (node.kind !== 'attr' || !node.store || (node.mode & 0o200) === 0) throw new SysfsError('EACCES', path);
    // A zero-length write never reaches the store routine (§1.4).
    if (data.length === 0) return;
    try {
      node.store(data.slice(0, WRITE_LIMIT));
    } catch (err) {
      throw toSysfsError(err, path);
    }
  }

  async readlink(path: string): Promise<string> {
    const segments = split(path);
    const { node } = this.resolve(path, false);
    if (node.kind !== 'link') throw new SysfsError('EINVAL', path);
    const linkDir = this.resolve(segments.slice(0, -1).join('/'), true).segments;
    return relativeLinkText(linkDir, node.target());
  }
}

function toSysfsError(err: unknown, path: string): SysfsError {
  if (err instanceof EngineError) return new SysfsError(err.errno, path, `${err.errno}: ${path}: ${err.message}`);
  if (err instanceof SysfsError) return err;
  return new SysfsError('EIO', path, `EIO: ${path}: ${(err as Error).message ?? String(err)}`);
}
