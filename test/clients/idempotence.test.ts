/**
 * Re-applying a configuration that is already live changes nothing
 * (clients.md §6 C.14, TrueNAS's test_263 and every init script's reload):
 * the project's sample configuration and the client-shaped ones, with and
 * without -force, against the bytes Perl printed for the same re-apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ClientWorld, changesMade, configsDir, copyManagerRemovals, repoRoot } from './helpers.js';

function reapplied(file: string, force: boolean): string {
  const applying = force ? '-> Applying configuration.\n\nCollecting current configuration: done.\n\n' : '-> Applying configuration.\n';
  return (
    `\nCollecting current configuration: done.\n\n-> Checking configuration file '${file}' for errors.\n\t-> Done, 0 warnings found.\n\n` +
    applying +
    "\t-> Virtual target 'copy_manager_tgt' for driver 'copy_manager' is not in configuration. Use -force to remove it.\n" +
    '\t-> Done, 0 change(s) made.\n\nAll done.\n'
  );
}

const CONFIGS = [
  join(repoRoot, 'fixtures', 'scst.conf'),
  join(configsDir, 'esos.conf'),
  join(configsDir, 'truenas-reload.conf'),
];

for (const file of CONFIGS) {
  test(`re-applying ${file.slice(repoRoot.length + 1)}: Done, 0 change(s) made (as Perl)`, async () => {
    const world = new ClientWorld();
    try {
      const first = await world.scstadmin(['-config', file]);
      assert.equal(first.code, 0, first.stdout);
      assert.ok(changesMade(first.stdout)! > 0);

      const again = await world.scstadmin(['-config', file]);
      assert.deepEqual([again.code, again.stdout, again.stderr], [0, reapplied(file, false), '']);

      // With -force the automatic copy_manager LUNs of the devices go first (the
      // "hysteresis" TrueNAS's test accepts), then the configuration is stable.
      const forced = await world.scstadmin(['-force', '-noprompt', '-config', file]);
      assert.equal(forced.code, 0);
      assert.equal(changesMade(forced.stdout), copyManagerRemovals(forced.stdout));
      const stable = await world.scstadmin(['-force', '-noprompt', '-config', file]);
      assert.deepEqual([stable.code, stable.stdout, stable.stderr], [0, reapplied(file, true), '']);
    } finally {
      world.dispose();
    }
  });
}
