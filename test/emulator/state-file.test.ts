/** Persistence: round trip, atomic write, clear errors for bad files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMachine, loadMachine, StateFileError } from '../../src/emulator/index.js';
import { STATE_FORMAT, writeStateFile } from '../../src/emulator/state-file.js';
import { dumpTree, testHost } from '../engine/helpers.js';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'scst-engine-state-'));
}

async function populated(file: string) {
  const m = await createMachine(file, {}, { hostFs: testHost() });
  const w = (p: string, d: string): Promise<void> => m.tree.write(p, d);
  await w('setup_id', '0x2a');
  await w('handlers/vdisk_fileio/mgmt', 'add_device d1 filename=/img; nv_cache=1');
  await w('handlers/vcdrom/mgmt', 'add_device cd');
  await w('devices/cd/filename', '/cd.iso');
  await w('devices/d1/prod_id', 'P1');
  await w('targets/iscsi/mgmt', 'add_target t1 MaxSessions=3');
  await w('targets/iscsi/mgmt', 'add_attribute IncomingUser joe secretsecret12');
  await w('targets/iscsi/mgmt', 'add_target_attribute t1 allowed_portal 10.*');
  await w('targets/iscsi/t1/luns/mgmt', 'add d1 0');
  await w('targets/iscsi/t1/luns/mgmt', 'add d1 1');
  await w('targets/iscsi/t1/luns/mgmt', 'del 0');
  await w('targets/iscsi/t1/ini_groups/mgmt', 'create g1');
  await w('targets/iscsi/t1/ini_groups/g1/initiators/mgmt', 'add iqn.*');
  await w('targets/iscsi/t1/ini_groups/g1/cpu_mask', '3');
  await w('targets/iscsi/t1/enabled', '1');
  await w('targets/scst_local/mgmt', 'add_target lt session_name=s1');
  await w('targets/scst_local/lt/scsi_transport_version', '0x123');
  await w('trace_level', 'add scsi');
  return m;
}

test('save and load reproduce the tree exactly', async () => {
  const file = path.join(tmpDir(), 'machine.json');
  const m = await populated(file);
  await m.save();
  const loaded = await loadMachine(file, { hostFs: testHost() });
  assert.equal(await dumpTree(loaded.tree), await dumpTree(m.tree));
  // Counters survive: the next device gets the next copy-manager LUN and export index.
  await loaded.tree.write('targets/iscsi/t1/luns/mgmt', 'add d1 2');
  assert.deepEqual((await loaded.tree.readdir('devices/d1/exported')).sort(), ['export0', 'export2', 'export3']);
});

test('atomic write: no temp file left behind, old content replaced whole', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'machine.json');
  const m = await populated(file);
  await m.save();
  await m.tree.write('handlers/vdisk_nullio/mgmt', 'add_device n9');
  await m.save();
  assert.deepEqual(fs.readdirSync(dir), ['machine.json']);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(doc.format, STATE_FORMAT);
  assert.ok(doc.engine.devices.some((d: { name: string }) => d.name === 'n9'));
});

test('a failed write leaves the previous file intact', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'machine.json');
  const m = await populated(file);
  await m.save();
  const before = fs.readFileSync(file, 'utf8');
  const bad = { format: STATE_FORMAT, version: 1, machine: { modules: [], hwTargets: [], cpus: 1 }, engine: { big: 1n } } as never;
  await assert.rejects(writeStateFile(file, bad));
  assert.equal(fs.readFileSync(file, 'utf8'), before);
  assert.deepEqual(fs.readdirSync(dir), ['machine.json']);
});

test('createMachine refuses an existing file; loadMachine needs one unless createIfMissing', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'm.json');
  await createMachine(file);
  await assert.rejects(createMachine(file), (e: Error) => e instanceof StateFileError && e.message.includes(file) && /already exists/.test(e.message));
  const missing = path.join(dir, 'none.json');
  await assert.rejects(loadMachine(missing), (e: Error) => e instanceof StateFileError && e.message.includes(missing));
  const fresh = await loadMachine(missing, { createIfMissing: true });
  assert.equal(fs.existsSync(missing), false, 'nothing is written before save()');
  await fresh.save();
  assert.equal(JSON.parse(fs.readFileSync(missing, 'utf8')).format, STATE_FORMAT);
});

test('the first save of a new machine creates the state file\'s directory', async () => {
  const file = path.join(tmpDir(), 'machines', 'lab', 'm.json');
  const fresh = await loadMachine(file, { createIfMissing: true });
  await fresh.save();
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).format, STATE_FORMAT);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['m.json'], 'no temp file left behind');
});

test('corrupt, foreign and inconsistent files give clear errors naming the file', async () => {
  const dir = tmpDir();
  const cases: Array<[string, string, RegExp]> = [
    ['corrupt.json', '{"format": "scstadmin-ts/scst-emulator-state", "vers', /not valid JSON/],
    ['foreign.json', '{"name": "something else"}', /no "format"/],
    ['other.json', '{"format": "another/tool", "version": 1}', /foreign file format "another\/tool"/],
    ['newer.json', JSON.stringify({ format: STATE_FORMAT, version: 99 }), /newer than this program supports/],
    ['partial.json', JSON.stringify({ format: STATE_FORMAT, version: 1, machine: { modules: ['scst'], hwTargets: [], cpus: 4 } }), /"engine" is missing/],
  ];
  for (const [name, content, why] of cases) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    await assert.rejects(loadMachine(file, { createIfMissing: true }), (e: Error) => e instanceof StateFileError && e.message.startsWith(`${file}: `) && why.test(e.message), name);
    assert.equal(fs.readFileSync(file, 'utf8'), content, `${name} is never overwritten`);
  }
  // A state that names a driver whose module is not loaded.
  const good = path.join(dir, 'good.json');
  await (await createMachine(good)).save();
  const doc = JSON.parse(fs.readFileSync(good, 'utf8'));
  doc.machine.modules = ['scst', 'scst_vdisk'];
  fs.writeFileSync(good, JSON.stringify(doc));
  await assert.rejects(loadMachine(good), (e: Error) => e instanceof StateFileError && /inconsistent state: .*target driver "iscsi"/.test(e.message));
});

test('machine options are kept: modules, hardware ports, CPUs', async () => {
  const file = path.join(tmpDir(), 'hw.json');
  await createMachine(file, { modules: ['scst', 'scst_vdisk', 'ib_srpt', 'scst_disk'], hwTargets: [{ driver: 'ib_srpt', name: 'fe80:0000:0000:0000:0002:c903:00fa:b7e1' }], cpus: 2 });
  const m = await loadMachine(file);
  assert.deepEqual((await m.tree.readdir('targets')).sort(), ['copy_manager', 'ib_srpt']);
  assert.ok((await m.tree.readdir('handlers')).includes('dev_disk'));
  assert.equal(await m.tree.read('threads'), '2\n');
  await assert.rejects(createMachine(path.join(tmpDir(), 'x.json'), { modules: ['bogus_mod'] }), /unknown kernel module "bogus_mod"/);
});
