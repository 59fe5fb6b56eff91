import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The scstadmin-ts checkout: walk up from cwd, then from this file, to its package.json. */
export function repoRoot(): string {
  for (const start of [process.cwd(), dirname(fileURLToPath(import.meta.url))]) {
    let dir = resolve(start);
    for (;;) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'scstadmin-ts') return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error('cannot find the scstadmin-ts checkout (run the tests from inside it)');
}

/** A file of the shared fixtures (`<repo>/../shared/fixtures/...`). */
export function sharedFixture(...parts: string[]): string {
  return readFileSync(join(repoRoot(), '..', 'shared', 'fixtures', ...parts), 'utf8');
}

/** A fixture of this test area (`<repo>/test/sysfs/fixtures/...`). */
export function localFixture(name: string): string {
  return readFileSync(join(repoRoot(), 'test', 'sysfs', 'fixtures', name), 'utf8');
}
