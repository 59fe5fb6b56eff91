/**
 * ClusterLabs resource-agents, implementation=scst (clients.md §1.1–§1.2):
 * the exact argv of iSCSITarget and iSCSILogicalUnit start/stop, Perl's
 * output for each, the mgmt strings the quirks depend on, and the sysfs
 * state the agents' `monitor` actions read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientWorld } from './helpers.js';
import { loadTranscript, replayStep, stepIndex } from './transcript.js';

const IQN = 'iqn.2026-11.org.example:ha';
const TARGET = `targets/iscsi/${IQN}`;

test('iSCSITarget + iSCSILogicalUnit (v4.13–v4.18): start, monitor, stop as Perl scstadmin', async () => {
  const transcript = loadTranscript('clusterlabs');
  const world = new ClientWorld();
  try {
    const steps = transcript.steps;
    const enableAt = stepIndex(transcript, '-enable_target');
    const secondLunAt = stepIndex(transcript, '-add_lun', '1', '-driver', 'iscsi', '-target', IQN, '-device', 'lu1', '-force');
    const remLunAt = stepIndex(transcript, '-rem_lun');
    const forcedCloseAt = stepIndex(transcript, '-close_dev', 'lu1', '-handler', 'vdisk_blockio', '-force');
    const remTargetAt = stepIndex(transcript, '-rem_target');

    for (let i = 0; i < steps.length; i++) {
      const result = await replayStep(world, steps[i]!);
      const argv = steps[i]!.argv;

      if (argv[0] === '-add_tgt_attr' && argv.at(-1) === 'allowed_portal=0.0.0.0') {
        assert.deepEqual(result.writes.map((w) => w.data), [`add_target_attribute ${IQN} allowed_portal 0.0.0.0`]);
      }
      if (argv[0] === '-add_tgt_attr' && argv.at(-1) === 'IncomingUser hauser Secret-Pass-12') {
        // clients.md §1.1: no `=` → the whole item is the name, value 1, written as is.
        assert.deepEqual(result.writes, [{ path: 'targets/iscsi/mgmt', data: `add_target_attribute ${IQN} IncomingUser hauser Secret-Pass-12 1` }]);
        assert.equal(await world.cat(`${TARGET}/IncomingUser`), 'hauser Secret-Pass-12\n[key]\n\n');
      }
      if (argv[0] === '-open_dev') {
        const [write] = result.writes;
        assert.equal(write?.path, 'handlers/vdisk_blockio/mgmt');
        const [verb, name, params] = write!.data.split(' ');
        assert.deepEqual([verb, name], ['add_device', 'lu1']);
        assert.deepEqual(new Set(params!.split(';')), new Set(['filename=/dev/loop0', 'nv_cache=0', 'write_through=1', '']));
      }
      if (i === enableAt) {
        // The agent then enables the driver directly; monitor: `[ $(cat …/enabled) -eq 1 ]`.
        await world.echo('targets/iscsi/enabled', '1\n');
        assert.equal(await world.cat(`${TARGET}/enabled`), '1\n');
        // Driver level (iscsi-scstd): "1\n\n" (sysfs.md §9); the shell's $(cat) drops both newlines.
        assert.equal(await world.cat('targets/iscsi/enabled'), '1\n\n');
        assert.equal(await world.cat(`${TARGET}/rel_tgt_id`), '1\n[key]\n');
      }
      if (i === secondLunAt) {
        // LU monitor (clients.md §1.2) and the double mapping (§6 E.23).
        assert.equal(await world.cat('devices/lu1/active'), '1\n');
        assert.equal(await world.head1('devices/lu1/filename'), '/dev/loop0');
        assert.ok(await world.exists(`${TARGET}/luns/1`));
        assert.ok(await world.exists(`${TARGET}/ini_groups/allowed/luns/1`));
        assert.deepEqual(await world.ls(`${TARGET}/ini_groups/allowed/initiators`), ['iqn.1994-05.com.redhat:client1', 'mgmt']);
        assert.deepEqual(await world.ls('handlers/vdisk_blockio'), ['lu1', 'mgmt', 'trace_level', 'type']);
        assert.equal((await world.lstatType('handlers/vdisk_blockio/lu1')), 'link');
      }
      if (i === remLunAt) {
        // -rem_lun without -group touches only the default LUN set (§6 E.23).
        assert.equal(await world.exists(`${TARGET}/luns/1`), false);
        assert.ok(await world.exists(`${TARGET}/ini_groups/allowed/luns/1`));
      }
      if (i === forcedCloseAt) {
        assert.equal(await world.exists('devices/lu1'), false);
        assert.equal(await world.exists(`${TARGET}/ini_groups/allowed/luns/1`), false);
      }
      if (i === remTargetAt) assert.equal(await world.exists(TARGET), false);
    }
  } finally {
    world.dispose();
  }
});

test('iSCSILogicalUnit HEAD (scst_bstype=vdisk_fileio, blocksize): start, -write_config, stop as Perl scstadmin', async () => {
  const transcript = loadTranscript('clusterlabs-head');
  const world = new ClientWorld();
  try {
    for (const step of transcript.steps) {
      const result = await replayStep(world, step);
      if (step.argv[0] === '-open_dev') {
        const data = result.writes[0]!.data;
        assert.match(data, /^add_device lu2 /);
        assert.deepEqual(
          new Set(data.slice('add_device lu2 '.length).split(';')),
          new Set(['filename=/srv/iscsi/lu0.img', 'nv_cache=0', 'write_through=0', 'blocksize=4096', '']),
        );
        assert.equal(await world.cat('devices/lu2/blocksize'), '4096\n[key]\n');
      }
    }
    assert.equal(await world.exists('devices/lu2'), false);
  } finally {
    world.dispose();
  }
});
