/**
 * Finds the scstadmin-ts checkout from a compiled test file, whether it was
 * built into dist/ or into another output directory (tests run with the
 * checkout as the working directory then).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function isRepoRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'scstadmin-ts';
  } catch {
    return false;
  }
}

function findUp(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (isRepoRoot(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export const repoRoot: string = (() => {
  const root = findUp(dirname(fileURLToPath(import.meta.url))) ?? findUp(process.cwd());
  if (!root) throw new Error('cannot find the scstadmin-ts checkout (run the tests from inside it)');
  return root;
})();

export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts);
}

/** The shared contract material next to the checkout (`<repo>/../shared`). */
export function sharedPath(...parts: string[]): string {
  return join(repoRoot, '..', 'shared', ...parts);
}
