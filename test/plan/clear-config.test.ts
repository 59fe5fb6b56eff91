/** -clear_config (scstadmin.md §8): order, messages, end state. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runClearConfig } from '../../src/cli/commands/clear-config.js';
import { runConfig } from '../../src/cli/commands/config.js';
import { ScstOperationError } from '../../src/sysfs/client-api.js';
import { freshLive } from './fake-client.js';
import { C1_CONF, confFile, exitStatus, makeRun } from './helpers.js';

const T = 'iqn.2006-10.net.vlnb:tgt';

async function configured() {
  const run = makeRun(freshLive());
  assert.equal(await exitStatus(() => runConfig(run.ctx, confFile('c1.conf', C1_CONF))), 0);
  return run.client.state;
}

describe('-clear_config', () => {
  test('removes everything in scstadmin\'s order', async () => {
    const run = makeRun(await configured(), { force: true });
    assert.equal(await exitStatus(() => runClearConfig(run.ctx)), 0);
    assert.equal(
      run.stdout(),
      `-> Clearing running configuration.
\t-> Removing target group 'tg1' from device group 'dg1': done.
\t-> Removing device 'disk1' from target group 'dg1': done.
\t-> Removing device group 'dg1': done.
\t-> Removing all LUNs from driver/target 'copy_manager/copy_manager_tgt': done.
\t-> Removing all initiators driver/target/group 'iscsi/${T}/hosts': done.
\t-> Removing all LUNs from driver/target/group 'iscsi/${T}/hosts': done.
\t-> Removing group 'hosts' from driver/target 'iscsi/${T}': done.
\t-> Removing all LUNs from driver/target 'iscsi/${T}': done.
\t-> Removing virtual target '${T}' from driver 'iscsi': done.
\t-> Removing all dynamic attributes from driver 'iscsi': done.
\t-> Removing all LUNs from driver/target 'scst_local/local': done.
\t-> Removing virtual target 'local' from driver 'scst_local': done.
\t-> Removing all dynamic attributes from driver 'scst_local': done.
\t-> Closing device 'disk1' using handler 'vdisk_fileio': done.
\t-> Closing device 'disk2' using handler 'vdisk_fileio': done.
\t-> Closing device 'null1' using handler 'vdisk_nullio': done.
\t-> Disabling driver 'iscsi': done.
\t-> Configuration cleared.
`,
    );
    const state = run.client.state;
    assert.equal(state.devices.size, 0);
    assert.equal(state.deviceGroups.size, 0);
    assert.equal(state.drivers.get('iscsi')!.targets.size, 0);
    assert.equal(state.drivers.get('iscsi')!.attributes.get('IncomingUser'), undefined);
    assert.deepEqual(state.drivers.get('iscsi')!.attributes.get('enabled')!.values, ['0']);
    assert.deepEqual([...state.drivers.get('copy_manager')!.targets.keys()], ['copy_manager_tgt']);
  });

  test('answering no changes nothing', async () => {
    const run = makeRun(await configured(), { force: true, noprompt: false }, false);
    assert.equal(await exitStatus(() => runClearConfig(run.ctx)), 0);
    assert.equal(run.stdout(), 'Aborting action.\n');
    assert.deepEqual(run.client.log, []);
  });

  test('a failure is FATAL unless -cont_on_err; a failed target removal only warns', async () => {
    const fail = (op: { op: string }) =>
      op.op === 'closeDevice' ? new ScstOperationError(23, 'EBUSY', 'Failed to close device. See "dmesg" for more information.') : undefined;
    const run = makeRun(await configured(), { force: true });
    run.client.failOn = fail;
    assert.equal(await exitStatus(() => runClearConfig(run.ctx)), 1);
    assert.ok(run.stdout().endsWith(
      "\t-> Closing device 'disk1' using handler 'vdisk_fileio': done.\n\n\nFATAL: Received the following error:\n\n\tFailed to close device. See \"dmesg\" for more information.\n\n",
    ));

    const tolerant = makeRun(await configured(), { force: true, contOnErr: true });
    tolerant.client.failOn = (op) =>
      op.op === 'removeTarget' ? new ScstOperationError(54, 'EBUSY', 'busy') : undefined;
    assert.equal(await exitStatus(() => runClearConfig(tolerant.ctx)), 0);
    assert.ok(tolerant.stdout().includes(
      `\t-> Removing virtual target 'local' from driver 'scst_local': done.\n\n\nWARNING: Received the following error:\n\n\tFailed to remove target - target has active sessions. See "dmesg" for more information.\n\n`,
    ));
    assert.ok(tolerant.stdout().endsWith('\t-> Configuration cleared.\n'));
  });
});
