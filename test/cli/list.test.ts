/** Listing formats of scstadmin.md §9, byte for byte (t/07 system), and their --json forms. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeFactory, t07Live } from './fake-client.js';
import { framed, run } from './harness.js';
import { listScenarios } from './list-scenarios.js';

describe('listings against the fake client', () => listScenarios(fakeFactory(t07Live)));

describe('listings of sessions and ALUA objects', () => {
  const live = () => {
    const l = t07Live();
    const local = l.drivers.get('scst_local')!.targets.get('local')!;
    local.sessions.set('ini1', { attributes: new Map([['initiator_name', 'ini1'], ['active_commands', '0']]), group: 'ig' });
    l.deviceGroups.set('dg', {
      attributes: new Map(),
      devices: ['disk0', 'disk1'],
      targetGroups: new Map([
        ['tg_local', { attributes: new Map([['group_id', { values: ['1'], key: true, readOnly: false, writeOnly: false }]]), targets: new Map([['local', { attributes: new Map(), local: true }]]) }],
        ['remote_group', { attributes: new Map(), targets: new Map() }],
      ]),
    });
    return l;
  };
  const list = async (...argv: string[]) => run(argv, { connect: (await fakeFactory(live)()).connect });

  test('-list_sessions: session table with LUN rows first (§9.7)', async () => {
    const r = await list('-list_sessions');
    assert.ok(
      r.stdout.includes(
        'Driver/Target: scst_local/local\n\n\tSession: ini1\n\n' +
          '\tAttribute           Value     Writable      KEY\n' +
          '\t-----------------------------------------------\n' +
          '\tLUN 0               disk0     Yes           No \n' +
          '\tLUN 1               disk1     Yes           No \n' +
          '\tactive_commands     0         Yes           No \n' +
          '\tinitiator_name      ini1      Yes           No \n\n',
      ),
      r.stdout,
    );
  });

  test('-list_dgrp, -list_dgrp <dg>, -list_tgrp -dev_group, -list_tgrp <tg>', async () => {
    assert.equal((await list('-list_dgrp')).stdout, framed('\tDevice Group\n\t------------\n\tdg\n\n'));
    assert.equal(
      (await list('-list_dgrp', 'dg')).stdout,
      framed('\tDevices\n\t-------\n\tdisk0\n\tdisk1\n\n\tTarget Groups\n\t------------\n\ttg_local\n\tremote_group\n'),
    );
    assert.equal((await list('-list_tgrp', '-dev_group', 'dg')).stdout, framed('\n\tTarget Groups\n\t------------\n\ttg_local\n\tremote_group\n'));
    assert.equal((await list('-list_tgrp', 'tg_local', '-dev_group', 'dg')).stdout, framed('\tTargets\n\t-------\n\tlocal\n'));
    // -dev_group "" lists every device group with its target groups, indented.
    assert.equal(
      (await list('-list_tgrp', '-dev_group', '')).stdout,
      framed('\tDevice Group\n\t------------\n\tdg\n\n\n\t\tTarget Groups\n\t\t------------\n\t\ttg_local\n\t\tremote_group\n'),
    );
  });

  test('-list_tgrp_attr and -list_dgrp_attr', async () => {
    assert.equal(
      (await list('-list_tgrp_attr', 'tg_local', '-dev_group', 'dg')).stdout,
      framed('\tAttribute     Value     Writable      KEY\n\t-----------------------------------------\n\tgroup_id      1         Yes           Yes\n'),
    );
    assert.equal((await list('-list_dgrp_attr', 'dg')).stdout, framed("No such device group 'dg' found or device group as no attributes.\n"));
    const missing = await list('-list_tgrp_attr', 'nope', '-dev_group', 'dg');
    assert.equal(missing.code, 1);
    assert.ok(missing.stdout.includes("\ttargetGroupAttributes(): Target Group 'nope' does not exist\n"));
  });

  test('--json -list_dgrp', async () => {
    assert.deepEqual(JSON.parse((await list('-list_dgrp', '--json')).stdout), {
      deviceGroups: [{ name: 'dg', devices: ['disk0', 'disk1'], targetGroups: [{ name: 'tg_local', targets: ['local'] }, { name: 'remote_group', targets: [] }] }],
    });
  });
});
