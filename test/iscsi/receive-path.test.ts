/**
 * The receive path: sockets read into one reused buffer per connection, the
 * framing copies every PDU out of it as it arrives (data straight to where
 * the receiver places it), and write data too large for any unit is refused
 * before a byte of it is gathered.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { crc32c } from '../../src/engine/crc32c.js';
import { dataBuffers } from '../../src/engine/scsi/buffer-pool.js';
import { PduReader, type DataTarget } from '../../src/iscsi/framing.js';
import { setDataSegmentLength, type Pdu } from '../../src/iscsi/pdu.js';
import { IscsiServer } from '../../src/iscsi/server.js';
import { ownBufferReads, receiveInto } from '../../src/iscsi/socket-receive.js';
import { FakeBackend, FakeTarget, FixedLunMap, RamDisk } from './doubles.js';
import { MiniInitiator } from './mini-initiator.js';

const le32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** A Data-Out-like PDU (opcode 0x05) with digests: BHS, header digest, padded data, data digest. */
function pduBytes(tag: number, data: Buffer): Buffer {
  const bhs = Buffer.alloc(48);
  bhs[0] = 0x05;
  bhs.writeUInt32BE(tag, 16);
  setDataSegmentLength(bhs, data.length);
  const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
  return Buffer.concat([bhs, le32(crc32c(bhs)), padded, le32(crc32c(padded))]);
}

/** Feeds `stream` to the reader through one scratch buffer that every piece overwrites, as the socket does. */
function readThroughScratch(reader: PduReader, stream: Buffer, pieceSize: number): Pdu[] {
  const scratch = Buffer.alloc(pieceSize);
  const out: Pdu[] = [];
  for (let at = 0; at < stream.length; at += pieceSize) {
    const n = stream.copy(scratch, 0, at, at + pieceSize);
    reader.push(scratch.subarray(0, n));
    for (let pdu = reader.next(); pdu; pdu = reader.next()) out.push(pdu);
    scratch.fill(0xee); // the next read overwrites it: nothing handed out may still point here
  }
  return out;
}

describe('PduReader over a reused receive buffer', () => {
  const payloads = [Buffer.from('first segment, 29 bytes long.'), Buffer.alloc(5000, 0x5a), Buffer.from('x')];
  const stream = Buffer.concat(payloads.map((p, i) => pduBytes(i + 1, p)));

  for (const pieceSize of [1, 7, 48, 64, 4096]) {
    test(`PDUs come out whole and intact when the bytes arrive ${pieceSize} at a time`, () => {
      const reader = new PduReader({ headerDigest: true, dataDigest: true, maxDataSegmentLength: 8192 });
      const pdus = readThroughScratch(reader, stream, pieceSize);
      assert.deepEqual(
        pdus.map((p) => [p.bhs.readUInt32BE(16), p.data.toString('hex')]),
        payloads.map((p, i) => [i + 1, p.toString('hex')]),
      );
    });
  }

  test('a placed data segment lands at the receiver’s offset, and the PDU says where', () => {
    const gather = Buffer.alloc(6000, 0);
    const placements: Array<[number, number]> = [];
    const reader = new PduReader({ headerDigest: true, dataDigest: true, maxDataSegmentLength: 8192 });
    reader.placement = (bhs, length): DataTarget | undefined => {
      placements.push([bhs.readUInt32BE(16), length]);
      return bhs.readUInt32BE(16) === 2 ? { buffer: gather, offset: 1000 } : undefined;
    };
    const pdus = readThroughScratch(reader, stream, 333);
    assert.deepEqual(placements, [
      [1, 29],
      [2, 5000],
      [3, 1],
    ]);
    assert.equal(pdus[1]!.placedIn, gather);
    assert.equal(pdus[1]!.data.buffer, gather.buffer);
    assert.equal(pdus[1]!.data.byteOffset, gather.byteOffset + 1000);
    assert.ok(gather.subarray(1000, 6000).equals(payloads[1]!));
    assert.equal(gather[999], 0);
    assert.equal(pdus[0]!.placedIn, undefined);
  });

  test('a data digest over a placed segment is still checked', () => {
    const bad = pduBytes(9, Buffer.alloc(100, 1));
    bad[bad.length - 1]! ^= 0xff;
    const reader = new PduReader({ headerDigest: true, dataDigest: true, maxDataSegmentLength: 8192 });
    reader.placement = () => ({ buffer: Buffer.alloc(100), offset: 0 });
    reader.push(bad);
    assert.throws(() => reader.next(), { name: 'FramingError', message: 'data digest mismatch' });
  });
});

describe('receiveInto', () => {
  test('an accepted socket is read into the given buffer, every byte in order, and still ends', async () => {
    assert.equal(ownBufferReads, true, 'Node 20 sockets must read into our own buffer');
    const own = Buffer.alloc(4096);
    const got: Buffer[] = [];
    let foreign = 0;
    let ended: Promise<unknown> = Promise.resolve();
    const server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
      ended = once(socket, 'close');
      receiveInto(socket, own, (bytes) => {
        if (bytes.buffer !== own.buffer) foreign++;
        got.push(Buffer.from(bytes));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const sent = Buffer.alloc(300_000);
    for (let i = 0; i < sent.length; i++) sent[i] = (i * 7 + (i >> 9)) & 0xff;
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    client.end(sent);
    await once(client, 'close');
    await ended;
    server.close();
    assert.equal(foreign, 0);
    assert.ok(got.length >= sent.length / own.length, `${got.length} reads of at most ${own.length} bytes`);
    assert.ok(Buffer.concat(got).equals(sent));
  });
});

describe('write data and the limits on its buffers', () => {
  const backend = new FakeBackend();
  /** One target per test, each with its own RAM disk at LUN 0. */
  const targets = ['big', 'budget'].map((name) => {
    const iqn = `iqn.2026-11.org.example:${name}`;
    const disk = new RamDisk();
    backend.add(new FakeTarget(iqn, () => new FixedLunMap(new Map([[0, disk]]))));
    return { iqn, disk };
  });
  const server = new IscsiServer(backend, { host: '127.0.0.1', port: 0 });
  before(() => server.listen());
  after(() => server.stop());

  test('a WRITE expecting more than 8 MiB is refused with INVALID FIELD IN CDB, and the session goes on', async () => {
    const { iqn, disk } = targets[0]!;
    const initiator = new MiniInitiator('iqn.2026-11.org.example:big');
    assert.equal(await initiator.login('127.0.0.1', server.address().port, iqn), 0);
    const cdb = Buffer.alloc(16);
    cdb[0] = 0x8a; // WRITE(16)
    cdb.writeUInt32BE(16384 + 1, 10);
    const refused = await initiator.command(0, cdb, { dataOut: Buffer.alloc((16384 + 1) * 512, 0x11) });
    assert.equal(refused.status, 0x02);
    assert.deepEqual([refused.sense![2]! & 0x0f, refused.sense![12], refused.sense![13]], [0x05, 0x24, 0x00]);
    assert.equal(disk.data.indexOf(0x11), -1, 'nothing was written');
    const tur = await initiator.command(0, Buffer.alloc(16));
    assert.equal(tur.status, 0x00);
    await initiator.logout();
  });

  test('with the budget all out, a write takes its first burst, waits for its gather buffer, then completes intact', async () => {
    const { iqn, disk } = targets[1]!;
    const initiator = new MiniInitiator('iqn.2026-11.org.example:patient');
    assert.equal(await initiator.login('127.0.0.1', server.address().port, iqn, { initialR2T: false, firstBurstLength: 65536 }), 0);
    assert.equal(initiator.negotiated.InitialR2T, 'No');
    const data = Buffer.alloc(256 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
    const cdb = Buffer.alloc(16);
    cdb[0] = 0x8a; // WRITE(16) at LBA 0
    cdb.writeUInt32BE(data.length / 512, 10);
    const everything = dataBuffers.take(dataBuffers.budget); // the process's budget, all out
    const writing = initiator.command(0, cdb, { dataOut: data, immediateBytes: 4096 });
    let settled = false;
    void writing.finally(() => (settled = true));
    for (let i = 0; i < 100 && dataBuffers.waiters === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(dataBuffers.waiters, 1, 'the gather buffer waits');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(settled, false, 'no R2T before the buffer is granted');
    dataBuffers.give(everything);
    const result = await writing;
    assert.equal(result.status, 0x00);
    assert.ok(disk.data.subarray(0, data.length).equals(data));
    assert.equal(dataBuffers.bytesOut, 0, 'every buffer back in the pool');
    await initiator.logout();
  });
});
