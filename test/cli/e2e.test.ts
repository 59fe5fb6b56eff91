/**
 * A few runs as a real process over a real directory tree (--sysfs-root):
 * piped stdin for the prompt (`yes | scstadmin …`, `</dev/null`), stdout/
 * stderr separation and exit status.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mainModule = new URL('../../src/cli/main.js', import.meta.url).href;
let runner = '';
let root = '';

before(async () => {
  const dir = await mkdtemp('/tmp/scstadmin-ts-e2e-');
  runner = join(dir, 'run.mjs');
  await writeFile(runner, `import { main } from ${JSON.stringify(mainModule)};\nprocess.exitCode = await main(process.argv.slice(2));\n`);
  root = join(dir, 'scst_tgt');
  for (const sub of ['handlers', 'devices', 'targets', 'device_groups']) await mkdir(join(root, sub), { recursive: true });
  await writeFile(join(root, 'version'), '3.11.0-pre\n');
  await writeFile(join(root, 'last_sysfs_mgmt_res'), '0\n');
});

function scstadmin(args: string[], input?: string) {
  // Resolve node_modules next to the compiled tree (dist/ or a private build dir).
  const result = spawnSync(process.execPath, [runner, '--sysfs-root', root, ...args], {
    input: input ?? '',
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('as a process', () => {
  test('a listing on an empty tree', () => {
    assert.deepEqual(scstadmin(['-list_driver']), { code: 0, stdout: '\nCollecting current configuration: done.\n\n\tDriver\n\t\n\nAll done.\n', stderr: '' });
  });
  test('stdin at EOF declines the prompt and exits 0', () => {
    const r = scstadmin(['-clear_inits', '-driver', 'd', '-target', 't', '-group', 'g']);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.endsWith('(y/[n]) ? Aborting action.\n\nAll done.\n'));
  });
  test('yes on stdin continues (the write then fails: no such driver)', () => {
    const r = scstadmin(['-rem_target', 'x', '-driver', 'y'], 'yes\ny\ny\n');
    assert.ok(r.stdout.includes("\t-> Removing virtual target 'x' from driver 'y': done.\n"));
    assert.notEqual(r.code, 0);
  });
  test('unknown option goes to stderr', () => {
    assert.deepEqual(scstadmin(['-nope']), { code: 1, stdout: '', stderr: 'Unknown option: nope\n' });
  });
});
