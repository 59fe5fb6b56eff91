import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AluaManager } from '../../src/engine/alua/index.js';
import { FakeHost, linkText, lookup, names, read, s0Subtree, walk, write, writeFails } from './helpers.js';

const GROUPS_USAGE = 'Usage: echo "create group_name" >mgmt\n       echo "del group_name" >mgmt\n';
const DEVICES_USAGE = 'Usage: echo "add device" >mgmt\n       echo "del device" >mgmt\n';
const TARGETS_USAGE = 'Usage: echo "add target" >mgmt\n       echo "del target" >mgmt\n';

function setup() {
  const host = new FakeHost(
    ['disk1', 'disk2', 'mgmt'],
    [
      ['iscsi', 'iqn.2026-01.x:t1', 1],
      ['scst_local', 'local1', 7],
      ['iscsi', 'state', 3],
    ],
  );
  const alua = new AluaManager(host);
  return { host, alua, root: alua.node() };
}

/** A dg `dg1` with disk1 and tg `tg1` (the usual scstadmin sequence). */
function populated() {
  const s = setup();
  write(s.root, 'mgmt', 'create dg1');
  write(s.root, 'dg1/devices/mgmt', 'add disk1');
  write(s.root, 'dg1/target_groups/mgmt', 'add tg1');
  s.host.mgmtResults.length = 0;
  return s;
}

describe('device_groups/ initial state', () => {
  test('equals the real kernel tree of S0.txt byte for byte', () => {
    const expected = s0Subtree('device_groups');
    assert.equal(expected.size, 2);
    const actual = walk(setup().root, 'device_groups');
    assert.deepEqual(actual, expected);
  });
});

describe('device_groups/mgmt (synchronous, sysfs.md §9.2)', () => {
  test('create makes a dg with exactly devices/ and target_groups/, each with its mgmt', () => {
    const { root, host } = setup();
    write(root, 'mgmt', 'create dg1');
    assert.deepEqual(names(root, ''), ['dg1', 'mgmt']);
    assert.deepEqual(names(root, 'dg1'), ['devices', 'target_groups']);
    assert.deepEqual(names(root, 'dg1/devices'), ['mgmt']);
    assert.deepEqual(names(root, 'dg1/target_groups'), ['mgmt']);
    assert.equal(read(root, 'dg1/devices/mgmt'), DEVICES_USAGE);
    assert.equal(read(root, 'dg1/target_groups/mgmt'), GROUPS_USAGE);
    assert.equal(read(root, 'mgmt'), GROUPS_USAGE);
    assert.deepEqual(host.mgmtResults, [], 'device_groups/mgmt does not touch last_sysfs_mgmt_res');
  });

  test('add is an alias, keywords are case-insensitive, only the first line counts, extra lexemes are ignored', () => {
    const { root } = setup();
    write(root, 'mgmt', 'add dg1\n');
    write(root, 'mgmt', 'CrEaTe dg2 extra words');
    write(root, 'mgmt', 'create=dg3');
    write(root, 'mgmt', '  create\tdg4\ncreate dg5');
    assert.deepEqual(names(root, ''), ['dg1', 'dg2', 'dg3', 'dg4', 'mgmt']);
    write(root, 'mgmt', 'DEL dg2');
    assert.deepEqual(names(root, ''), ['dg1', 'dg3', 'dg4', 'mgmt']);
  });

  test('errnos: EEXIST for an existing dg, EINVAL for bad commands and unknown dg; nothing changes', () => {
    const { root, host } = setup();
    write(root, 'mgmt', 'create dg1');
    writeFails(root, 'mgmt', 'create dg1', 'EEXIST');
    writeFails(root, 'mgmt', 'add dg1\n', 'EEXIST');
    writeFails(root, 'mgmt', 'create', 'EINVAL');
    writeFails(root, 'mgmt', 'create \n', 'EINVAL');
    writeFails(root, 'mgmt', '\ncreate dg2', 'EINVAL');
    writeFails(root, 'mgmt', 'make dg2', 'EINVAL');
    writeFails(root, 'mgmt', 'del', 'EINVAL');
    writeFails(root, 'mgmt', 'del dg9', 'EINVAL');
    writeFails(root, 'mgmt', 'del DG1', 'EINVAL');
    writeFails(root, 'mgmt', 'create mgmt', 'EEXIST');
    writeFails(root, 'mgmt', 'create a/b', 'EINVAL');
    assert.deepEqual(names(root, ''), ['dg1', 'mgmt']);
    assert.deepEqual(host.mgmtResults, []);
  });
});

describe('<dg>/devices/mgmt (queued)', () => {
  test('add creates a link ../../../devices/<dev>; del removes it', () => {
    const { root, host } = setup();
    write(root, 'mgmt', 'create dg1');
    write(root, 'dg1/devices/mgmt', 'add disk1');
    write(root, 'dg1/devices/mgmt', 'ADD disk2\n');
    assert.deepEqual(names(root, 'dg1/devices'), ['disk1', 'disk2', 'mgmt']);
    const node = lookup(root, 'dg1/devices/disk1');
    assert.ok(node?.kind === 'link');
    assert.equal(node.target(), 'devices/disk1');
    assert.equal(linkText('device_groups/dg1/devices/disk1', node.target()), '../../../devices/disk1');
    write(root, 'dg1/devices/mgmt', 'del disk1');
    assert.deepEqual(names(root, 'dg1/devices'), ['disk2', 'mgmt']);
    assert.deepEqual(host.mgmtResults, [0, 0, 0]);
  });

  test('errnos: EEXIST when in any dg (checked first), EINVAL unknown device / non-member / bad command', () => {
    const { root, host } = setup();
    write(root, 'mgmt', 'create dg1');
    write(root, 'mgmt', 'create dg2');
    write(root, 'dg1/devices/mgmt', 'add disk1');
    host.mgmtResults.length = 0;
    writeFails(root, 'dg1/devices/mgmt', 'add disk1', 'EEXIST');
    writeFails(root, 'dg2/devices/mgmt', 'add disk1', 'EEXIST');
    host.devices.delete('disk1');
    writeFails(root, 'dg2/devices/mgmt', 'add disk1', 'EEXIST');
    writeFails(root, 'dg2/devices/mgmt', 'add nosuch', 'EINVAL');
    writeFails(root, 'dg2/devices/mgmt', 'del disk1', 'EINVAL');
    writeFails(root, 'dg2/devices/mgmt', 'add', 'EINVAL');
    writeFails(root, 'dg2/devices/mgmt', 'create disk2', 'EINVAL');
    writeFails(root, 'dg2/devices/mgmt', 'add mgmt', 'EEXIST');
    assert.deepEqual(host.mgmtResults, ['EEXIST', 'EEXIST', 'EEXIST', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'EEXIST']);
    assert.deepEqual(names(root, 'dg1/devices'), ['disk1', 'mgmt']);
    assert.deepEqual(names(root, 'dg2/devices'), ['mgmt']);
  });
});

describe('<dg>/target_groups/mgmt (queued)', () => {
  test('create gives group_id 0 [key], preferred 0, state active [key] and the usage text', () => {
    const { root, host } = setup();
    write(root, 'mgmt', 'create dg1');
    write(root, 'dg1/target_groups/mgmt', 'create tg1');
    write(root, 'dg1/target_groups/mgmt', 'Add tg2\n');
    assert.deepEqual(names(root, 'dg1/target_groups'), ['mgmt', 'tg1', 'tg2']);
    assert.deepEqual(walk(root, '').get('/dg1/target_groups/tg1'), { type: 'dir', mode: 0o755 });
    assert.deepEqual(names(root, 'dg1/target_groups/tg1'), ['group_id', 'mgmt', 'preferred', 'state']);
    assert.equal(read(root, 'dg1/target_groups/tg1/group_id'), '0\n[key]\n');
    assert.equal(read(root, 'dg1/target_groups/tg1/preferred'), '0\n');
    assert.equal(read(root, 'dg1/target_groups/tg1/state'), 'active\n[key]\n');
    assert.equal(read(root, 'dg1/target_groups/tg1/mgmt'), TARGETS_USAGE);
    for (const file of ['mgmt', 'group_id', 'preferred', 'state']) {
      const node = lookup(root, `dg1/target_groups/tg1/${file}`);
      assert.ok(node?.kind === 'attr' && node.mode === 0o644, file);
    }
    write(root, 'dg1/target_groups/mgmt', 'del tg1');
    assert.deepEqual(names(root, 'dg1/target_groups'), ['mgmt', 'tg2']);
    assert.deepEqual(host.mgmtResults, [0, 0, 0]);
  });

  test('errnos: EEXIST for an existing tg, EINVAL for unknown tg and bad commands', () => {
    const { root, host } = setup();
    write(root, 'mgmt', 'create dg1');
    write(root, 'dg1/target_groups/mgmt', 'create tg1');
    host.mgmtResults.length = 0;
    writeFails(root, 'dg1/target_groups/mgmt', 'create tg1', 'EEXIST');
    writeFails(root, 'dg1/target_groups/mgmt', 'create mgmt', 'EEXIST');
    writeFails(root, 'dg1/target_groups/mgmt', 'del tg2', 'EINVAL');
    writeFails(root, 'dg1/target_groups/mgmt', 'del', 'EINVAL');
    writeFails(root, 'dg1/target_groups/mgmt', 'remove tg1', 'EINVAL');
    assert.deepEqual(host.mgmtResults, ['EEXIST', 'EEXIST', 'EINVAL', 'EINVAL', 'EINVAL']);
    assert.deepEqual(names(root, 'dg1/target_groups'), ['mgmt', 'tg1']);
  });
});

describe('<tg>/mgmt members (queued)', () => {
  test('a local target becomes a link ../../../../targets/<drv>/<tgt>, an unknown one a directory with rel_tgt_id', () => {
    const { root, host } = populated();
    write(root, 'dg1/target_groups/tg1/mgmt', 'add iqn.2026-01.x:t1');
    write(root, 'dg1/target_groups/tg1/mgmt', 'add remote1\n');
    const local = lookup(root, 'dg1/target_groups/tg1/iqn.2026-01.x:t1');
    assert.ok(local?.kind === 'link');
    assert.equal(
      linkText('device_groups/dg1/target_groups/tg1/iqn.2026-01.x:t1', local.target()),
      '../../../../targets/iscsi/iqn.2026-01.x:t1',
    );
    assert.deepEqual(names(root, 'dg1/target_groups/tg1/remote1'), ['rel_tgt_id']);
    assert.equal(read(root, 'dg1/target_groups/tg1/remote1/rel_tgt_id'), '0\n[key]\n');
    assert.deepEqual(host.mgmtResults, [0, 0]);
  });

  test('local/remote is decided when added and not revisited', () => {
    const { root, host } = populated();
    write(root, 'dg1/target_groups/tg1/mgmt', 'add later');
    host.targets.push({ driver: 'iscsi', name: 'later', relTgtId: 4 });
    assert.equal(lookup(root, 'dg1/target_groups/tg1/later')?.kind, 'dir');
  });

  test('a name may be in one tg per dg; del works through any tg of the dg', () => {
    const { root } = populated();
    write(root, 'dg1/target_groups/mgmt', 'create tg2');
    write(root, 'dg1/target_groups/tg1/mgmt', 'add local1');
    writeFails(root, 'dg1/target_groups/tg2/mgmt', 'add local1', 'EEXIST');
    writeFails(root, 'dg1/target_groups/tg1/mgmt', 'add local1', 'EEXIST');
    // Another dg may hold the same target.
    write(root, 'mgmt', 'create dg2');
    write(root, 'dg2/target_groups/mgmt', 'create tgx');
    write(root, 'dg2/target_groups/tgx/mgmt', 'add local1');
    // Deleting through tg2 removes it from its owner tg1 (no stale link).
    write(root, 'dg1/target_groups/tg2/mgmt', 'DEL local1');
    assert.deepEqual(names(root, 'dg1/target_groups/tg1'), ['group_id', 'mgmt', 'preferred', 'state']);
    assert.ok(lookup(root, 'dg2/target_groups/tgx/local1'));
  });

  test('errnos: EINVAL for unknown member and bad commands, EEXIST for names of the tg files', () => {
    const { root, host } = populated();
    writeFails(root, 'dg1/target_groups/tg1/mgmt', 'del nosuch', 'EINVAL');
    writeFails(root, 'dg1/target_groups/tg1/mgmt', 'add', 'EINVAL');
    writeFails(root, 'dg1/target_groups/tg1/mgmt', 'create x', 'EINVAL');
    for (const file of ['state', 'group_id', 'preferred', 'mgmt']) {
      writeFails(root, 'dg1/target_groups/tg1/mgmt', `add ${file}`, 'EEXIST');
    }
    writeFails(root, 'dg1/target_groups/tg1/mgmt', 'add a/b', 'EINVAL');
    assert.deepEqual(host.mgmtResults, ['EINVAL', 'EINVAL', 'EINVAL', 'EEXIST', 'EEXIST', 'EEXIST', 'EEXIST', 'EINVAL']);
    assert.deepEqual(names(root, 'dg1/target_groups/tg1'), ['group_id', 'mgmt', 'preferred', 'state']);
  });
});

describe('target group attributes', () => {
  test('group_id: synchronous, first 7 bytes through kstrtoul, 1…65535, always KEY', () => {
    const { root, host } = populated();
    const path = 'dg1/target_groups/tg1/group_id';
    write(root, path, '5\n');
    assert.equal(read(root, path), '5\n[key]\n');
    write(root, path, '0x10');
    assert.equal(read(root, path), '16\n[key]\n');
    write(root, path, '010\n');
    assert.equal(read(root, path), '8\n[key]\n');
    write(root, path, '65535');
    assert.equal(read(root, path), '65535\n[key]\n');
    // Only 7 bytes are parsed: the 8th character is never seen.
    write(root, path, '00000017');
    assert.equal(read(root, path), '1\n[key]\n');
    for (const bad of ['0', '0\n', '65536', '1234567', '12345678', 'abc', '', '-1', '1 ', '1\n\n', '0x']) {
      writeFails(root, path, bad, 'EINVAL');
    }
    assert.equal(read(root, path), '1\n[key]\n');
    assert.deepEqual(host.mgmtResults, [], 'group_id is synchronous');
  });

  test('preferred: queued, kstrtoul 0/1, KEY only when 1, raises the UA on a change', () => {
    const { root, host } = populated();
    write(root, 'dg1/target_groups/tg1/mgmt', 'add iqn.2026-01.x:t1');
    write(root, 'dg1/target_groups/tg1/mgmt', 'add remote1');
    host.mgmtResults.length = 0;
    const path = 'dg1/target_groups/tg1/preferred';
    write(root, path, '1\n');
    assert.equal(read(root, path), '1\n[key]\n');
    assert.deepEqual(host.unitAttentions, ['disk1@iscsi/iqn.2026-01.x:t1']);
    write(root, path, '0x1');
    assert.equal(host.unitAttentions.length, 1, 'no change, no UA');
    writeFails(root, path, '2', 'EINVAL');
    writeFails(root, path, '1 ', 'EINVAL');
    writeFails(root, path, 'yes', 'EINVAL');
    writeFails(root, path, '99999999999999999999999', 'ERANGE');
    assert.equal(read(root, path), '1\n[key]\n');
    write(root, path, '0');
    assert.equal(read(root, path), '0\n');
    assert.equal(host.unitAttentions.length, 2);
    assert.deepEqual(host.mgmtResults, [0, 0, 'EINVAL', 'EINVAL', 'EINVAL', 'ERANGE', 0]);
  });

  test('state: queued, exact names up to the first newline, always KEY; callbacks and UAs', () => {
    const { root, host } = populated();
    write(root, 'dg1/devices/mgmt', 'add disk2');
    write(root, 'dg1/target_groups/tg1/mgmt', 'add iqn.2026-01.x:t1');
    host.mgmtResults.length = 0;
    const path = 'dg1/target_groups/tg1/state';
    for (const state of ['nonoptimized', 'standby', 'unavailable', 'offline', 'transitioning', 'active']) {
      write(root, path, `${state}\n`);
      assert.equal(read(root, path), `${state}\n[key]\n`);
    }
    write(root, path, 'standby\nignored');
    assert.equal(read(root, path), 'standby\n[key]\n');
    for (const bad of ['ACTIVE', 'standby ', ' standby', 'optimized', '', '\nactive', 'lba_dependent']) {
      writeFails(root, path, bad, 'EINVAL');
    }
    assert.equal(read(root, path), 'standby\n[key]\n');
    host.stateChanges.length = 0;
    host.unitAttentions.length = 0;
    write(root, path, 'standby');
    assert.deepEqual(host.stateChanges, [], 'same state is a no-op');
    write(root, path, 'transitioning');
    assert.deepEqual(host.stateChanges, ['disk1:standby->transitioning', 'disk2:standby->transitioning']);
    assert.deepEqual(host.unitAttentions, [], 'no UA when entering transitioning');
    write(root, path, 'active');
    assert.deepEqual(host.unitAttentions, ['disk1@iscsi/iqn.2026-01.x:t1', 'disk2@iscsi/iqn.2026-01.x:t1']);
    assert.equal(host.mgmtResults.filter((r) => r === 'EINVAL').length, 7);
    assert.equal(host.mgmtResults.filter((r) => r === 0).length, 10);
  });

  test('remote member rel_tgt_id: synchronous, 1…65535, always KEY', () => {
    const { root, host } = populated();
    write(root, 'dg1/target_groups/tg1/mgmt', 'add peer:t2');
    host.mgmtResults.length = 0;
    const path = 'dg1/target_groups/tg1/peer:t2/rel_tgt_id';
    write(root, path, '2\n');
    assert.equal(read(root, path), '2\n[key]\n');
    for (const bad of ['0', '65536', 'x', '']) writeFails(root, path, bad, 'EINVAL');
    assert.equal(read(root, path), '2\n[key]\n');
    assert.deepEqual(host.mgmtResults, []);
  });
});
