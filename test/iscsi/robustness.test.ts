/**
 * Hostile and broken input: the driver answers with a Reject or closes the
 * connection, never crashes, and keeps serving other initiators.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { IscsiServer } from '../../src/iscsi/server.js';
import { encodeText } from '../../src/iscsi/text.js';
import { setDataSegmentLength } from '../../src/iscsi/pdu.js';
import { FakeBackend, FakeTarget, FixedLunMap, RamDisk } from './doubles.js';

const IQN = 'iqn.2026-11.org.example:robust';

function loginPdu(): Buffer {
  const data = encodeText([
    ['InitiatorName', 'iqn.2026-11.org.example:raw'],
    ['TargetName', IQN],
    ['SessionType', 'Normal'],
    ['AuthMethod', 'None'],
  ]);
  const bhs = Buffer.alloc(48);
  bhs[0] = 0x43;
  bhs[1] = 0x80 | (0 << 2) | 1; // security -> operational
  Buffer.from('400001370000', 'hex').copy(bhs, 8);
  setDataSegmentLength(bhs, data.length);
  const pad = Buffer.alloc((4 - (data.length % 4)) % 4);
  return Buffer.concat([bhs, data, pad]);
}

/** Collects everything the target sends until it closes the connection (or the timeout). */
async function exchange(port: number, payload: Buffer[], waitMs = 1500): Promise<{ received: Buffer; closed: boolean }> {
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  for (const p of payload) socket.write(p);
  const closed = await Promise.race([
    once(socket, 'close').then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), waitMs)),
  ]);
  socket.destroy();
  return { received: Buffer.concat(chunks), closed };
}

describe('robustness', () => {
  const backend = new FakeBackend();
  const disk = new RamDisk();
  backend.add(new FakeTarget(IQN, () => new FixedLunMap(new Map([[0, disk]]))));
  const server = new IscsiServer(backend, { host: '127.0.0.1', port: 0 });
  let port = 0;
  before(async () => {
    await server.listen();
    port = server.address().port;
  });
  after(() => server.stop());

  test('a non-login PDU before login closes the connection', async () => {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x01; // SCSI command
    const r = await exchange(port, [bhs]);
    assert.equal(r.closed, true);
  });

  test('random bytes close the connection without a crash', async () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) & 0xff;
    const r = await exchange(port, [junk]);
    assert.equal(r.closed, true);
  });

  test('a login data segment beyond the limit is refused', async () => {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x43;
    setDataSegmentLength(bhs, 0xffffff);
    const r = await exchange(port, [bhs]);
    assert.equal(r.closed, true);
    assert.equal(r.received[0] & 0x3f, 0x3f, 'a Reject PDU names the offending header');
    assert.equal(r.received[2], 0x04, 'reason: protocol error');
  });

  test('after login, an unknown opcode gets a Reject and the session stays usable', async () => {
    const weird = Buffer.alloc(48);
    weird[0] = 0x1c;
    const nop = Buffer.alloc(48);
    nop[0] = 0x40; // immediate NOP-Out
    nop[1] = 0x80;
    nop.writeUInt32BE(0x1234, 16);
    nop.writeUInt32BE(0xffffffff, 20);
    const r = await exchange(port, [loginPdu(), Buffer.concat([loginFinal()]), weird, nop], 800);
    assert.equal(r.closed, false);
    const opcodes: number[] = [];
    for (let at = 0; at + 48 <= r.received.length; ) {
      opcodes.push(r.received[at] & 0x3f);
      const dsl = r.received.readUIntBE(at + 5, 3);
      at += 48 + dsl + ((4 - (dsl % 4)) % 4);
    }
    assert.deepEqual(opcodes, [0x23, 0x23, 0x3f, 0x20], 'login, login, Reject, NOP-In');
  });

  test('the server still serves a well-behaved initiator afterwards', async () => {
    const r = await exchange(port, [loginPdu()], 300);
    assert.equal(r.received[0] & 0x3f, 0x23);
    assert.equal(r.received.readUInt16BE(36), 0, 'login status success');
  });
});

function loginFinal(): Buffer {
  const data = encodeText([['MaxRecvDataSegmentLength', '65536']]);
  const bhs = Buffer.alloc(48);
  bhs[0] = 0x43;
  bhs[1] = 0x80 | (1 << 2) | 3; // operational -> full feature
  Buffer.from('400001370000', 'hex').copy(bhs, 8);
  setDataSegmentLength(bhs, data.length);
  const pad = Buffer.alloc((4 - (data.length % 4)) % 4);
  return Buffer.concat([bhs, data, pad]);
}
