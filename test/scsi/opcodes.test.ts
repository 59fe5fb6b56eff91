import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCheck, assertGood, nullDisk, tempFileDisk } from './helpers.js';

function rsoc(options: number, opcode = 0, serviceAction = 0, rctd = false, allocation = 65535): number[] {
  return [0xa3, 0x0c, (rctd ? 0x80 : 0) | options, opcode, serviceAction >> 8, serviceAction & 0xff, 0, 0, allocation >> 8, allocation & 0xff, 0, 0];
}

interface Descriptor {
  opcode: number;
  serviceAction: number;
  serviceActionValid: boolean;
  cdbLength: number;
}

function parseAll(data: Buffer, withTimeouts: boolean): Descriptor[] {
  const list: Descriptor[] = [];
  const step = withTimeouts ? 20 : 8;
  assert.equal(data.readUInt32BE(0), data.length - 4);
  for (let at = 4; at < data.length; at += step) {
    assert.equal((data[at + 5]! & 0x02) !== 0, withTimeouts, 'CTDP');
    if (withTimeouts) assert.equal(data.readUInt16BE(at + 8), 0x0a);
    list.push({ opcode: data[at]!, serviceAction: data.readUInt16BE(at + 2), serviceActionValid: (data[at + 5]! & 0x01) !== 0, cdbLength: data.readUInt16BE(at + 6) });
  }
  return list;
}

function commandName(d: Descriptor): string {
  return d.opcode.toString(16).padStart(2, '0') + (d.serviceActionValid ? '/' + d.serviceAction.toString(16).padStart(2, '0') : '');
}

const DISK_COMMANDS = [
  '00', '03', '08', '0a', '12', '15', '16', '17', '1a', '1b', '1e', '25', '28', '2a', '2e', '2f', '34', '35', '37', '41', '55',
  '56', '57', '5a', '5e/00', '5e/01', '5e/02', '5e/03', '5f/00', '5f/01', '5f/02', '5f/03', '5f/04', '5f/05', '5f/06', '88', '89', '8a', '8b', '8e', '8f', '90', '91', '93', '9e/10', '9e/12', 'a0', 'a3/0c', 'a8', 'aa', 'ae', 'af', 'b7',
];

describe('REPORT SUPPORTED OPERATION CODES', () => {
  test('all commands: the disk command set, sorted, with and without timeouts descriptors', async () => {
    const disk = await tempFileDisk(8);
    try {
      const plain = parseAll(assertGood(await disk.exec(rsoc(0))), false);
      assert.deepEqual(plain.map(commandName), DISK_COMMANDS);
      assert.deepEqual(parseAll(assertGood(await disk.exec(rsoc(0, 0, 0, true))), true).map((d) => d.opcode), plain.map((d) => d.opcode));
      assert.equal(plain.find((d) => d.opcode === 0x88)!.cdbLength, 16);
      const truncated = assertGood(await disk.exec(rsoc(0, 0, 0, false, 12)));
      assert.equal(truncated.length, 12);
    } finally {
      await disk.cleanup();
    }
  });

  test('nullio withholds COMPARE AND WRITE, WRITE SAME and ORWRITE (no data kept)', async () => {
    const { exec } = await nullDisk();
    const names = parseAll(assertGood(await exec(rsoc(0))), false).map(commandName);
    assert.deepEqual(names, DISK_COMMANDS.filter((name) => !['89', '41', '93', '8b'].includes(name)));
    assertCheck(await exec([0x41, 0, 0, 0, 0, 0, 0, 0, 1, 0], { dataOut: Buffer.alloc(512) }), 0x5, 0x20);
    assertCheck(await exec([0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0], { dataOut: Buffer.alloc(1024) }), 0x5, 0x20);
  });

  test('one command: usage data of READ(10) shows DPO/FUA; SA commands need option 2', async () => {
    const { exec } = await nullDisk();
    const read10 = assertGood(await exec(rsoc(1, 0x28)));
    assert.deepEqual([...read10], [0, 0x03, 0, 10, 0x28, 0xfa, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00]);
    const withTimeout = assertGood(await exec(rsoc(1, 0x28, 0, true)));
    assert.deepEqual([...withTimeout.subarray(0, 2)], [0, 0x83]);
    assert.deepEqual([...withTimeout.subarray(14)], [0, 0x0a, 0, 0, 0, 0, 0, 1, 0, 0, 0, 60]);
    assertCheck(await exec(rsoc(1, 0x9e)), 0x5, 0x24);
    assertCheck(await exec(rsoc(2, 0x28)), 0x5, 0x24);
    const rc16 = assertGood(await exec(rsoc(2, 0x9e, 0x10)));
    assert.deepEqual([...rc16.subarray(0, 6)], [0, 0x03, 0, 16, 0x9e, 0x10]);
    assert.deepEqual([...assertGood(await exec(rsoc(1, 0x42)))], [0, 0x01, 0, 0]); // UNMAP: not supported
    assert.deepEqual([...assertGood(await exec(rsoc(2, 0x9e, 0x13)))], [0, 0x01, 0, 0]);
    assertCheck(await exec(rsoc(4, 0x28)), 0x5, 0x24);
  });

  test('every advertised command is accepted; usage data matches what the dispatcher allows', async () => {
    const { exec } = await nullDisk();
    // REPORT LUNS needs the session's LUN map (or the transport answers it).
    assertCheck(await exec([0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]), 0x4, 0x44);
    const all = parseAll(assertGood(await exec(rsoc(0))), false);
    for (const d of all) {
      const one = assertGood(await exec(rsoc(d.serviceActionValid ? 2 : 1, d.opcode, d.serviceAction)));
      assert.equal(one[4], d.opcode);
      assert.equal(one.readUInt16BE(2), d.cdbLength);
      // A CDB of zeros (plus the service action) is never an unknown opcode.
      const cdb = Buffer.alloc(d.cdbLength);
      cdb[0] = d.opcode;
      if (d.serviceActionValid) cdb[1] = d.serviceAction;
      const response = await exec(cdb, { lunMap: { lookup: () => undefined, luns: () => [0] } });
      if (response.sense) assert.notEqual(response.sense[12], 0x20, `opcode ${d.opcode.toString(16)} rejected as unknown`);
    }
  });

  test('unimplemented commands are INVALID COMMAND OPERATION CODE and are not advertised', async () => {
    const { exec } = await nullDisk();
    const advertised = new Set(parseAll(assertGood(await exec(rsoc(0))), false).map((d) => d.opcode));
    // UNMAP, EXTENDED COPY, FORMAT UNIT, LOG SENSE, WRITE ATOMIC(16), SANITIZE
    for (const opcode of [0x42, 0x83, 0x04, 0x4d, 0x9c, 0x48]) {
      assert.ok(!advertised.has(opcode));
      const cdb = Buffer.alloc(16);
      cdb[0] = opcode;
      assertCheck(await exec(cdb), 0x5, 0x20);
    }
    // An unknown service action of a known opcode is an invalid field in byte 1.
    const unknownSa = await exec([0x9e, 0x13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0]);
    assertCheck(unknownSa, 0x5, 0x24);
    assert.deepEqual([...unknownSa.sense!.subarray(15, 18)], [0xcc, 0, 1]);
    // PERSISTENT RESERVE IN offers service actions 0–3 only; REGISTER AND MOVE (OUT 07h) is not offered.
    assertCheck(await exec([0x5e, 0x04, 0, 0, 0, 0, 0, 0x40, 0, 0]), 0x5, 0x24);
    assertCheck(await exec([0x5f, 0x07, 0, 0, 0, 0, 0, 0, 24, 0], { dataOut: Buffer.alloc(24) }), 0x5, 0x24);
  });
});
