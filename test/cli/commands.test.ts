/** Transcripts of the single-object commands (scstadmin.md §11, §13) against the fake client. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { commandScenarios, MAKING } from './command-scenarios.js';
import { fakeFactory, t07Live } from './fake-client.js';
import { framed, run } from './harness.js';

describe('single-object commands against the fake client', () => commandScenarios(fakeFactory(t07Live)));

describe('ALUA in-use checks', () => {
  test('-rem_dgrp of a group with devices: block and FATAL; -force removes', async () => {
    const live = () => {
      const l = t07Live();
      l.deviceGroups.set('dg', { attributes: new Map(), devices: ['disk0'], targetGroups: new Map([['tg', { attributes: new Map(), targets: new Map() }]]) });
      return l;
    };
    const f = await fakeFactory(live)();
    const r = await run(['-rem_dgrp', 'dg'], { connect: f.connect });
    assert.equal(
      r.stdout,
      `\nCollecting current configuration: done.\n\n${MAKING}\n\tDevices\n\t-------\n\tdisk0\n\n\tTarget Groups\n\t------------\n\ttg\n` +
        '\n\nFATAL: Received the following error:\n\n\tDevice group is still in use, aborting. Use -force to override.\n\n',
    );
    const g = await fakeFactory(live)();
    assert.equal((await run(['-rem_dgrp', 'dg', '-force'], { connect: g.connect })).stdout, framed(`${MAKING}\t-> Removing device group 'dg': done.\n\t-> Done.\n`));
  });
});

describe('-debug', () => {
  test('shows the writes and changes nothing', async () => {
    const f = await fakeFactory(t07Live)();
    const r = await run(['-set_dev_attr', 'disk0', '-attributes', 't10_dev_id=zz', '-noprompt', '-debug'], { connect: f.connect });
    assert.ok(r.stdout.includes(`DBG(${process.pid}): setDeviceAttribute\n`));
    assert.equal((await f.client.readLive()).devices.get('disk0')!.attributes.get('t10_dev_id')!.values[0], 'disk0');
  });
});
