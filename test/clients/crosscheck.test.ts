/**
 * Behaviours the cross-check against the real Perl scstadmin found wrong and
 * that are fixed (docs/compatibility.md); expected bytes are Perl's, from
 * transcripts/pending.json. The ones still open stay in
 * pending-crosscheck.test.ts.txt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientWorld, clientsDir, configsDir, repoRoot } from './helpers.js';
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

