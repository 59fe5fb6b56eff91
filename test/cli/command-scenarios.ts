/** Single-object command transcripts (scstadmin.md §11, §13) on the t/07 system; the client factory is a parameter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientFactory } from './fake-client.js';
import { framed, run } from './harness.js';

export const MAKING = '\n-> Making requested changes.\n';

export function commandScenarios(factory: ClientFactory): void {
  const exec = async (...argv: string[]) => {
    const f = await factory();
    return { ...(await run(argv, { connect: f.connect })), performed: f.performed() };
  };

  test('-set_dev_attr: set, already set, lacks; Done, N change(s) made.', async () => {
    const r = await exec('-set_dev_attr', 'disk0', '-attributes', 't10_dev_id=abc,filename=/dev/scstadmin-regression-test-vdisk,size=1,bogus=2', '-noprompt');
    assert.equal(
      r.stdout,
      framed(
        MAKING +
          "\t-> Setting device attribute 't10_dev_id' to value 'abc' for device 'disk0': done.\n" +
          "\t-> Attribute 'filename' already set to value '/dev/scstadmin-regression-test-vdisk', ignoring.\n" +
          "\t-> WARNING: Device 'disk0' lacks the settable attribute 'size', ignoring.\n\n" +
          "\t-> WARNING: Device 'disk0' lacks the settable attribute 'bogus', ignoring.\n\n" +
          '\t-> Done, 1 change(s) made.\n',
      ),
    );
    assert.deepEqual(r.performed, [{ op: 'setDeviceAttribute', device: 'disk0', name: 't10_dev_id', value: 'abc' }]);
    assert.equal(r.code, 0);
  });

  test('-set_dev_attr on a missing device: WARNING, 0 changes, exit 1', async () => {
    const r = await exec('-set_dev_attr', 'nope', '-attributes', 'a=1', '-noprompt');
    assert.equal(r.stdout, framed(`${MAKING}\n\nWARNING: Received the following error:\n\n\tdeviceAttributes(): Device 'nope' is not open\n\n\t-> Done, 0 change(s) made.\n`));
    assert.equal(r.code, 1);
  });

  test('-close_dev of an exported device: table and FATAL, nothing written', async () => {
    const r = await exec('-close_dev', 'disk0', '-handler', 'vdisk_fileio', '-noprompt');
    assert.equal(
      r.stdout,
      '\nCollecting current configuration: done.\n\n' +
        MAKING +
        "Device 'disk0' is currently in use by the following:\n\n" +
        '\tDriver     Target Group Lun \n' +
        '\t---------- ------ ----- ----\n' +
        '\tscst_local local  ig    0   \n' +
        "\n\nFATAL: Received the following error:\n\n\tDevice 'disk0' still in use, aborting. Use -force to override.\n\n",
    );
    assert.equal(r.code, 1);
    assert.deepEqual(r.performed, []);
  });

  test('-close_dev -force closes', async () => {
    const r = await exec('-close_dev', 'disk0', '-handler', 'vdisk_fileio', '-noprompt', '-force');
    assert.equal(r.stdout, framed(`${MAKING}\t-> Closing device 'disk0' using handler 'vdisk_fileio': done.\n\t-> Done.\n`));
    assert.equal(r.code, 0);
  });

  test('-open_dev sends every attribute; an existing device is FATAL after done.', async () => {
    const ok = await exec('-open_dev', 'disk9', '-handler', 'vdisk_fileio', '-attributes', 'filename=/x,read_only');
    assert.equal(ok.stdout, framed(`${MAKING}\t-> Opening device 'disk9' using handler 'vdisk_fileio': done.\n\t-> Done.\n`));
    assert.deepEqual(ok.performed, [{ op: 'openDevice', handler: 'vdisk_fileio', device: 'disk9', params: [['filename', '/x'], ['read_only', '1']] }]);
    const dup = await exec('-open_dev', 'disk0', '-handler', 'vdisk_fileio');
    assert.equal(
      dup.stdout,
      `\nCollecting current configuration: done.\n\n${MAKING}\t-> Opening device 'disk0' using handler 'vdisk_fileio': done.\n\n\nFATAL: Received the following error:\n\n\tDevice already exists.\n\n`,
    );
    assert.equal(dup.code, 1);
  });

  test('-cont_on_err turns the FATAL into a bare line', async () => {
    const r = await exec('-open_dev', 'disk0', '-handler', 'vdisk_fileio', '-cont_on_err');
    assert.equal(r.stdout, framed(`${MAKING}\t-> Opening device 'disk0' using handler 'vdisk_fileio': done.\nDevice already exists.\n\t-> Done.\n`));
    assert.equal(r.code, 0);
  });

  test('-add_target of an existing target exits with the library code 41', async () => {
    const r = await exec('-add_target', 'local', '-driver', 'scst_local');
    assert.equal(
      r.stdout,
      framed(`${MAKING}\t-> Creating target 'local' for driver 'scst_local': done.\n\t-> Done.\n\n\nWARNING: Received the following error:\n\n\tTarget already exists.\n\n`),
    );
    assert.equal(r.code, 41);
  });

  test('-rem_target of a missing target exits 40', async () => {
    const r = await exec('-rem_target', 'nope', '-driver', 'iscsi', '-noprompt');
    assert.equal(r.code, 40);
    assert.ok(r.stdout.endsWith('\tNo such target exists.\n\n\nAll done.\n'));
  });

  test('-add_init of an initiator already in a group names the target', async () => {
    const r = await exec('-add_init', 'ini1', '-driver', 'scst_local', '-target', 'local', '-group', 'ig');
    assert.equal(r.stdout, framed(`${MAKING}\t-> Initiator 'ini1' already belongs to group 'ig' for driver/target 'scst_local/local', ignoring.\n\t-> Done.\n`));
    assert.deepEqual(r.performed, []);
  });

  test('-add_init, -move_init, -clear_inits messages', async () => {
    assert.equal(
      (await exec('-add_init', 'ini3', '-driver', 'scst_local', '-target', 'local', '-group', 'ig')).stdout,
      framed(`${MAKING}\t-> Adding new initiator 'ini3' to driver/target/group 'scst_local/local/ig': done.\n\t-> Done.\n`),
    );
    assert.equal(
      (await exec('-move_init', 'ini1', '-driver', 'scst_local', '-target', 'local', '-group', 'ig', '-to', 'ig2', '-noprompt')).stdout,
      framed(`${MAKING}\t-> Moving initiator 'ini1' from group 'ig' to group 'ig2': done.\n\t-> Done.\n`),
    );
    assert.equal(
      (await exec('-clear_inits', '-driver', 'scst_local', '-target', 'local', '-group', 'ig', '-noprompt')).stdout,
      framed(`${MAKING}\t-> Removing all initiators driver/target/group 'scst_local/local/ig': done.\n\t-> Done.\n`),
    );
  });

  test('-rem_group of a group in use: group block and FATAL', async () => {
    const r = await exec('-rem_group', 'ig', '-driver', 'scst_local', '-target', 'local', '-noprompt');
    assert.equal(
      r.stdout,
      `\nCollecting current configuration: done.\n\n${MAKING}` +
        'Assigned LUNs:\n\n\tLUN  Device\n\t----------\n\t0    disk0\n\t1    disk1\n\nAssigned Initiators:\n\n\tInitiator\n\t----\n\tini1\n\tini2\n' +
        '\n\nFATAL: Received the following error:\n\n\tGroup is still in use, aborting. Use -force to override.\n\n',
    );
    assert.equal(r.code, 1);
  });

  test('LUN commands: target and group forms', async () => {
    assert.equal(
      (await exec('-add_lun', '5', '-driver', 'scst_local', '-target', 'local', '-device', 'disk1', '-attributes', 'read_only=1')).stdout,
      framed(`${MAKING}\t-> Adding device 'disk1' at LUN 5 to driver/target 'scst_local/local': done.\n\t-> Done.\n`),
    );
    assert.equal(
      (await exec('-rem_lun', '1', '-driver', 'scst_local', '-target', 'local', '-group', 'ig', '-noprompt')).stdout,
      framed(`${MAKING}\t-> Removing LUN 1 from driver/target/group 'scst_local/local/ig': done.\n\t-> Done.\n`),
    );
    // Without -group only the default set is touched (clients.md §6 E.23).
    const r = await exec('-rem_lun', '1', '-driver', 'scst_local', '-target', 'local', '-noprompt');
    assert.deepEqual(r.performed, [{ op: 'removeLun', driver: 'scst_local', target: 'local', lun: '1' }]);
    assert.ok(r.stdout.includes("\t-> Removing LUN 1 from driver/target 'scst_local/local': done.\n\n\nFATAL: Received the following error:\n\n\tNo such LUN exists.\n\n"));
    assert.equal(
      (await exec('-replace_lun', '0', '-driver', 'scst_local', '-target', 'local', '-device', 'disk1', '-noprompt')).stdout.split('\n')[5],
      "\t-> Replacing device at LUN 0 with device 'disk1' in driver/target 'scst_local/local': done.",
    );
    assert.equal(
      (await exec('-clear_luns', '-driver', 'scst_local', '-target', 'local', '-noprompt')).stdout,
      framed(`${MAKING}\t-> Removing all LUNs from driver/target 'scst_local/local': done.\n\t-> Done.\n`),
    );
  });

  test('-enable_target / -disable_target; a target without enabled', async () => {
    assert.equal(
      (await exec('-enable_target', 'iqn.2006-10.net.vlnb:tgt', '-driver', 'iscsi')).stdout,
      framed(`${MAKING}\t-> Enabling driver/target 'iscsi/iqn.2006-10.net.vlnb:tgt': done.\n\t-> Done.\n`),
    );
    assert.equal(
      (await exec('-disable_target', 'iqn.2006-10.net.vlnb:tgt2', '-driver', 'iscsi', '-noprompt')).stdout,
      framed(`${MAKING}\t-> Disabling driver/target 'iscsi/iqn.2006-10.net.vlnb:tgt2': done.\n\t-> Done.\n`),
    );
    assert.equal(
      (await exec('-enable_target', 'copy_manager_tgt', '-driver', 'copy_manager')).stdout,
      framed(`${MAKING}\t-> WARNING: Driver/target 'copy_manager/copy_manager_tgt' lacks the settable attribute 'enabled', ignoring.\n\n\t-> Done.\n`),
    );
  });

  test('-add_tgt_attr / -rem_tgt_attr / -set_tgt_attr with dynamic attributes', async () => {
    const add = await exec('-add_tgt_attr', 'iqn.2006-10.net.vlnb:tgt2', '-driver', 'iscsi', '-attributes', 'IncomingUser=joe secret,IncomingUser=bob pw');
    assert.equal(
      add.stdout,
      framed(`${MAKING}\t-> Adding target attribute 'IncomingUser' with value 'bob pw' for driver/target 'iscsi/iqn.2006-10.net.vlnb:tgt2': done.\n\t-> Done.\n`),
    );
    const rem = await exec('-rem_tgt_attr', 'iqn.2006-10.net.vlnb:tgt2', '-driver', 'iscsi', '-attributes', 'OutgoingUser=x y', '-noprompt');
    assert.equal(rem.stdout, framed(`${MAKING}\t-> Attribute/value 'OutgoingUser/x y' doesn't exist for driver/target 'iscsi/iqn.2006-10.net.vlnb:tgt2'.\n\t-> Done.\n`));
    // A not-yet-present dynamic attribute is added (clients.md §6 E.24); no stale-value report (§15.1 #20 fixed).
    const set = await exec('-set_tgt_attr', 'iqn.2006-10.net.vlnb:tgt', '-driver', 'iscsi', '-attributes', 'OutgoingUser=o p', '-noprompt');
    assert.equal(
      set.stdout,
      framed(`${MAKING}\t-> Adding target attribute 'OutgoingUser' with value 'o p' for driver/target 'iscsi/iqn.2006-10.net.vlnb:tgt': done.\n\t-> Done, 1 change(s) made.\n`),
    );
  });

  test('-issue_lip on iSCSI-only systems reports no host and exits 0; -no_lip skips', async () => {
    const r = await exec('-issue_lip');
    assert.equal(
      r.stdout,
      framed(
        MAKING +
          "\t-> Driver/target 'copy_manager/copy_manager_tgt' has no 'host' attribute, ignoring.\n" +
          "\t-> Driver/target 'iscsi/iqn.2006-10.net.vlnb:tgt' has no 'host' attribute, ignoring.\n" +
          "\t-> Driver/target 'iscsi/iqn.2006-10.net.vlnb:tgt2' has no 'host' attribute, ignoring.\n" +
          "\t-> Driver/target 'scst_local/local' has no 'host' attribute, ignoring.\n" +
          '\t-> Done.\n',
      ),
    );
    assert.equal(r.code, 0);
    assert.equal((await exec('-issue_lip', '-no_lip')).stdout, framed(`${MAKING}\t-> Done.\n`));
  });

  test('-resync_dev exits 0 on success (§15.1 #17 fixed)', async () => {
    const r = await exec('-resync_dev', 'disk0');
    assert.equal(r.stdout, framed(`${MAKING}\t-> Setting device attribute 'resync_size' to value '1' for device 'disk0': done.\n\t-> Done.\n`));
    assert.equal(r.code, 0);
  });

  test('ALUA: add device group, in-use removal', async () => {
    assert.equal((await exec('-add_dgrp', 'dg1')).stdout, framed(`${MAKING}\t-> Adding new device group 'dg1': done.\n\t-> Done.\n`));
  });

  test('--detailed-exitcode: 2 when something changed, 0 when not', async () => {
    assert.equal((await exec('-set_dev_attr', 'disk0', '-attributes', 't10_dev_id=new', '-noprompt', '--detailed-exitcode')).code, 2);
    assert.equal((await exec('-set_dev_attr', 'disk0', '-attributes', 't10_dev_id=disk0', '-noprompt', '--detailed-exitcode')).code, 0);
  });
}
