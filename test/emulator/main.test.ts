/** The scst-emulator command line (init, tree, usage). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/emulator/main.js';
import { parseDump } from '../../src/emulator/dump.js';

async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(argv), out, err };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

test('init then tree prints the S0 format', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scst-main-')), 'm.json');
  const init = await capture(['init', '--state', file, '--cpus', '2', '--modules', 'scst,scst_vdisk,scst_local']);
  assert.equal(init.code, 0, init.err);
  const sub = await capture(['tree', '--state', file, '/sys/kernel/scst_tgt/targets/scst_local']);
  assert.equal(sub.code, 0, sub.err);
  assert.match(sub.out, /^== \/sys\/kernel\/scst_tgt\/targets\/scst_local dir 0755\n/);
  const entries = parseDump(sub.out);
  assert.ok(entries.some((e) => e.path.endsWith('/scst_local/mgmt') && e.body!.includes('session_name')));
  const whole = await capture(['tree', '--state', file]);
  assert.ok(parseDump(whole.out).some((e) => e.path === '/sys/kernel/scst_tgt/threads' && e.body === '2\n'));
  assert.ok(!whole.out.includes('targets/iscsi'));
  const again = await capture(['init', '--state', file]);
  assert.equal(again.code, 1);
  assert.match(again.err, /already exists/);
});

test('usage: --help exits 0, no arguments or bad options exit 2', async () => {
  const help = await capture(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: scst-emulator/);
  assert.equal((await capture([])).code, 2);
  const bad = await capture(['init', '--bogus', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown option --bogus/);
  assert.equal((await capture(['tree'])).code, 2);
  assert.equal((await capture(['frobnicate'])).code, 2);
  const hw = await capture(['init', '--state', '/nonexistent-dir/x.json', '--hw-target', 'nocolon']);
  assert.equal(hw.code, 2);
});
