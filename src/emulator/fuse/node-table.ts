import type { NodeType } from '../../sysfs/tree.js';
import { FUSE_ROOT_ID } from './protocol.js';

/** A stable inode number per path (FNV-1a, 64 bit), consistent between stat and readdir. */
export function inodeOf(path: string): bigint {
  if (path === '') return 1n;
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(path, 'utf8')) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash < 2n ? hash + 2n : hash;
}

/** A node the kernel holds a reference to: a tree path of a given type. */
export interface FuseNode {
  readonly id: number;
  readonly path: string;
  readonly type: NodeType;
  /** inodeOf(path), computed once. */
  readonly ino: bigint;
  /** Lookups the kernel has not FORGET-ten yet (the root is never forgotten). */
  lookups: number;
}

/**
 * The kernel's node ids ↔ tree paths. Entries appear and vanish with `mgmt`
 * writes, so a node only names a path: every request re-resolves it in the
 * tree. A path that reappears with another type gets a fresh id, so the
 * kernel never sees an inode change its type. Ids are never reused.
 */
export class NodeTable {
  private readonly byId = new Map<number, FuseNode>();
  private readonly byPath = new Map<string, FuseNode>();
  private nextId = FUSE_ROOT_ID + 1;

  constructor() {
    const root: FuseNode = { id: FUSE_ROOT_ID, path: '', type: 'dir', ino: inodeOf(''), lookups: 1 };
    this.byId.set(root.id, root);
    this.byPath.set(root.path, root);
  }

  get(id: number): FuseNode | undefined {
    return this.byId.get(id);
  }

  /** Records one kernel lookup of `path` (LOOKUP reply or READDIRPLUS entry). */
  lookup(path: string, type: NodeType): FuseNode {
    let node = this.byPath.get(path);
    if (!node || node.type !== type) {
      node = { id: this.nextId++, path, type, ino: inodeOf(path), lookups: 0 };
      this.byId.set(node.id, node);
      this.byPath.set(path, node);
    }
    node.lookups++;
    return node;
  }

  /** FORGET: the kernel dropped `count` lookups of node `id`. */
  forget(id: number, count: number): void {
    const node = this.byId.get(id);
    if (!node || node.id === FUSE_ROOT_ID) return;
    node.lookups -= count;
    if (node.lookups > 0) return;
    this.byId.delete(id);
    if (this.byPath.get(node.path) === node) this.byPath.delete(node.path);
  }

  /** Nodes currently referenced by the kernel (the root included). */
  get size(): number {
    return this.byId.size;
  }
}
