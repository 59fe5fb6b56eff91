import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nullBacking } from '../../src/engine/backing/index.js';
import { DiskLogicalUnit } from '../../src/engine/scsi/index.js';
import { assertCheck, assertGood, clearPowerOn, executor, IDENTITY, nexus, nullDisk } from './helpers.js';

function inquiryCdb(evpd: boolean, page: number, allocation: number): number[] {
  return [0x12, evpd ? 1 : 0, page, allocation >> 8, allocation & 0xff, 0];
}

describe('INQUIRY', () => {
  test('standard data: SPC-4, HiSup, vendor/product/revision padded, version descriptors', async () => {
    const { exec } = await nullDisk();
    const data = assertGood(await exec(inquiryCdb(false, 0, 255)));
    assert.equal(data.length, 64);
    assert.deepEqual([...data.subarray(0, 8)], [0x00, 0x00, 0x06, 0x12, 59, 0x00, 0x10, 0x02]);
    assert.equal(data.subarray(8, 16).toString('latin1'), 'SCST_FIO');
    assert.equal(data.subarray(16, 32).toString('latin1'), 'disk01          ');
    assert.equal(data.subarray(32, 36).toString('latin1'), '3110');
    // SAM-4, SPC-4, SBC-3
    assert.deepEqual([data.readUInt16BE(58), data.readUInt16BE(60), data.readUInt16BE(62)], [0x008b, 0x0463, 0x04c0]);
  });

  test('allocation length truncates; removable sets RMB; ALUA sets TPGS implicit', async () => {
    const lu = new DiskLogicalUnit({
      backing: nullBacking({ sizeBytes: 1 << 20 }),
      identity: IDENTITY,
      flags: { removable: true },
      getAlua: () => ({ tpgId: 7, state: 'active' }),
    });
    const exec = executor(lu);
    const short = assertGood(await exec(inquiryCdb(false, 0, 5)));
    assert.deepEqual([...short], [0x00, 0x80, 0x06, 0x12, 59]);
    const full = assertGood(await exec(inquiryCdb(false, 0, 36)));
    assert.equal(full[5], 0x10);
    const ids = assertGood(await exec(inquiryCdb(true, 0x83, 255)));
    // T10 vendor ID (4+23), relative port (8), then the target port group designator.
    const tpg = ids.subarray(4 + 27 + 8, 4 + 27 + 16);
    assert.deepEqual([...tpg], [0x01, 0x15, 0x00, 0x04, 0, 0, 0, 7]);
  });

  test('CMDDT, page code without EVPD and unknown VPD pages are invalid fields', async () => {
    const { exec } = await nullDisk();
    const cmddt = assertCheck(await exec([0x12, 0x02, 0, 0, 255, 0]), 0x5, 0x24);
    assert.equal(cmddt.descriptor, false);
    const noEvpd = await exec(inquiryCdb(false, 0x80, 255));
    assertCheck(noEvpd, 0x5, 0x24);
    assert.deepEqual([...noEvpd.sense!.subarray(15, 18)], [0xc0 | 0x08 | 7, 0, 2]);
    assertCheck(await exec(inquiryCdb(true, 0x89, 255)), 0x5, 0x24);
  });

  test('VPD 0x00 lists the supported pages in ascending order', async () => {
    const { exec } = await nullDisk();
    const data = assertGood(await exec(inquiryCdb(true, 0, 255)));
    assert.deepEqual([...data], [0x00, 0x00, 0x00, 7, 0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2]);
    for (const page of data.subarray(4)) {
      const pageData = assertGood(await exec(inquiryCdb(true, page, 255)));
      assert.equal(pageData[1], page);
      assert.equal(pageData.readUInt16BE(2), pageData.length - 4);
    }
  });

  test('VPD 0x80 is the usn', async () => {
    const { exec } = await nullDisk();
    const data = assertGood(await exec(inquiryCdb(true, 0x80, 255)));
    assert.deepEqual([...data.subarray(0, 4)], [0, 0x80, 0, 8]);
    assert.equal(data.subarray(4).toString('latin1'), '27cddc71');
  });

  test('VPD 0x83 in SCST order: T10 vendor id, relative port, compat EUI-64', async () => {
    const lu = new DiskLogicalUnit({ backing: nullBacking({ sizeBytes: 1 << 20 }), identity: IDENTITY });
    const exec = executor(lu, nexus('iqn.x', 3));
    const data = assertGood(await exec(inquiryCdb(true, 0x83, 255)));
    const t10 = Buffer.concat([Buffer.from([0x02, 0x01, 0x00, 23]), Buffer.from('SCST_FIO27cddc71-disk01', 'latin1')]);
    const port = Buffer.from([0x01, 0x14, 0x00, 0x04, 0, 0, 0, 3]);
    const eui = Buffer.concat([Buffer.from([0x01, 0x02, 0x00, 0x08]), Buffer.from('27cddc71', 'latin1')]);
    assert.deepEqual(data, Buffer.concat([Buffer.from([0, 0x83, 0, t10.length + port.length + eui.length]), t10, port, eui]));
  });

  test('VPD 0x83 with scsi_device_name, naa_id and eui64_id', async () => {
    const lu = new DiskLogicalUnit({
      backing: nullBacking({ sizeBytes: 1 << 20 }),
      identity: { ...IDENTITY, scsiDeviceName: 'dev1', naaId: '0x6001405aabbccddeeff0011223344556', eui64Id: '0011223344556677', vendSpecificId: 'vs' },
    });
    const exec = executor(lu);
    await clearPowerOn(exec);
    const data = assertGood(await exec(inquiryCdb(true, 0x83, 255)));
    let at = 4;
    const designators: number[][] = [];
    while (at < data.length) {
      designators.push([data[at]!, data[at + 1]!, data[at + 3]!]);
      at += 4 + data[at + 3]!;
    }
    assert.deepEqual(designators, [
      [0x03, 0x28, 8], // "dev1" + NUL padding to 8
      [0x02, 0x01, 10], // SCST_FIO + "vs"
      [0x01, 0x14, 4],
      [0x01, 0x02, 8],
      [0x01, 0x03, 16],
    ]);
    assert.equal(data.subarray(8, 16).toString('latin1'), 'dev1\0\0\0\0');
  });

  test('VPD 0xB0/0xB1/0xB2: limits, rotation, provisioning', async () => {
    const { exec } = await nullDisk(1 << 20, 4096, { rotational: false, thinProvisioned: true });
    const limits = assertGood(await exec(inquiryCdb(true, 0xb0, 255)));
    assert.equal(limits.length, 64);
    assert.equal(limits.readUInt16BE(6), 1); // 4096 / 4096
    assert.equal(limits.readUInt32BE(8), 2048); // 8 MiB / 4096
    assert.equal(limits.readUInt32BE(12), 128); // 512 KiB / 4096
    assert.equal(limits.readUInt32BE(20), 0); // no UNMAP
    const characteristics = assertGood(await exec(inquiryCdb(true, 0xb1, 255)));
    assert.equal(characteristics.readUInt16BE(4), 1);
    const provisioning = assertGood(await exec(inquiryCdb(true, 0xb2, 255)));
    assert.deepEqual([...provisioning], [0, 0xb2, 0, 4, 0, 0x00, 0x02, 0]);
  });

  test('ALUA unavailable: peripheral qualifier 001b, media access NOT READY', async () => {
    const lu = new DiskLogicalUnit({
      backing: nullBacking({ sizeBytes: 1 << 20 }),
      identity: IDENTITY,
      getAlua: () => ({ tpgId: 1, state: 'unavailable' }),
    });
    const exec = executor(lu);
    const data = assertGood(await exec(inquiryCdb(false, 0, 36)));
    assert.equal(data[0], 0x20);
    await clearPowerOn(exec);
    assertCheck(await exec([0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]), 0x2, 0x04, 0x0c);
  });

  test('REPORT TARGET PORT GROUPS: offered only with target port groups; SCST layout, extended header', async () => {
    const lu = new DiskLogicalUnit({
      backing: nullBacking({ sizeBytes: 1 << 20 }),
      identity: IDENTITY,
      getAlua: () => ({ tpgId: 1, state: 'active' }),
      getTargetPortGroups: () => [
        { id: 1, state: 'active', preferred: true, relativeTargetPortIds: [1, 2] },
        { id: 2, state: 'standby', preferred: false, relativeTargetPortIds: [3] },
      ],
    });
    const exec = executor(lu);
    await clearPowerOn(exec);
    const rtpg = (format: number) => [0xa3, (format << 5) | 0x0a, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0];
    const data = assertGood(await exec(rtpg(0)));
    assert.deepEqual(
      [...data],
      [0, 0, 0, 28, 0x80, 0xcf, 0, 1, 0, 2, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x02, 0xcf, 0, 2, 0, 2, 0, 1, 0, 0, 0, 3],
    );
    const extended = assertGood(await exec(rtpg(1)));
    assert.deepEqual([...extended.subarray(0, 8)], [0, 0, 0, 32, 0x10, 0, 0, 0]);
    assertCheck(await exec(rtpg(2)), 0x5, 0x24);
    const { exec: plain } = await nullDisk();
    assertCheck(await plain(rtpg(0)), 0x5, 0x24); // unknown service action without groups
  });
});
