/**
 * OpenStack cinder's SCSTAdm (clients.md §4.1): the command sequence of
 * create_iscsi_target / _get_luns_info / remove_iscsi_target, Perl's output
 * for each, and cinder's own parsing of that output (tid, CHAP, LUN list).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientWorld } from './helpers.js';
import { loadTranscript, replayStep, type Step } from './transcript.js';

const IQN = 'iqn.2010-10.org.openstack:volume-6c1f';
const GROUP = `iqn.1993-08.org.debian:01:3c1a${IQN}`;

/** `_target_attribute`: the first line containing rel_tgt_id, second token. */
function tidOf(listTgtAttr: string): string | undefined {
  return listTgtAttr.split('\n').find((line) => line.includes('rel_tgt_id'))?.split(/\s+/).filter(Boolean)[1];
}

/** `_get_target_chap_auth`: between `KEY` and `Dynamic attributes`, row 2; tokens 1 and 2. */
function chapOf(listTgtAttr: string): [string, string] | undefined {
  const start = listTgtAttr.indexOf('KEY');
  const end = listTgtAttr.indexOf('Dynamic attributes');
  const row = listTgtAttr.slice(start, end).split('\n')[2] ?? '';
  if (!row.includes('IncomingUser')) return undefined;
  const tokens = row.split(' ').filter((t) => t !== '');
  return [tokens[1]!, tokens[2]!];
}

/** `_get_luns_info`: between the two markers, minus header and dashes; raises when a marker is missing. */
function lunsOf(listGroup: string): number[] {
  const start = listGroup.indexOf('Assigned LUNs:');
  const end = listGroup.indexOf('Assigned Initiators:');
  if (start < 0 || end < 0) throw new Error('cinder: unexpected -list_group output');
  const rows = listGroup.slice(start + 'Assigned LUNs:'.length, end).trim().split('\n').slice(2);
  return rows.map((row) => Number.parseInt(row.trim().split(' ')[0]!, 10));
}

function isStep(step: Step, ...argv: string[]): boolean {
  return argv.every((a, i) => step.argv[i] === a);
}

test('cinder SCSTAdm: create, inspect and remove a per-volume target as Perl scstadmin', async () => {
  const transcript = loadTranscript('cinder');
  const world = new ClientWorld();
  const luns: number[][] = [];
  try {
    for (const step of transcript.steps) {
      const result = await replayStep(world, step);
      if (isStep(step, '-noprompt', '-set_tgt_attr')) {
        // "IncomingUser= u p": split at the first '=', value keeps its leading space (§6 A.7).
        assert.deepEqual(result.writes, [{ path: 'targets/iscsi/mgmt', data: `add_target_attribute ${IQN} IncomingUser  cinderuser Cinder-Secret-99` }]);
      }
      if (isStep(step, '-list_target') && step.argv.length === 1) {
        // `_get_target`: a substring test on the whole output.
        assert.equal(result.stdout.includes(IQN), await world.exists(`targets/iscsi/${IQN}`));
      }
      if (isStep(step, '-list_tgt_attr')) {
        assert.equal(tidOf(result.stdout), '1');
        assert.deepEqual(chapOf(result.stdout), ['cinderuser', 'Cinder-Secret-99']);
      }
      if (isStep(step, '-list_group', GROUP)) luns.push(lunsOf(result.stdout));
      if (isStep(step, '-list_group') && step.argv.length === 1) {
        assert.equal(result.stdout.includes(GROUP), await world.exists(`targets/iscsi/${IQN}/ini_groups/${GROUP}`));
      }
    }
    // LUNs as cinder reads them: string order from scstadmin (0, 10); after both
    // removals the group keeps its initiator and lists `(none)`, read as no LUNs.
    assert.deepEqual(luns, [[0, 10], []]);
    assert.equal(await world.exists(`targets/iscsi/${IQN}`), false);
    assert.equal(await world.exists('devices/disk1'), false);
  } finally {
    world.dispose();
  }
});

test('cinder: -list_group of a group without LUNs or initiators makes _get_luns_info raise', async () => {
  const world = new ClientWorld();
  try {
    assert.equal((await world.scstadmin(['-add_target', IQN, '-driver', 'iscsi'])).code, 0);
    assert.equal((await world.scstadmin(['-add_group', 'g', '-driver', 'iscsi', '-target', IQN])).code, 0);
    const listed = await world.scstadmin(['-list_group', 'g', '-driver', 'iscsi', '-target', IQN]);
    assert.equal(listed.stdout, "\nCollecting current configuration: done.\n\nGroup 'g' has no associated LUNs or initiators.\n\nAll done.\n");
    assert.throws(() => lunsOf(listed.stdout), /unexpected -list_group output/);
  } finally {
    world.dispose();
  }
});
