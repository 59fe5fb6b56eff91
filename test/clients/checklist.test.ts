/**
 * clients.md §6 checklist items that single invocations show (option syntax
 * and errors, prompting, -force/-noprompt on commands that ignore them,
 * -close_dev in use, dynamic attributes), each against the bytes the Perl
 * scstadmin printed for the same invocation on the same machine.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientWorld, clientsDir, configsDir } from './helpers.js';
import { replayStep, type Step } from './transcript.js';

interface ChecklistCase extends Step {
  item: string;
  setup: 'fresh' | 'esos';
}

const { cases, help: perlHelp } = JSON.parse(readFileSync(join(clientsDir, 'transcripts', 'checklist.json'), 'utf8')) as {
  cases: ChecklistCase[];
  /** Perl's `-h` output. */
  help: string;
};

describe('clients.md §6 checklist, as Perl scstadmin', () => {
  for (const c of cases) {
    test(`${c.item}: scstadmin ${c.argv.join(' ')}`, async () => {
      const world = new ClientWorld();
      try {
        if (c.setup === 'esos') assert.equal((await world.scstadmin(['-config', join(configsDir, 'esos.conf')])).code, 0);
        await replayStep(world, c);
      } finally {
        world.dispose();
      }
    });
  }
});

test('-h prints scstadmin usage first, then the scstadmin-ts extensions (docs/migration.md), exit 0', async () => {
  const world = new ClientWorld();
  try {
    const help = await world.scstadmin(['-h']);
    assert.equal(help.code, 0);
    assert.equal(help.stdout.slice(0, perlHelp.length), perlHelp);
    assert.match(help.stdout.slice(perlHelp.length), /^scstadmin-ts Extensions\n/);
  } finally {
    world.dispose();
  }
});

test('the answered prompt of `yes | scstadmin -rem_target` removes the target; EOF or "n" keeps it', async () => {
  for (const [stdin, kept] of [['y\n', false], ['n\n', true], [undefined, true]] as const) {
    const world = new ClientWorld();
    try {
      assert.equal((await world.scstadmin(['-config', join(configsDir, 'esos.conf')])).code, 0);
      const result = await world.scstadmin(['-rem_target', 'iqn.2006-10.net.vlnb:tgt', '-driver', 'iscsi'], stdin);
      assert.equal(result.code, 0);
      assert.equal(await world.exists('targets/iscsi/iqn.2006-10.net.vlnb:tgt'), kept);
    } finally {
      world.dispose();
    }
  }
});
