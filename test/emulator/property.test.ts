/**
 * Random sequences of valid and invalid management writes keep the
 * engine's invariants: no dangling LUN or export link, failed writes change
 * nothing, and the saved state reloads into an identical tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { createMachine, loadMachine, type EmulatedMachine } from '../../src/emulator/index.js';
import { SysfsError } from '../../src/sysfs/tree.js';
import type { LunSet } from '../../src/engine/lun.js';
import { dumpTree, testHost } from '../engine/helpers.js';

const DEVICES = ['d1', 'd2', 'd3'];
const TARGETS = ['targets/iscsi/t1', 'targets/iscsi/t2', 'targets/scst_local/lt', 'targets/copy_manager/copy_manager_tgt'];
const GROUPS = ['g1', 'g2'];

const dev = fc.constantFrom(...DEVICES, 'nosuch');
const tgt = fc.constantFrom(...TARGETS);
const grp = fc.constantFrom(...GROUPS);
const lun = fc.constantFrom('0', '1', '2', '16384', 'x');
const lunSetPath = fc.tuple(tgt, fc.option(grp, { nil: undefined })).map(([t, g]) => (g ? `${t}/ini_groups/${g}/luns/mgmt` : `${t}/luns/mgmt`));

type Write = [path: string, data: string];

const write: fc.Arbitrary<Write> = fc.oneof(
  fc.tuple(fc.constantFrom('vdisk_fileio', 'vdisk_nullio', 'vcdrom', 'vdisk_blockio'), dev, fc.constantFrom('filename=/img', 'filename=/dev/sdb', '', 'bogus=1', 'filename=/missing', 'read_only=1'))
    .map(([h, d, p]): Write => [`handlers/${h}/mgmt`, `add_device ${d} ${p}`]),
  fc.tuple(fc.constantFrom('vdisk_fileio', 'vcdrom'), dev).map(([h, d]): Write => [`handlers/${h}/mgmt`, `del_device ${d}`]),
  fc.tuple(fc.constantFrom('add_target', 'del_target'), fc.constantFrom('t1', 't2')).map(([c, t]): Write => ['targets/iscsi/mgmt', `${c} ${t}`]),
  fc.constantFrom<Write>(['targets/scst_local/mgmt', 'add_target lt session_name=s1'], ['targets/scst_local/mgmt', 'del_target lt'], ['targets/scst_local/mgmt', 'add_session lt iqn.x'], ['targets/scst_local/mgmt', 'del_session lt s1']),
  fc.tuple(lunSetPath, fc.constantFrom('add', 'replace', 'ADD'), dev, lun, fc.constantFrom('', 'read_only=1', 'foo=1')).map(([p, c, d, l, x]): Write => [p, `${c} ${d} ${l} ${x}`]),
  fc.tuple(lunSetPath, fc.constantFrom('del 0', 'del 1', 'clear', 'del', 'bogus')).map(([p, c]): Write => [p, c]),
  fc.tuple(tgt, fc.constantFrom('create', 'del'), grp).map(([t, c, g]): Write => [`${t}/ini_groups/mgmt`, `${c} ${g}`]),
  fc.tuple(tgt, grp, fc.constantFrom('add s1', 'add iqn.*', 'del s1', 'move s1 g2', 'move iqn.* g1', 'clear')).map(([t, g, c]): Write => [`${t}/ini_groups/${g}/initiators/mgmt`, c]),
  fc.tuple(tgt, fc.constantFrom('enabled', 'rel_tgt_id'), fc.constantFrom('0', '1', '2', '7', 'x')).map(([t, a, v]): Write => [`${t}/${a}`, v]),
  fc.tuple(dev, fc.constantFrom('active', 'filename', 'prod_id', 'size', 'threads_num', 'pr_file_name'), fc.constantFrom('0', '1', '/img2', 'x'.repeat(20), '4096')).map(([d, a, v]): Write => [`devices/${d}/${a}`, v]),
);

function checkLunSet(m: EmulatedMachine, set: LunSet): void {
  for (const [n, l] of set.luns) {
    assert.equal(l.number, n);
    assert.equal(m.engine.getDevice(l.device.name), l.device, `LUN ${set.path}/${n} maps a deleted device`);
    assert.equal(l.device.exports.get(l.exportIndex), l, `LUN ${set.path}/${n} has no export link`);
  }
}

async function checkInvariants(m: EmulatedMachine): Promise<void> {
  for (const t of m.engine.allTargets()) {
    checkLunSet(m, t.luns);
    for (const g of t.groups.values()) checkLunSet(m, g.luns);
  }
  for (const d of m.engine.allDevices()) {
    for (const [i, l] of d.exports) {
      assert.equal(l.device, d);
      assert.equal(l.set.luns.get(l.number), l, `export${i} of ${d.name} points at a removed LUN`);
      assert.equal(await m.tree.readlink(`devices/${d.name}/exported/export${i}`).then((s) => s.endsWith(l.path.slice(l.path.indexOf('targets/')))), true);
    }
  }
}

const stateWithoutMgmtRes = (m: EmulatedMachine): string => {
  const s = m.engine.toState();
  s.root.lastMgmtRes = 0;
  return JSON.stringify(s);
};

test('random management sequences keep the invariants and round-trip through the state file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scst-prop-'));
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 14 }), async (writes) => {
      const file = path.join(dir, `m${run++}.json`);
      const m = await createMachine(file, {}, { hostFs: testHost() });
      for (const [p, d] of writes) {
        const before = stateWithoutMgmtRes(m);
        try {
          await m.tree.write(p, d);
        } catch (err) {
          if (!(err instanceof SysfsError)) throw err;
          assert.equal(stateWithoutMgmtRes(m), before, `failed write ${p} <- ${JSON.stringify(d)} changed the state`);
        }
        await checkInvariants(m);
      }
      await m.save();
      const loaded = await loadMachine(file, { hostFs: testHost() });
      assert.equal(await dumpTree(loaded.tree), await dumpTree(m.tree));
      fs.unlinkSync(file);
    }),
    { numRuns: 50 },
  );
});
