/** The CLI on the in-process emulator (--emulate): the state persists between runs. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { framed, run } from './harness.js';

const MAKING = '\n-> Making requested changes.\n';

describe('--emulate', () => {
  test('a device, a target, a group and a LUN, then the listings and the in-use check', async () => {
    const state = join(await mkdtemp('/tmp/scstadmin-ts-emu-'), 'machine.json');
    const scst = (...argv: string[]) => run(['--emulate', state, ...argv], { isRoot: false });

    assert.equal((await scst('-list_driver')).stdout, framed('\tDriver\n\t------------\n\tcopy_manager\n\tiscsi\n\tscst_local\n'));
    assert.equal((await scst('-open_dev', 'nd0', '-handler', 'vdisk_nullio')).stdout, framed(`${MAKING}\t-> Opening device 'nd0' using handler 'vdisk_nullio': done.\n\t-> Done.\n`));
    assert.equal((await scst('-add_target', 'iqn.2024-01.test:t1', '-driver', 'iscsi')).code, 0);
    assert.equal((await scst('-add_group', 'ig', '-driver', 'iscsi', '-target', 'iqn.2024-01.test:t1')).code, 0);
    assert.equal((await scst('-add_lun', '0', '-driver', 'iscsi', '-target', 'iqn.2024-01.test:t1', '-group', 'ig', '-device', 'nd0')).code, 0);
    assert.equal((await scst('-add_init', 'iqn.1994-05.com.redhat:c1', '-driver', 'iscsi', '-target', 'iqn.2024-01.test:t1', '-group', 'ig')).code, 0);

    const group = await scst('-list_group', 'ig', '-driver', 'iscsi', '-target', 'iqn.2024-01.test:t1');
    assert.equal(
      group.stdout,
      framed('Assigned LUNs:\n\n\tLUN  Device\n\t--------\n\t0    nd0\n\nAssigned Initiators:\n\n\tInitiator\n\t-------------------------\n\tiqn.1994-05.com.redhat:c1\n'),
    );

    const again = await scst('-add_target', 'iqn.2024-01.test:t1', '-driver', 'iscsi');
    assert.equal(again.code, 41);
    assert.ok(again.stdout.includes('\tTarget already exists.\n'));

    const close = await scst('-close_dev', 'nd0', '-handler', 'vdisk_nullio', '-noprompt');
    assert.equal(close.code, 1);
    assert.ok(close.stdout.includes('\tiscsi  iqn.2024-01.test:t1 ig    0   \n'), close.stdout);
    assert.equal((await scst('-close_dev', 'nd0', '-handler', 'vdisk_nullio', '-noprompt', '-force')).code, 0);
    assert.equal((await scst('-list_device')).stdout.includes('nd0'), false);
  });

  test('-debug prints the writes and leaves the machine as it was', async () => {
    const state = join(await mkdtemp('/tmp/scstadmin-ts-emu-'), 'machine.json');
    const r = await run(['--emulate', state, '-open_dev', 'd1', '-handler', 'vdisk_nullio', '-debug'], { isRoot: false });
    assert.ok(r.stdout.includes(`DBG(${process.pid}): `), r.stdout);
    assert.ok(r.stdout.includes('add_device d1'), r.stdout);
    assert.equal((await run(['--emulate', state, '-list_handler', 'vdisk_nullio'], { isRoot: false })).stdout.includes('d1'), false);
  });
});
