/**
 * -config decides deferred attribute writes by re-reading single objects
 * (ScstClient.readAttributesOf) instead of the whole tree: the same output,
 * the same writes and the same end state as with whole-tree re-reads, on the
 * emulator's real kernel rules, with far fewer sysfs reads.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runConfig } from '../../src/cli/commands/config.js';
import type { CommandContext } from '../../src/cli/context.js';
import { loadMachine } from '../../src/emulator/index.js';
import type { Operation } from '../../src/model/operations.js';
import type { ScstClient } from '../../src/sysfs/client-api.js';
import { SysfsClient } from '../../src/sysfs/index.js';
import { C1_CONF, C2_CONF, exitStatus } from './helpers.js';

interface Outcome {
  stdout: string[];
  status: number[];
  operations: Operation[];
  reads: number;
  final: unknown;
}

async function applyBoth(dir: string, targeted: boolean): Promise<Outcome> {
  const machine = await loadMachine(join(dir, `machine-${targeted}.json`), { createIfMissing: true });
  const sysfs = new SysfsClient(machine.tree);
  const operations: Operation[] = [];
  const client: ScstClient = {
    tree: sysfs.tree,
    readLive: () => sysfs.readLive(),
    perform: async (op) => {
      operations.push(op);
      await sysfs.perform(op);
    },
    ...(targeted ? { readAttributesOf: (owner) => sysfs.readAttributesOf(owner) } : {}),
  };
  const outcome: Outcome = { stdout: [], status: [], operations, reads: 0, final: undefined };
  for (const [file, force] of [[join(dir, 'c1.conf'), false], [join(dir, 'c2.conf'), true]] as const) {
    let out = '';
    const ctx: CommandContext = {
      client,
      live: await client.readLive(),
      async refresh() {
        ctx.live = await client.readLive();
        return ctx.live;
      },
      out: { write: (t) => void (out += t) },
      err: { write: () => undefined },
      options: { force, noprompt: true, contOnErr: false, nonkey: false, dryRun: false, json: false, detailedExitcode: false, tty: false, backups: 3 },
      confirm: async () => true,
      interrupted: false,
    };
    const before = sysfs.counters.reads;
    outcome.status.push(await exitStatus(() => runConfig(ctx, file)));
    outcome.reads += sysfs.counters.reads - before;
    outcome.stdout.push(out.replaceAll(dir, '<dir>'));
  }
  outcome.final = await sysfs.readLive();
  return outcome;
}

test('single-object re-reads: same transcript, writes and end state as whole-tree re-reads', async () => {
  const dir = await mkdtemp('/tmp/scstadmin-targeted-');
  await writeFile(join(dir, 'd1'), Buffer.alloc(1 << 20));
  await writeFile(join(dir, 'd2'), Buffer.alloc(1 << 20));
  const localise = (text: string) => text.replaceAll('/disk1', join(dir, 'd1')).replaceAll('"/disk 2"', join(dir, 'd2'));
  await writeFile(join(dir, 'c1.conf'), localise(C1_CONF));
  await writeFile(join(dir, 'c2.conf'), localise(C2_CONF));

  const whole = await applyBoth(dir, false);
  const targeted = await applyBoth(dir, true);
  assert.deepEqual(whole.status, [0, 0]);
  // the runs did something worth comparing: objects created, deferred writes, re-collects
  assert.match(whole.stdout[0]!, /Setting target attribute 'rel_tgt_id' to value '5' for target 'dg1\/tg1\/remote'/);
  assert.match(whole.stdout[1]!, /Collecting current configuration: done\./);
  assert.deepEqual(targeted.stdout, whole.stdout);
  assert.deepEqual(targeted.status, whole.status);
  assert.deepEqual(targeted.operations, whole.operations);
  assert.deepEqual(targeted.final, whole.final);
  assert.ok(targeted.reads < whole.reads / 2, `targeted ${targeted.reads} reads, whole-tree ${whole.reads}`);
});
