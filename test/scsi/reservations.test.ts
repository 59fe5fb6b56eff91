import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataPath } from '../../src/engine/data-path.js';
import { ScsiStatus, type LogicalUnit, type Nexus, type ScsiResponse } from '../../src/engine/scsi/index.js';
import { newMachine } from '../engine/helpers.js';
import { assertCheck, assertGood, cdb10, clearPowerOn, executor, nexus, nullDisk, type Exec } from './helpers.js';

const A = nexus('iqn.2000-01.test:a,i,0x400001370000');
const B = nexus('iqn.2000-01.test:b,i,0x400001370001');
const C = nexus('iqn.2000-01.test:c,i,0x400001370002');

const TYPES = { WE: 1, EA: 3, WERO: 5, EARO: 6, WEAR: 7, EAAR: 8 } as const;

function prOut(serviceAction: number, key: bigint, saKey = 0n, type = 0): { cdb: number[]; dataOut: Buffer } {
  const data = Buffer.alloc(24);
  data.writeBigUInt64BE(key, 0);
  data.writeBigUInt64BE(saKey, 8);
  return { cdb: [0x5f, serviceAction, type, 0, 0, 0, 0, 0, 24, 0], dataOut: data };
}

function prIn(serviceAction: number, allocation = 1024): number[] {
  return [0x5e, serviceAction, 0, 0, 0, 0, 0, allocation >> 8, allocation & 0xff, 0];
}

function assertConflict(r: ScsiResponse): void {
  assert.equal(r.status, ScsiStatus.RESERVATION_CONFLICT, r.sense ? `sense ${r.sense.toString('hex')}` : 'status');
  assert.equal(r.sense, null);
}

/** A nullio unit and three nexuses with their power-on unit attentions consumed. */
async function setup(): Promise<{ exec: Exec; lu: Awaited<ReturnType<typeof nullDisk>>['lu'] }> {
  const { lu, exec } = await nullDisk();
  for (const n of [A, B, C]) await clearPowerOn(exec, n);
  return { lu, exec };
}

async function out(exec: Exec, n: Nexus, sa: number, key: bigint, saKey = 0n, type = 0): Promise<ScsiResponse> {
  const { cdb, dataOut } = prOut(sa, key, saKey, type);
  return exec(cdb, { nexus: n, dataOut });
}

const register = (exec: Exec, n: Nexus, key: bigint): Promise<ScsiResponse> => out(exec, n, 6, 0n, key);

async function readKeys(exec: Exec, n: Nexus = A): Promise<{ generation: number; keys: bigint[] }> {
  const data = assertGood(await exec(prIn(0), { nexus: n }));
  const keys: bigint[] = [];
  for (let at = 8; at < 8 + data.readUInt32BE(4); at += 8) keys.push(data.readBigUInt64BE(at));
  return { generation: data.readUInt32BE(0), keys };
}

async function readReservation(exec: Exec, n: Nexus = A): Promise<{ key: bigint; type: number } | undefined> {
  const data = assertGood(await exec(prIn(1), { nexus: n }));
  if (data.readUInt32BE(4) === 0) return undefined;
  return { key: data.readBigUInt64BE(8), type: data[21]! & 0x0f };
}

const read = (exec: Exec, n: Nexus): Promise<ScsiResponse> => exec(cdb10(0x28, 1, 1), { nexus: n });
const write = (exec: Exec, n: Nexus): Promise<ScsiResponse> => exec(cdb10(0x2a, 1, 1), { nexus: n, dataOut: Buffer.alloc(512) });

describe('persistent reservations: access rules (SPC-4 Table 67)', () => {
  // [registered non-holder read, write, unregistered read, write]; the holder may always read and write.
  const table: Array<[keyof typeof TYPES, boolean, boolean, boolean, boolean]> = [
    ['WE', true, false, true, false],
    ['EA', false, false, false, false],
    ['WERO', true, true, true, false],
    ['EARO', true, true, false, false],
    ['WEAR', true, true, true, false],
    ['EAAR', true, true, false, false],
  ];
  for (const [name, regRead, regWrite, unregRead, unregWrite] of table) {
    test(`${name}: holder, registrant and unregistered nexus`, async () => {
      const { exec } = await setup();
      assertGood(await register(exec, A, 0xaan));
      assertGood(await register(exec, B, 0xbbn));
      assertGood(await out(exec, A, 1, 0xaan, 0n, TYPES[name]));
      assertGood(await read(exec, A));
      assertGood(await write(exec, A));
      const check = (r: ScsiResponse, allowed: boolean): void => (allowed ? void assertGood(r) : assertConflict(r));
      check(await read(exec, B), regRead);
      check(await write(exec, B), regWrite);
      check(await read(exec, C), unregRead);
      check(await write(exec, C), unregWrite);
      // Commands outside the reservation's reach: INQUIRY, TEST UNIT READY, READ CAPACITY, PR IN.
      assertGood(await exec([0x12, 0, 0, 0, 36, 0], { nexus: C }));
      assertGood(await exec([0, 0, 0, 0, 0, 0], { nexus: C }));
      assertGood(await exec([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], { nexus: C }));
      assertGood(await exec(prIn(1), { nexus: C }));
      const all = name === 'WEAR' || name === 'EAAR';
      assert.deepEqual(await readReservation(exec), { key: all ? 0n : 0xaan, type: TYPES[name] });
    });
  }
});

describe('persistent reservations: service actions', () => {
  test('REGISTER: key checks, key 0 from an unregistered nexus, generation and READ KEYS truncation', async () => {
    const { exec } = await setup();
    assertConflict(await out(exec, A, 0, 0x5n, 0x1n)); // unregistered with a non-zero key
    assertGood(await out(exec, A, 0, 0n, 0n)); // nothing happens
    assert.deepEqual(await readKeys(exec), { generation: 0, keys: [] });
    assertGood(await out(exec, A, 0, 0n, 0x11n));
    assertConflict(await out(exec, A, 0, 0x99n, 0x12n)); // wrong reservation key
    assertGood(await out(exec, A, 0, 0x11n, 0x12n)); // changes the key
    assertGood(await register(exec, B, 0x22n));
    assert.deepEqual(await readKeys(exec), { generation: 3, keys: [0x12n, 0x22n] });
    const truncated = assertGood(await exec(prIn(0, 8), { nexus: A }));
    assert.equal(truncated.length, 8);
    assert.equal(truncated.readUInt32BE(4), 16, 'ADDITIONAL LENGTH is not truncated');
    assertGood(await out(exec, A, 0, 0x12n, 0n)); // unregister
    assert.deepEqual(await readKeys(exec), { generation: 4, keys: [0x22n] });
  });

  test('parameter list and CDB errors', async () => {
    const { exec } = await setup();
    const { dataOut } = prOut(6, 0n, 1n);
    assertCheck(await exec([0x5f, 6, 0, 0, 0, 0, 0, 0, 20, 0], { nexus: A, dataOut: dataOut.subarray(0, 20) }), 0x5, 0x1a);
    const aptpl = Buffer.from(dataOut);
    aptpl[20] = 0x01;
    assertCheck(await exec([0x5f, 6, 0, 0, 0, 0, 0, 0, 24, 0], { nexus: A, dataOut: aptpl }), 0x5, 0x26);
    assertGood(await register(exec, A, 1n));
    assertCheck(await out(exec, A, 1, 1n, 0n, 2), 0x5, 0x24); // type 2 is obsolete
    assertCheck(await exec(prIn(4), { nexus: A }), 0x5, 0x24);
  });

  test('RESERVE and RELEASE: conflicts, same-type re-reserve, invalid release, release of a non-held reservation', async () => {
    const { exec } = await setup();
    assertGood(await register(exec, A, 1n));
    assertGood(await register(exec, B, 2n));
    assertConflict(await out(exec, C, 1, 0n, 0n, TYPES.WE)); // not registered
    assertConflict(await out(exec, A, 1, 9n, 0n, TYPES.WE)); // wrong key
    assertGood(await out(exec, A, 1, 1n, 0n, TYPES.WE));
    assertGood(await out(exec, A, 1, 1n, 0n, TYPES.WE));
    assertConflict(await out(exec, A, 1, 1n, 0n, TYPES.EA));
    assertConflict(await out(exec, B, 1, 2n, 0n, TYPES.WE));
    assertGood(await out(exec, B, 2, 2n, 0n, TYPES.WE)); // not the holder: nothing happens
    assert.deepEqual(await readReservation(exec), { key: 1n, type: TYPES.WE });
    assertCheck(await out(exec, A, 2, 1n, 0n, TYPES.EA), 0x5, 0x26, 0x04);
    assertGood(await out(exec, A, 2, 1n, 0n, TYPES.WE));
    assert.equal(await readReservation(exec), undefined);
    assert.equal((await readKeys(exec)).generation, 2, 'RESERVE and RELEASE leave PRGENERATION alone');
  });

  test('releasing a registrants-only reservation tells the other registrants (2A/04), not the releaser', async () => {
    const { exec } = await setup();
    assertGood(await register(exec, A, 1n));
    assertGood(await register(exec, B, 2n));
    assertGood(await out(exec, A, 1, 1n, 0n, TYPES.WERO));
    assertGood(await out(exec, A, 2, 1n, 0n, TYPES.WERO));
    assertCheck(await exec([0, 0, 0, 0, 0, 0], { nexus: B }), 0x6, 0x2a, 0x04);
    assertGood(await exec([0, 0, 0, 0, 0, 0], { nexus: A }));
    assertGood(await exec([0, 0, 0, 0, 0, 0], { nexus: C }));
  });

  test('unregistering the holder ends its reservation, except an all-registrants one while registrants remain', async () => {
    const { exec } = await setup();
    assertGood(await register(exec, A, 1n));
    assertGood(await register(exec, B, 2n));
    assertGood(await out(exec, A, 1, 1n, 0n, TYPES.EARO));
    assertGood(await out(exec, A, 0, 1n, 0n));
    assert.equal(await readReservation(exec), undefined);
    assertCheck(await exec([0, 0, 0, 0, 0, 0], { nexus: B }), 0x6, 0x2a, 0x04);
    assertGood(await register(exec, A, 1n));
    assertGood(await out(exec, A, 1, 1n, 0n, TYPES.EAAR));
    assertGood(await out(exec, A, 0, 1n, 0n));
    assert.deepEqual(await readReservation(exec), { key: 0n, type: TYPES.EAAR });
    assertGood(await write(exec, B));
    assertConflict(await write(exec, A));
    assertGood(await out(exec, B, 2, 2n, 0n, TYPES.EAAR));
    assert.equal(await readReservation(exec), undefined);
  });

  test('CLEAR removes everything, bumps the generation once and preempts the others (2A/03)', async () => {
    const { exec } = await setup();
    assertGood(await register(exec, A, 1n));
    assertGood(await register(exec, B, 2n));
    assertGood(await out(exec, A, 1, 1n, 0n, TYPES.EA));
    assertConflict(await out(exec, C, 3, 0n));
    assertGood(await out(exec, A, 3, 1n));
    assert.deepEqual(await readKeys(exec), { generation: 3, keys: [] });
    assert.equal(await readReservation(exec), undefined);
    assertCheck(await exec([0, 0, 0, 0, 0, 0], { nexus: B }), 0x6, 0x2a, 0x03);
    assertGood(await exec([0, 0, 0, 0, 0, 0], { nexus: A }));
  });

  test('PREEMPT: a registration, then the holder (the reservation moves), with 2A/05 to the preempted', async () => {
    const { exec } = await setup();
    assertGood(await register(exec, A, 1n));
    assertGood(await register(exec, B, 2n));
    assertGood(await register(exec, C, 3n));
    assertConflict(await out(exec, B, 4, 2n, 7n, TYPES.EA)); // nobody holds key 7
    assertCheck(await out(exec, B, 4, 2n, 0n, TYPES.EA), 0x5, 0x26); // key 0 without an all-registrants reservation
    assertGood(await out(exec, B, 4, 2n, 3n, TYPES.EA)); // no reservation: only C's registration goes
    assert.deepEqual(await readKeys(exec), { generation: 4, keys: [1n, 2n] });
    assert.equal(await readReservation(exec), undefined);
    assertCheck(await exec([0, 0, 0, 0, 0, 0], { nexus: C }), 0x6, 0x2a, 0x05);
    assertGood(await out(exec, A, 1, 1n, 0n, TYPES.WE));
    assertGood(await out(exec, B, 5, 2n, 1n, TYPES.EA)); // PREEMPT AND ABORT of the holder
    assertConflict(await read(exec, A)); // the conflict comes first; the unit attention stays pending
    assertCheck(await exec([0, 0, 0, 0, 0, 0], { nexus: A }), 0x6, 0x2a, 0x05);
    assert.deepEqual(await readReservation(exec), { key: 2n, type: TYPES.EA });
    assert.deepEqual((await readKeys(exec)).keys, [2n]);
  });

  test('REPORT CAPABILITIES and READ FULL STATUS', async () => {
    const { exec } = await setup();
    const caps = assertGood(await exec(prIn(2), { nexus: A }));
    assert.deepEqual([...caps], [0, 8, 0x10, 0x80, 0xea, 0x01, 0, 0]);
    assertGood(await register(exec, A, 0x1234n));
    assertGood(await out(exec, A, 1, 0x1234n, 0n, TYPES.WE));
    const full = assertGood(await exec(prIn(3), { nexus: A }));
    assert.equal(full.readUInt32BE(0), 1);
    const tidLength = full.readUInt32BE(8 + 20);
    assert.equal(full.readUInt32BE(4), 24 + tidLength);
    assert.equal(full.readBigUInt64BE(8), 0x1234n);
    assert.deepEqual([full[8 + 12], full[8 + 13], full.readUInt16BE(8 + 18)], [0x01, TYPES.WE, 1]);
    const tid = full.subarray(8 + 24);
    assert.equal(tid[0], 0x45, 'iSCSI TransportID, format 01b (name and ISID)');
    assert.equal(tid.readUInt16BE(2), tid.length - 4);
    assert.equal(tid.subarray(4).toString('latin1').replace(/\0+$/, ''), A.initiatorName);
  });
});

describe('SPC-2 RESERVE/RELEASE', () => {
  for (const [name, reserveCdb, releaseCdb] of [
    ['6', [0x16, 0, 0, 0, 0, 0], [0x17, 0, 0, 0, 0, 0]],
    ['10', [0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ] as const) {
    test(`(${name}): conflicts for other nexuses, re-reserve, foreign RELEASE is a no-op`, async () => {
      const { exec } = await setup();
      assertGood(await exec([...reserveCdb], { nexus: A }));
      assertGood(await exec([...reserveCdb], { nexus: A }));
      assertConflict(await exec([...reserveCdb], { nexus: B }));
      assertGood(await exec([...releaseCdb], { nexus: B }));
      assertConflict(await exec([0x1a, 0, 0x3f, 0, 255, 0], { nexus: B })); // MODE SENSE
      assertConflict(await read(exec, B));
      assertConflict(await exec(prIn(0), { nexus: B }));
      assertGood(await exec([0x12, 0, 0, 0, 36, 0], { nexus: B }));
      assertGood(await exec([0, 0, 0, 0, 0, 0], { nexus: B }));
      assertGood(await write(exec, A));
      assertGood(await exec([...releaseCdb], { nexus: A }));
      assertGood(await exec([...reserveCdb], { nexus: B }));
    });
  }

  test('released on nexus loss and on LU or target reset; a conflict leaves the unit attention pending', async () => {
    const { lu, exec } = await setup();
    const reserve = (n: Nexus): Promise<ScsiResponse> => exec([0x16, 0, 0, 0, 0, 0], { nexus: n });
    assertGood(await reserve(A));
    lu.nexusLost(B); // another nexus: nothing changes
    await clearPowerOn(exec, B); // a new login is a new nexus
    assertConflict(await reserve(B));
    lu.nexusLost(A);
    await clearPowerOn(exec, A);
    assertGood(await reserve(B));
    lu.reset('lun', B);
    assertCheck(await reserve(A), 0x6, 0x29, 0x00);
    assertGood(await reserve(A));
    lu.reset('target', A);
    assertCheck(await reserve(B), 0x6, 0x29, 0x03);
    assertGood(await reserve(B));
    assertCheck(await exec([0, 0, 0, 0, 0, 0], { nexus: A }), 0x6, 0x29, 0x03);
    lu.raiseUnitAttention({ key: 6, asc: 0x2a, ascq: 0x09 }, A);
    assertConflict(await read(exec, A));
    assertCheck(await exec([0, 0, 0, 0, 0, 0], { nexus: A }), 0x6, 0x2a, 0x09);
  });

  test('RESERVE conflicts while persistent registrations exist; persistent registrations survive nexus loss', async () => {
    const { lu, exec } = await setup();
    assertGood(await register(exec, A, 1n));
    assertConflict(await exec([0x16, 0, 0, 0, 0, 0], { nexus: B }));
    lu.nexusLost(A);
    assert.deepEqual((await readKeys(exec, B)).keys, [1n]);
  });
});

describe('engine data path: one unit per device, reservations in the device', () => {
  async function machineWithLuns(): Promise<{ writable: LogicalUnit; readOnly: LogicalUnit; prState: () => Promise<string> }> {
    const { engine, tree } = newMachine();
    await tree.write('handlers/vdisk_nullio/mgmt', 'add_device n1');
    await tree.write('targets/iscsi/mgmt', 'add_target iqn.2000-01.test:t');
    await tree.write('targets/iscsi/iqn.2000-01.test:t/luns/mgmt', 'add n1 0');
    await tree.write('targets/iscsi/iqn.2000-01.test:t/luns/mgmt', 'add n1 1 read_only=1');
    const target = engine.allTargets().find((t) => t.name === 'iqn.2000-01.test:t')!;
    const map = new DataPath(engine).lunMap(target.luns);
    return { writable: map.lookup(0)!, readOnly: map.lookup(1)!, prState: () => tree.read('devices/n1/pr_state') };
  }

  test('pr_state shows registrations and the reservation made through PERSISTENT RESERVE OUT', async () => {
    const { writable, prState } = await machineWithLuns();
    const exec = executor(writable, A);
    await clearPowerOn(exec);
    await clearPowerOn(exec, B);
    assert.equal(await prState(), 'version 1\ngeneration 0\n');
    assertGood(await register(exec, A, 0xabcn));
    assertGood(await register(exec, B, 0xdefn));
    assertGood(await out(exec, A, 1, 0xabcn, 0n, TYPES.WERO));
    const lines = (await prState()).split('\n');
    assert.deepEqual(lines.slice(0, 3), ['version 1', 'generation 2', 'reservation 05 00']);
    assert.match(lines[3]!, /^registrant 1 0000000000000abc 1 \d+ 45/);
    assert.match(lines[4]!, /^registrant 1 0000000000000def 0 \d+ 45/);
    assertGood(await out(exec, A, 3, 0xabcn));
    assert.equal(await prState(), 'version 1\ngeneration 3\n');
  });

  test('a read_only LUN is a write-protected view of the same unit (shared reservations and unit attentions)', async () => {
    const { writable, readOnly } = await machineWithLuns();
    const viaWritable = executor(writable, A);
    const viaReadOnly = executor(readOnly, B);
    await clearPowerOn(viaWritable);
    // The power-on condition belongs to the nexus, not to the LUN: B has one too, A does not any more.
    assertCheck(await viaWritable([0, 0, 0, 0, 0, 0], { nexus: B }), 0x6, 0x29, 0x00);
    assertGood(await viaReadOnly([0, 0, 0, 0, 0, 0], { nexus: A }));
    assertCheck(await viaReadOnly(cdb10(0x2a, 0, 1), { dataOut: Buffer.alloc(512) }), 0x7, 0x27);
    assertGood(await viaWritable(cdb10(0x2a, 0, 1), { dataOut: Buffer.alloc(512) }));
    const wp = (data: Buffer): number => data[2]! & 0x80;
    assert.equal(wp(assertGood(await viaReadOnly([0x1a, 0, 0x3f, 0, 255, 0]))), 0x80);
    assert.equal(wp(assertGood(await viaWritable([0x1a, 0, 0x3f, 0, 255, 0]))), 0);
    assertGood(await viaWritable([0x16, 0, 0, 0, 0, 0]));
    assertConflict(await viaReadOnly(cdb10(0x28, 0, 1)));
  });
});
