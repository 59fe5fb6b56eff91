/**
 * The restore path of ESOS and init scripts: a configuration saved with
 * -write_config (which lists copy_manager's automatic LUNs) is applied to a
 * freshly started machine, where opening each device already created its
 * copy-manager LUN. scstadmin skips such existing LUNs silently (§6.5.4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../cli/harness.js';
import { repoRoot } from '../repo.js';

test('save, restore on a fresh machine, save again: identical files, and a re-apply changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scst-restore-'));
  try {
    const [first, second] = [join(dir, 'first.state'), join(dir, 'second.state')];
    const [saved, resaved] = [join(dir, 'saved.conf'), join(dir, 'resaved.conf')];
    assert.equal((await run(['--emulate', first, '-config', join(repoRoot, 'fixtures', 'scst.conf')])).code, 0);
    assert.equal((await run(['--emulate', first, '-write_config', saved])).code, 0);
    assert.match(readFileSync(saved, 'utf8'), /TARGET_DRIVER copy_manager \{\n\tTARGET copy_manager_tgt \{\n\t\tLUN 0 /);

    const restored = await run(['--emulate', second, '-config', saved]);
    assert.equal(restored.code, 0, restored.stdout);
    assert.doesNotMatch(restored.stdout, /LUN already exists|FATAL|copy_manager\/copy_manager_tgt': done/);
    assert.equal((await run(['--emulate', second, '-write_config', resaved])).code, 0);
    assert.equal(readFileSync(resaved, 'utf8'), readFileSync(saved, 'utf8'));

    const again = await run(['--emulate', second, '-config', saved]);
    assert.match(again.stdout, /\t-> Done, 0 change\(s\) made\.\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
