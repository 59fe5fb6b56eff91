/** Test helpers shared by test/engine and test/emulator. */
import { ScstEngine, type MachineOptions } from '../../src/engine/engine.js';
import { MemoryHostFs } from '../../src/engine/host-fs.js';
import { EmulatedTree } from '../../src/emulator/tree.js';
import { collectTree, formatEntries } from '../../src/emulator/dump.js';
import { SysfsError, type SysfsTree } from '../../src/sysfs/tree.js';


/** The host used by engine tests: a few backing files and a block device. */
export function testHost(): MemoryHostFs {
  return new MemoryHostFs()
    .set('/img', { kind: 'file', size: 10 * 2 ** 20 })
    .set('/img2', { kind: 'file', size: 2 ** 20 })
    .set('/cd.iso', { kind: 'file', size: 700 * 2 ** 20 })
    .set('/dev/sdb', { kind: 'block', size: 2 ** 30 })
    .set('/dir', { kind: 'other', size: 0 });
}

export interface TestMachine {
  engine: ScstEngine;
  tree: EmulatedTree;
  host: MemoryHostFs;
}

export function newMachine(options: Partial<MachineOptions> = {}): TestMachine {
  const host = testHost();
  const engine = new ScstEngine(options, host);
  return { engine, tree: new EmulatedTree(() => engine.root()), host };
}

/** The errno name of a failing tree call, or 'ok'. */
export async function errnoOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof SysfsError) return err.code;
    throw err;
  }
}

/** The whole tree in S0.txt format. */
export async function dumpTree(tree: SysfsTree, path = ''): Promise<string> {
  return formatEntries(await collectTree(tree, path));
}
