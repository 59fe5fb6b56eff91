import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryTree, SysfsClient } from '../../src/sysfs/index.js';
import { localFixture } from './helpers.js';

const DEVICES = 10_000;
const T = 'targets/iscsi/iqn.2024-01.com.example:big';

/** The configured tree plus 10,000 fileio devices, each exported as one LUN of one target. */
function bigTree(): MemoryTree {
  const tree = MemoryTree.fromDump(localFixture('configured.txt'));
  tree.dir(T).file(`${T}/enabled`, '1\n').dir(`${T}/luns`).file(`${T}/luns/mgmt`, 'The following parameters available: read_only\n');
  tree.dir(`${T}/ini_groups`).dir(`${T}/sessions`);
  for (let i = 0; i < DEVICES; i++) {
    const name = `vol${i}`;
    const dev = `devices/${name}`;
    tree.dir(dev)
      .file(`${dev}/filename`, `/img/${name}\n[key]\n\n`)
      .file(`${dev}/size`, '1048576\n[key]\n', 0o444)
      .file(`${dev}/read_only`, '0\n', 0o444)
      .file(`${dev}/t10_dev_id`, `${name}\n`)
      .link(`${dev}/handler`, '../../handlers/vdisk_fileio')
      .dir(`${dev}/exported`)
      .link(`${dev}/exported/export1`, `../../../${T}/luns/${i}`);
    tree.link(`handlers/vdisk_fileio/${name}`, `../../devices/${name}`);
    tree.dir(`${T}/luns/${i}`).file(`${T}/luns/${i}/read_only`, '0\n', 0o444).link(`${T}/luns/${i}/device`, `../../../../../devices/${name}`);
  }
  return tree;
}

test('readLive scales linearly: 10,000 devices and 10,000 LUNs, each file read once', async () => {
  const tree = bigTree();
  const client = new SysfsClient(tree, { trackReadPaths: true });
  const started = process.hrtime.bigint();
  const live = await client.readLive();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  assert.equal(live.devices.size, DEVICES + 3);
  assert.equal(live.handlers.get('vdisk_fileio')!.devices.length, DEVICES + 2);
  const big = live.drivers.get('iscsi')!.targets.get('iqn.2024-01.com.example:big')!;
  assert.equal(big.luns.size, DEVICES);
  assert.equal(big.luns.get('9999')!.device, 'vol9999');
  assert.deepEqual(live.devices.get('vol42')!.exports, [{ driver: 'iscsi', target: 'iqn.2024-01.com.example:big', lun: '42' }]);
  assert.deepEqual([...client.readsByPath!].filter(([, n]) => n > 1), []);
  // 4 files per device + 1 per LUN, plus the small configured system: linear in the object count.
  assert.ok(client.counters.reads < DEVICES * 5 + 200, `reads: ${client.counters.reads}`);
  assert.ok(seconds < 120, `readLive took ${seconds.toFixed(1)} s`);
});
