/**
 * TrueNAS SCALE (clients.md §2): the middleware's reload / delete-target /
 * drop-LUN / iSNS-off invocations, the test suite's idempotence regexes,
 * ixdiagnose's listings and the init script's clear, replayed against Perl's
 * transcript; plus -preserve_cluster_mode (TrueNAS-only, §2.1), which the Perl
 * tool rejects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ClientWorld, changesMade, configsDir, copyManagerRemovals } from './helpers.js';
import { loadTranscript, replayStep } from './transcript.js';

const TARGET = 'targets/iscsi/iqn.2005-10.org.freenas.ctl:target0';

test('TrueNAS reload, re-apply with reordered sets, LUN drop, iSNS off, target delete, clear: as Perl scstadmin', async () => {
  const transcript = loadTranscript('truenas');
  const world = new ClientWorld();
  let reloads = 0;
  try {
    for (const step of transcript.steps) {
      const result = await replayStep(world, step);
      if (step.argv.includes('-config')) {
        reloads++;
        if (reloads === 1) {
          // INITIATOR *\#* lines: comment char escaped, unescaped to '#' (§6 C.11).
          assert.deepEqual(await world.ls(`${TARGET}/ini_groups/security_group/initiators`), ['*#10.0.0.5', 'iqn.1991-05.com.microsoft:host2#*', 'mgmt']);
          // The padded t10_dev_id of the mako template is trimmed by the parser.
          assert.equal(await world.cat('devices/pool_ext0/t10_dev_id'), '6a3d1b2c4e5f601\n[key]\n');
        } else {
          // test_263_pyscstadmin.py: 0 changes, or exactly the copy_manager removals (§2.6, §6 C.14).
          assert.equal(changesMade(result.stdout), copyManagerRemovals(result.stdout));
        }
      }
      if (step.argv.includes('-set_drv_attr')) {
        // The value is literally two '"' characters (no quote stripping, §6 A.7).
        assert.deepEqual(result.writes, [{ path: 'targets/iscsi/iSNSServer', data: '""\n' }]);
      }
      if (step.argv.includes('-rem_lun')) {
        assert.equal(await world.exists(`${TARGET}/ini_groups/security_group/luns/1`), false);
        assert.ok(await world.exists(`${TARGET}/ini_groups/security_group/luns/0`));
      }
    }
    assert.equal(await world.exists(TARGET), false);
    assert.deepEqual(await world.ls('devices'), []);
    assert.equal(await world.cat('targets/iscsi/enabled'), '0\n\n');
  } finally {
    world.dispose();
  }
});

test('-preserve_cluster_mode: a live cluster_mode missing from scst.conf does not close and re-open the device', async () => {
  const world = new ClientWorld();
  const conf = join(configsDir, 'truenas-reload.conf');
  try {
    assert.equal((await world.scstadmin(['-noprompt', '-force', '-config', conf])).code, 0);
    // The middleware turns cluster_mode on directly (clients.md §2.4).
    await world.echo('devices/pool_ext0/cluster_mode', '1\n');
    assert.equal(await world.cat('devices/pool_ext0/cluster_mode'), '1\n[key]\n');

    const preserved = await world.scstadmin(['-noprompt', '-preserve_cluster_mode', '-force', '-config', conf]);
    assert.equal(preserved.code, 0);
    assert.doesNotMatch(preserved.stdout, /configured differently|Closing device/);
    assert.equal(changesMade(preserved.stdout), copyManagerRemovals(preserved.stdout));
    assert.equal(await world.cat('devices/pool_ext0/cluster_mode'), '1\n[key]\n');

    // Without the flag, Perl's rule applies: a key attribute absent from the file differs → re-open (§6.8, §6 E.21).
    const plain = await world.scstadmin(['-noprompt', '-force', '-config', conf]);
    assert.equal(plain.code, 0);
    assert.match(plain.stdout, /\t-> Device 'pool_ext0' is configured differently\.\n\t {2}-> Closing and re-opening with new attributes\.\n\t-> Closing device 'pool_ext0' using handler 'vdisk_fileio': done\.\n\t-> Opening device 'pool_ext0' using handler 'vdisk_fileio': done\.\n/);
    assert.equal(await world.cat('devices/pool_ext0/cluster_mode'), '0\n');
  } finally {
    world.dispose();
  }
});

test('-preserve_cluster_mode is accepted anywhere on the line, as TrueNAS 26+ places it', async () => {
  const world = new ClientWorld();
  try {
    assert.equal((await world.scstadmin(['-add_target', 'iqn.2005-10.org.freenas.ctl:t1', '-driver', 'iscsi'])).code, 0);
    const removed = await world.scstadmin(['-force', '-noprompt', '-preserve_cluster_mode', '-rem_target', 'iqn.2005-10.org.freenas.ctl:t1', '-driver', 'iscsi']);
    assert.equal(removed.code, 0);
    assert.equal(removed.stdout, "\nCollecting current configuration: done.\n\n\n-> Making requested changes.\n\t-> Removing virtual target 'iqn.2005-10.org.freenas.ctl:t1' from driver 'iscsi': done.\n\t-> Done.\n\nAll done.\n");
    assert.equal(await world.exists('targets/iscsi/iqn.2005-10.org.freenas.ctl:t1'), false);
  } finally {
    world.dispose();
  }
});
