/** Listing scenarios (scstadmin.md §9) on the t/07 system; the client factory is a parameter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientFactory } from './fake-client.js';
import { framed, run } from './harness.js';

/** Scenarios take the client factory so they can run against the emulator too. */
export function listScenarios(factory: ClientFactory): void {
  const list = async (...argv: string[]) => {
    const { connect } = await factory();
    return run(argv, { connect });
  };

  test('-list_handler (§9.1)', async () => {
    assert.deepEqual(await list('-list_handler'), {
      code: 0,
      stdout: framed('\tHandler\n\t-------------\n\tvcdrom\n\tvdisk_blockio\n\tvdisk_fileio\n\tvdisk_nullio\n'),
      stderr: '',
    });
  });

  test('-list_device (§9.2): header one column wider than rows, trailing spaces', async () => {
    const r = await list('-list_device');
    assert.equal(
      r.stdout,
      framed(
        '\tHandler           Device\n' +
          '\t-----------------------\n' +
          '\tvcdrom           -    \n' +
          '\tvdisk_blockio    -    \n' +
          '\tvdisk_fileio     disk0\n' +
          '\t                 disk1\n' +
          '\tvdisk_nullio     nodev\n',
      ),
    );
  });

  test('-list_handler <h> and an unknown handler', async () => {
    assert.equal((await list('-list_handler', 'vdisk_nullio')).stdout, framed('\tHandler          Device\n\t----------------------\n\tvdisk_nullio    nodev\n'));
    assert.equal((await list('-list_handler', 'nope')).stdout, framed("No such handler 'nope' found.\n"));
  });

  test('-list_device <dev> (§9.3)', async () => {
    assert.equal(
      (await list('-list_device', 'disk0')).stdout,
      framed(
        '\tAttribute     Value                                    Writable      KEY\n' +
          '\t------------------------------------------------------------------------\n' +
          '\tfilename      /dev/scstadmin-regression-test-vdisk     Yes           Yes\n' +
          '\tread_only     1                                        No            Yes\n' +
          '\tsize          1048576                                  No            Yes\n',
      ),
    );
  });

  test('-list_dev_attr -nonkey: non-key rows, <n/a>, <not set> never narrows', async () => {
    const r = await list('-list_dev_attr', 'nodev', '-nonkey');
    // Value column: at least the width of Perl's stringified `exported` hash reference (20).
    assert.equal(
      r.stdout,
      framed(
        '\tAttribute     Value                    Writable      KEY\n' +
          '\t--------------------------------------------------------\n' +
          '\tdummy         0                        Yes           No \n',
      ),
    );
  });

  test('-list_device of a missing device: WARNING, rc 1', async () => {
    const r = await list('-list_device', 'nope');
    assert.deepEqual(r, {
      code: 1,
      stdout: framed("\n\nWARNING: Received the following error:\n\n\tdeviceAttributes(): Device 'nope' is not open\n\n"),
      stderr: '',
    });
  });

  test('-list_driver and -list_target (§9.4, §9.5)', async () => {
    assert.equal((await list('-list_driver')).stdout, framed('\tDriver\n\t------------\n\tcopy_manager\n\tiscsi\n\tscst_local\n'));
    const table =
      '\tDriver       Target                   \n' +
      '\t--------------------------------------\n' +
      '\tcopy_manager copy_manager_tgt         \n' +
      '\tiscsi        iqn.2006-10.net.vlnb:tgt \n' +
      '\t             iqn.2006-10.net.vlnb:tgt2\n' +
      '\tscst_local   local                    \n';
    assert.equal((await list('-list_target')).stdout, framed(table));
    assert.equal((await list('-list_target', 'local')).stdout, framed(table), 'a target without -driver is ignored');
    assert.equal((await list('-list_driver', 'nope')).stdout, framed("No such driver 'nope' exists.\n"));
  });

  test('-list_group (§9.6, t/07)', async () => {
    const r = await list('-list_group');
    const expected =
      'Driver: copy_manager\nTarget: copy_manager_tgt\n\n' +
      "Driver/target 'copy_manager/copy_manager_tgt' has no associated LUNs.\n\n" +
      'Driver: iscsi\nTarget: iqn.2006-10.net.vlnb:tgt\n\n' +
      "Driver/target 'iscsi/iqn.2006-10.net.vlnb:tgt' has no associated LUNs.\n\n" +
      'Driver: iscsi\nTarget: iqn.2006-10.net.vlnb:tgt2\n\n' +
      "Driver/target 'iscsi/iqn.2006-10.net.vlnb:tgt2' has no associated LUNs.\n\n" +
      'Driver: scst_local\nTarget: local\n\n' +
      'Assigned LUNs:\n\n\tLUN  Device\n\t----------\n\t0    nodev\n\n' +
      'Group: ig\n\n' +
      'Assigned LUNs:\n\n\tLUN  Device\n\t----------\n\t0    disk0\n\t1    disk1\n\n' +
      'Assigned Initiators:\n\n\tInitiator\n\t----\n\tini1\n\tini2\n\n\n';
    assert.equal(r.stdout, framed(expected));
  });

  test('-list_group <g> -driver -target: only the group block', async () => {
    const r = await list('-list_group', 'ig', '-driver', 'scst_local', '-target', 'local');
    assert.equal(
      r.stdout,
      framed('Assigned LUNs:\n\n\tLUN  Device\n\t----------\n\t0    disk0\n\t1    disk1\n\nAssigned Initiators:\n\n\tInitiator\n\t----\n\tini1\n\tini2\n'),
    );
    const missing = await list('-list_group', 'nope', '-driver', 'scst_local', '-target', 'local');
    assert.equal(missing.code, 1);
    assert.ok(missing.stdout.includes("\tinitiators(): Group 'nope' does not exist\n"));
  });

  test('-list_group not found messages', async () => {
    assert.equal((await list('-list_group', '-driver', 'iscsi', '-target', 'nope')).stdout, framed("Driver/target 'iscsi/nope' not found\n"));
    assert.equal((await list('-list_group', '-driver', 'nope')).stdout, framed("Driver 'nope' not found.\n"));
    assert.equal((await list('-list_group', '-target', 'nope')).stdout, framed("Target 'nope' not found.\n"));
  });

  test('-list_sessions without sessions', async () => {
    const r = await list('-list_sessions');
    assert.equal(
      r.stdout,
      framed(
        'Driver/Target: copy_manager/copy_manager_tgt\n\n\t(no sessions)\n\n' +
          'Driver/Target: iscsi/iqn.2006-10.net.vlnb:tgt\n\n\t(no sessions)\n\n' +
          'Driver/Target: iscsi/iqn.2006-10.net.vlnb:tgt2\n\n\t(no sessions)\n\n' +
          'Driver/Target: scst_local/local\n\n\t(no sessions)\n\n',
      ),
    );
  });

  test('-list_tgt_attr with key multi-values and the extra sections', async () => {
    const r = await list('-list_tgt_attr', 'iqn.2006-10.net.vlnb:tgt2', '-driver', 'iscsi');
    assert.equal(
      r.stdout,
      framed(
        '\tAttribute        Value          Writable      KEY\n' +
          '\t-------------------------------------------------\n' +
          '\tIncomingUser     joe secret     Yes           Yes\n' +
          '\t                 ann pass       Yes           Yes\n' +
          '\n\tDynamic attributes available\n\t----------------------------\n\tIncomingUser\n\tOutgoingUser\n\tallowed_portal\n' +
          '\n\tLUN CREATE attributes available\n\t-------------------------------\n\tread_only\n',
      ),
    );
    assert.equal(r.code, 0);
  });

  test('-list_drv_attr iscsi: no target CREATE attributes is not an error (§15.1 #18 fixed)', async () => {
    const r = await list('-list_drv_attr', 'iscsi');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      framed(
        '\tAttribute     Value     Writable      KEY\n' +
          '\t-----------------------------------------\n' +
          '\t(none)\n' +
          '\n\tDynamic attributes available\n\t----------------------------\n\tIncomingUser\n\tOutgoingUser\n\tiSNSServer\n',
      ),
    );
  });

  test('-list_scst_attr -nonkey', async () => {
    assert.equal(
      (await list('-list_scst_attr', '-nonkey')).stdout,
      framed(
        '\tAttribute     Value          Writable      KEY\n' +
          '\t----------------------------------------------\n' +
          '\tsetup_id      0x0            Yes           No \n' +
          '\tthreads       4              Yes           No \n' +
          '\tversion       3.11.0-pre     No            No \n',
      ),
    );
  });

  test('-list_hnd_attr with device CREATE attributes sorted', async () => {
    const r = await list('-list_hnd_attr', 'vdisk_fileio');
    assert.equal(
      r.stdout,
      framed(
        '\tAttribute     Value     Writable      KEY\n\t-----------------------------------------\n\t(none)\n' +
          '\n\tDevice CREATE attributes available\n\t----------------------------------\n\tblocksize\n\tfilename\n\tread_only\n',
      ),
    );
  });

  test('-list_dgrp / -list_tgrp on a system without ALUA', async () => {
    assert.equal((await list('-list_dgrp')).stdout, framed('\tDevice Group\n\t------------\n'));
    assert.equal((await list('-list_tgrp', 'tg', '-dev_group', 'dg')).stdout, framed('\tTargets\n\t-------\n'));
    assert.equal((await list('-list_dgrp', 'dg')).stdout, framed('\tDevices\n\t-------\n\n\tTarget Groups\n\t------------\n'));
  });

  test('--json -list_group prints one JSON document and no frame', async () => {
    const r = await list('-list_group', '-driver', 'scst_local', '--json');
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      targets: [{ driver: 'scst_local', target: 'local', luns: { '0': 'nodev' }, groups: [{ name: 'ig', luns: { '0': 'disk0', '1': 'disk1' }, initiators: ['ini1', 'ini2'] }] }],
    });
  });

  test('--json -list_dev_attr', async () => {
    const r = await list('-list_dev_attr', 'disk1', '--json');
    assert.deepEqual(JSON.parse(r.stdout), {
      device: 'disk1',
      handler: 'vdisk_fileio',
      attributes: [
        { name: 'filename', values: ['/dev/disk1'], key: true, writable: true },
        { name: 'size', values: ['1048576'], key: true, writable: false },
      ],
    });
  });

  test('--json lookup failure: an error document and exit 1', async () => {
    const r = await list('-list_device', 'nope', '--json');
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout), { error: "deviceAttributes(): Device 'nope' is not open" });
  });

  test('--json with several lists keys them by command', async () => {
    const r = await list('-list_driver', '-list_handler', '--json');
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['list_handler', 'list_driver']);
    assert.equal(doc.list_driver.drivers[1].name, 'iscsi');
  });
}
