/**
 * The generic sysfs behaviour every SysfsTree must show (test/sysfs/tree-contract.ts),
 * run against the emulator: in-process, and through a FUSE mount where this
 * machine allows one.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScstEngine } from '../../src/engine/engine.js';
import { EmulatedTree } from '../../src/emulator/tree.js';
import { mountTree } from '../../src/emulator/fuse/mount.js';
import { RealDirectoryTree } from '../../src/sysfs/real-tree.js';
import { treeContract } from '../sysfs/tree-contract.js';

treeContract('EmulatedTree in-process', async () => {
  const engine = new ScstEngine();
  return { tree: new EmulatedTree(() => engine.root()) };
});

const fuseAvailable = process.getuid?.() === 0 && (await access('/dev/fuse').then(() => true, () => false));
if (fuseAvailable) {
  treeContract('EmulatedTree through a FUSE mount', async () => {
    const engine = new ScstEngine();
    const dir = await mkdtemp(join(tmpdir(), 'scst-contract-'));
    const mount = await mountTree(new EmulatedTree(() => engine.root()), dir);
    return {
      tree: new RealDirectoryTree(dir),
      close: async () => {
        await mount.unmount();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
} else {
  console.log('# FUSE contract skipped: needs root and /dev/fuse');
}
