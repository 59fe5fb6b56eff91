/** Shared helpers for the ALUA/SGV tests: a fake engine host and node walking. */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { EngineError, type AttrNode, type DirNode, type Errno, type SysfsNode } from '../../src/engine/node.js';
import type { AluaHost, AluaState, TargetRef } from '../../src/engine/alua/index.js';
import assert from 'node:assert/strict';
import { sharedPath } from '../repo.js';

export function readS0(): string {
  return readFileSync(sharedPath('fixtures', 'real-kernel', 'S0.txt'), 'latin1');
}

export type Entry =
  | { type: 'dir'; mode: number }
  | { type: 'file'; mode: number; content: string }
  | { type: 'link'; target: string };

/**
 * Parses S0.txt (format: real-kernel/README.md) into path → entry, keeping
 * only paths under `/sys/kernel/scst_tgt/<subtree>`, relative to the root.
 */
export function s0Subtree(subtree: string): Map<string, Entry> {
  const text = readS0();
  const prefix = '/sys/kernel/scst_tgt/';
  const result = new Map<string, Entry>();
  let pos = 0;
  while (pos < text.length) {
    const lineEnd = text.indexOf('\n', pos);
    const header = text.slice(pos, lineEnd);
    pos = lineEnd + 1;
    const m = /^== (\S+) (dir|link|file) ([0-7]+)(?: len=(\d+))?/.exec(header);
    if (!m) throw new Error(`S0.txt: unexpected line ${JSON.stringify(header)}`);
    const [, path, type, mode, len] = m as unknown as [string, string, string, string, string | undefined];
    let entry: Entry;
    if (type === 'file' && len !== undefined) {
      const content = text.slice(pos, pos + Number(len));
      pos += Number(len);
      if (!content.endsWith('\n')) pos += 1;
      entry = { type: 'file', mode: parseInt(mode, 8), content };
    } else if (type === 'link') {
      const end = text.indexOf('\n', pos);
      entry = { type: 'link', target: text.slice(pos, end) };
      pos = end + 1;
    } else if (type === 'dir') {
      entry = { type: 'dir', mode: parseInt(mode, 8) };
    } else {
      throw new Error(`S0.txt: unreadable file in test subtree: ${header}`);
    }
    const rel = path.slice(prefix.length);
    if (rel === subtree || rel.startsWith(`${subtree}/`)) result.set(rel, entry);
  }
  return result;
}

/** Relative link text as sysfs shows it (sysfs.md §1.5): from the link's directory to the target. */
export function linkText(linkPath: string, rootRelativeTarget: string): string {
  return posix.relative(posix.dirname(`/${linkPath}`), `/${rootRelativeTarget}`);
}

/** Walks a node into path → entry (links as their relative text), like S0.txt shows it. */
export function walk(node: DirNode, base: string): Map<string, Entry> {
  const result = new Map<string, Entry>();
  const visit = (dir: DirNode, path: string): void => {
    result.set(path, { type: 'dir', mode: 0o755 });
    for (const [name, child] of dir.entries()) {
      const childPath = `${path}/${name}`;
      if (child.kind === 'dir') visit(child, childPath);
      else if (child.kind === 'link') result.set(childPath, { type: 'link', target: linkText(childPath, child.target()) });
      else result.set(childPath, { type: 'file', mode: child.mode, content: child.show!() });
    }
  };
  visit(node, base);
  return result;
}

/** Resolves a '/'-separated path below `root` (no link following). */
export function lookup(root: DirNode, path: string): SysfsNode | undefined {
  let node: SysfsNode | undefined = root;
  for (const part of path.split('/').filter((p) => p !== '')) {
    if (node?.kind !== 'dir') return undefined;
    node = node.child ? node.child(part) : [...node.entries()].find(([n]) => n === part)?.[1];
  }
  return node;
}

function attrAt(root: DirNode, path: string): AttrNode {
  const node = lookup(root, path);
  assert.ok(node, `${path} does not exist`);
  assert.equal(node.kind, 'attr', `${path} is not an attribute`);
  return node as AttrNode;
}

export function read(root: DirNode, path: string): string {
  return attrAt(root, path).show!();
}

export function write(root: DirNode, path: string, data: string): void {
  attrAt(root, path).store!(data);
}

/** Asserts that a write fails with exactly `errno`. */
export function writeFails(root: DirNode, path: string, data: string, errno: Errno): void {
  assert.throws(
    () => write(root, path, data),
    (error: unknown) => error instanceof EngineError && error.errno === errno,
    `write ${JSON.stringify(data)} to ${path} should fail with ${errno}`,
  );
}

export function names(root: DirNode, path: string): string[] {
  const node = path === '' ? root : lookup(root, path);
  assert.ok(node && node.kind === 'dir', `${path} is not a directory`);
  return [...node.entries()].map(([n]) => n).sort();
}

/** A fake engine: devices and targets the test creates, and every callback recorded. */
export class FakeHost implements AluaHost {
  readonly devices = new Set<string>();
  readonly targets: Array<TargetRef & { relTgtId: number }> = [];
  readonly stateChanges: string[] = [];
  readonly unitAttentions: string[] = [];
  readonly mgmtResults: Array<Errno | 0> = [];

  constructor(devices: string[] = [], targets: Array<[driver: string, name: string, relTgtId?: number]> = []) {
    for (const d of devices) this.devices.add(d);
    for (const [driver, name, relTgtId = 0] of targets) this.targets.push({ driver, name, relTgtId });
  }

  deviceExists(name: string): boolean {
    return this.devices.has(name);
  }

  findTarget(name: string): TargetRef | undefined {
    const t = this.targets.find((target) => target.name === name);
    return t && { driver: t.driver, name: t.name };
  }

  relativeTargetId(target: TargetRef): number {
    const t = this.targets.find((x) => x.driver === target.driver && x.name === target.name);
    if (!t) throw new Error(`no target ${target.driver}/${target.name}`);
    return t.relTgtId;
  }

  deviceAluaStateChanged(device: string, from: AluaState, to: AluaState): void {
    this.stateChanges.push(`${device}:${from}->${to}`);
  }

  raiseAsymmetricAccessStateChanged(device: string, target: TargetRef): void {
    this.unitAttentions.push(`${device}@${target.driver}/${target.name}`);
  }

  mgmtWorkDone(errno: Errno | undefined): void {
    this.mgmtResults.push(errno ?? 0);
  }
}
