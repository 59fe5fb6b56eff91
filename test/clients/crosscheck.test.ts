/**
 * Behaviours the cross-check against the real Perl scstadmin found wrong and
 * that are fixed (docs/compatibility.md); expected bytes are Perl's, from
 * transcripts/pending.json.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientWorld, changesMade, clientsDir, configsDir, copyManagerRemovals, repoRoot } from './helpers.js';
import { replayStep, type Step } from './transcript.js';

interface Fact extends Step {
  setup?: 'esos' | 'fixture';
}

const facts = JSON.parse(readFileSync(join(clientsDir, 'transcripts', 'pending.json'), 'utf8')) as {
  missingConfig: Fact;
  shrink: Fact;
  readOnlyExtent: Fact[];
  clearOrder: Fact;
  sessions: Fact;
};

async function withWorld(setup: Fact['setup'], body: (world: ClientWorld) => Promise<void>): Promise<void> {
  const world = new ClientWorld();
  try {
    if (setup === 'esos') assert.equal((await world.scstadmin(['-config', join(configsDir, 'esos.conf')])).code, 0);
    if (setup === 'fixture') assert.equal((await world.scstadmin(['-config', join(repoRoot, 'fixtures', 'scst.conf')])).code, 0);
    await body(world);
  } finally {
    world.dispose();
  }
}

test('-config of a missing file prints the "Checking configuration file" line first', async () => {
  await withWorld(undefined, async (world) => void (await replayStep(world, facts.missingConfig)));
});

test('-clear_config closes devices in handler directory order', async () => {
  await withWorld(facts.clearOrder.setup, async (world) => void (await replayStep(world, facts.clearOrder)));
});


test('re-applying a config with a read-only extent makes no change (its LUN\'s inherited read_only is not a difference)', async () => {
  // The Perl tool re-assigns such a LUN on every run (4 changes each time, docs/migration.md);
  // TrueNAS expects a re-apply of its own configuration to make 0 changes.
  await withWorld(undefined, async (world) => {
    const argv = facts.readOnlyExtent[0]!.argv.map((a) => a.replace('{conf}', configsDir));
    const first = await world.scstadmin(argv);
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /Done, \d+ change\(s\) made\./);
    // The devices opened by the first run got automatic copy_manager LUNs, which -force then
    // removes once (clients.md §6 item 14 allows exactly those); after that nothing changes.
    const second = await world.scstadmin(argv);
    assert.equal(second.code, 0, second.stdout);
    assert.equal(changesMade(second.stdout), copyManagerRemovals(second.stdout), second.stdout);
    const third = await world.scstadmin(argv);
    assert.equal(third.code, 0, third.stdout);
    assert.match(third.stdout, /\t-> Done, 0 change\(s\) made\.\n/);
  });
});

test('-list_sessions pads the Value column by bytes, as Perl', async () => {
  await withWorld(facts.sessions.setup, async (world) => void (await replayStep(world, facts.sessions)));
});

test('shrinking with -force removes the copy_manager LUN of the re-opened device (scstadmin.md §6.11)', async () => {
  await withWorld(facts.shrink.setup, async (world) => {
    await replayStep(world, facts.shrink);
    assert.deepEqual(await world.ls('targets/copy_manager/copy_manager_tgt/luns'), ['mgmt']);
  });
});
