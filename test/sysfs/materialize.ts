import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DumpEntry } from '../../src/sysfs/index.js';

/** Builds a real directory holding a parsed tree dump (modes, contents, relative links); returns its path. */
export async function materializeDump(entries: Map<string, DumpEntry>): Promise<{ root: string; remove: () => Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), 'sysfs-tree-'));
  const root = join(base, 'scst_tgt');
  for (const [path, entry] of entries) {
    const absolute = path === '' ? root : join(root, path);
    if (entry.type === 'dir') await mkdir(absolute);
    else if (entry.type === 'link') await symlink(entry.target!, absolute);
    else {
      await writeFile(absolute, entry.content ?? '');
      await chmod(absolute, entry.mode);
    }
  }
  return { root, remove: () => rm(base, { recursive: true, force: true }) };
}
