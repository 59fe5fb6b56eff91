/**
 * -config / -write_config / -clear_config through the whole CLI on the
 * in-process emulator (--emulate): real sysfs client, real kernel rules.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { run } from '../cli/harness.js';
import { C1_CONF, C2_CONF } from './helpers.js';

const done = (n: number) => `\t-> Done, ${n} change(s) made.\n\nAll done.\n`;

describe('on the emulator', () => {
  test('apply, re-apply, save, re-apply the saved file, shrink with -force, clear', async () => {
    const dir = await mkdtemp('/tmp/scstadmin-plan-e2e-');
    const state = join(dir, 'machine.json');
    const scst = (...argv: string[]) => run(['--emulate', state, ...argv], { isRoot: false });
    await writeFile(join(dir, 'd1'), Buffer.alloc(1 << 20));
    await writeFile(join(dir, 'd2'), Buffer.alloc(1 << 20));
    const localise = (text: string) => text.replaceAll('/disk1', join(dir, 'd1')).replaceAll('"/disk 2"', join(dir, 'd2'));
    const c1 = join(dir, 'c1.conf');
    const c2 = join(dir, 'c2.conf');
    await writeFile(c1, localise(C1_CONF));
    await writeFile(c2, localise(C2_CONF));

    const first = await scst('-config', c1);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.ok(first.stdout.includes("\t-> Enabling driver 'iscsi': done.\n"));

    const again = await scst('-config', c1);
    assert.equal(again.code, 0);
    assert.ok(
      again.stdout.endsWith(
        "-> Applying configuration.\n\t-> Virtual target 'copy_manager_tgt' for driver 'copy_manager' is not in configuration. Use -force to remove it.\n" +
          done(0),
      ),
      again.stdout,
    );

    // what -write_config saves is a configuration that changes nothing when applied
    const saved = join(dir, 'saved.conf');
    assert.equal((await scst('-write_config', saved)).code, 0);
    const savedText = await readFile(saved, 'utf8');
    assert.ok(savedText.includes('TARGET_DRIVER copy_manager {'));
    const roundTrip = await scst('-config', saved, '-force', '-noprompt');
    assert.equal(roundTrip.code, 0);
    assert.ok(roundTrip.stdout.endsWith(`-> Applying configuration.\n\nCollecting current configuration: done.\n\n${done(0)}`), roundTrip.stdout);

    const shrink = await scst('-config', c2, '-force', '-noprompt');
    assert.equal(shrink.code, 0, shrink.stdout);
    assert.ok(shrink.stdout.includes("\t-> Moving initiator 'iqn.1991-05.com.microsoft:win1' from group 'hosts' to group 'other': done.\n"));
    assert.ok(shrink.stdout.includes("\t-> Removing virtual target 'local' from driver 'scst_local': done.\n"));
    // converged: at most the copy_manager LUN the kernel re-created for the re-opened disk1
    await scst('-config', c2, '-force', '-noprompt');
    const settled = await scst('-config', c2, '-force', '-noprompt');
    assert.ok(settled.stdout.endsWith(done(0)), settled.stdout);

    const clear = await scst('-clear_config', '-force', '-noprompt');
    assert.equal(clear.code, 0);
    assert.ok(clear.stdout.endsWith('\t-> Configuration cleared.\n\nAll done.\n'));
    const after = join(dir, 'after.conf');
    await scst('-write_config', after);
    assert.ok(!(await readFile(after, 'utf8')).includes('HANDLER'));
  });
});
