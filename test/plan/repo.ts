/** Finds the repository root (package.json named scstadmin-ts) from the cwd or this file, wherever tsc put it. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findFrom(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'scstadmin-ts' && existsSync(join(dir, 'src'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export const REPO_ROOT = findFrom(process.cwd()) ?? findFrom(dirname(fileURLToPath(import.meta.url)));
if (REPO_ROOT === undefined) throw new Error('cannot find the scstadmin-ts repository root (run the tests from inside it)');

export function sharedFixture(name: string): string {
  return readFileSync(join(REPO_ROOT!, '..', 'shared', 'fixtures', name), 'utf8');
}
