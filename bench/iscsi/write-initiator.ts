/**
 * A small iSCSI initiator for the write half of the data-path benchmark
 * (iscsi-perf only reads): one session, one connection, no digests, WRITE(16)
 * commands kept QD deep for a fixed time. It obeys what the target
 * negotiates (ImmediateData, InitialR2T, FirstBurstLength, MaxBurstLength,
 * the target's MaxRecvDataSegmentLength, the CmdSN window) and answers R2Ts
 * and NOP-Ins, so it measures any RFC 7143 target the same way.
 */
import { connect, type Socket } from 'node:net';
import { randomFillSync } from 'node:crypto';

const BHS = 48;
const OP_NOP_OUT = 0x00;
const OP_SCSI_COMMAND = 0x01;
const OP_LOGIN_REQUEST = 0x03;
const OP_DATA_OUT = 0x05;
const OP_LOGOUT_REQUEST = 0x06;
const OP_NOP_IN = 0x20;
const OP_SCSI_RESPONSE = 0x21;
const OP_LOGIN_RESPONSE = 0x23;
const OP_R2T = 0x31;
const OP_REJECT = 0x3f;
const RESERVED_TAG = 0xffffffff;
const BLOCK_SIZE = 512;
const PADDING = Buffer.alloc(3);

export interface WriteWorkload {
  host: string;
  port: number;
  targetName: string;
  lun: number;
  /** Bytes per WRITE. */
  transferBytes: number;
  queueDepth: number;
  random: boolean;
  /** Blocks of the LUN the workload may touch (from the start). */
  spanBlocks: number;
  durationMs: number;
}

export interface WriteResult {
  commands: number;
  bytes: number;
  seconds: number;
}

interface Negotiated {
  immediateData: boolean;
  initialR2T: boolean;
  firstBurstLength: number;
  maxBurstLength: number;
  /** The largest data segment the target accepts. */
  targetMaxRecv: number;
  /** ExpCmdSN and MaxCmdSN from the final login response: the first command window. */
  expCmdSn: number;
  maxCmdSn: number;
}

interface Pdu {
  header: Buffer;
  data: Buffer;
}

function encodeText(pairs: Record<string, string>): Buffer {
  return Buffer.from(Object.entries(pairs).map(([k, v]) => `${k}=${v}\0`).join(''), 'utf8');
}

function decodeText(data: Buffer): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const item of data.toString('utf8').split('\0')) {
    const eq = item.indexOf('=');
    if (eq > 0) pairs.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return pairs;
}

function lunField(lun: number): Buffer {
  const field = Buffer.alloc(8);
  // SAM flat/peripheral addressing for LUNs below 256.
  field[1] = lun;
  return field;
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

/** One connection's PDU reader and writer. */
class Connection {
  private pending: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (pdu: Pdu) => void; reject: (err: Error) => void } | undefined;
  private readonly queue: Pdu[] = [];
  private failure: Error | undefined;
  onPdu: ((pdu: Pdu) => void) | undefined;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the target')));
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Queues one PDU; `flush()` sends everything queued in one writev. */
  send(header: Buffer, data?: Buffer): void {
    header.writeUIntBE(data?.length ?? 0, 5, 3);
    if (!this.socket.writableCorked) this.socket.cork();
    this.socket.write(header);
    if (!data || data.length === 0) return;
    this.socket.write(data);
    const pad = padded(data.length) - data.length;
    if (pad) this.socket.write(PADDING.subarray(0, pad));
  }

  flush(): void {
    while (this.socket.writableCorked) this.socket.uncork();
  }

  /** Next PDU during login (before a handler is installed). */
  next(): Promise<Pdu> {
    if (this.failure) return Promise.reject(this.failure);
    const pdu = this.queue.shift();
    if (pdu) return Promise.resolve(pdu);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  get error(): Error | undefined {
    return this.failure;
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(err);
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (this.pending.length - at >= BHS) {
      const ahs = this.pending[at + 4]! * 4;
      const dataLength = this.pending.readUIntBE(at + 5, 3);
      const total = BHS + ahs + padded(dataLength);
      if (this.pending.length - at < total) break;
      const header = this.pending.subarray(at, at + BHS);
      const data = this.pending.subarray(at + BHS + ahs, at + BHS + ahs + dataLength);
      at += total;
      this.deliver({ header, data });
    }
    this.pending = at === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(at);
    // Everything the handlers queued in answer to this chunk goes out in one writev.
    this.flush();
  }

  private deliver(pdu: Pdu): void {
    if (this.onPdu) this.onPdu(pdu);
    else if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve(pdu);
    } else this.queue.push(pdu);
  }
}

/** A login in two steps (security → operational → full feature), no authentication. */
async function login(conn: Connection, targetName: string, statSn: { next: number }): Promise<Negotiated> {
  const isid = Buffer.from([0x80, 0x00, 0x00, 0x42, 0x00, 0x01]);
  const proposal: Record<string, string> = {
    HeaderDigest: 'None',
    DataDigest: 'None',
    InitialR2T: 'No',
    ImmediateData: 'Yes',
    MaxRecvDataSegmentLength: '262144',
    MaxBurstLength: '1048576',
    FirstBurstLength: '262144',
    MaxOutstandingR2T: '1',
    ErrorRecoveryLevel: '0',
  };
  const stages: Array<{ csg: number; nsg: number; keys: Record<string, string> }> = [
    {
      csg: 0,
      nsg: 1,
      keys: { InitiatorName: 'iqn.2026-11.bench:write-initiator', SessionType: 'Normal', TargetName: targetName, AuthMethod: 'None' },
    },
    { csg: 1, nsg: 3, keys: proposal },
  ];
  const answers = new Map<string, string>();
  let expCmdSn = 0;
  let maxCmdSn = 0;
  for (const stage of stages) {
    let keys: Record<string, string> = stage.keys;
    for (;;) {
      const header = Buffer.alloc(BHS);
      header[0] = OP_LOGIN_REQUEST | 0x40;
      header[1] = 0x80 | (stage.csg << 2) | stage.nsg;
      isid.copy(header, 8);
      header.writeUInt32BE(0, 24); // CmdSN stays 0 during login (immediate)
      header.writeUInt32BE(statSn.next, 28);
      conn.send(header, encodeText(keys));
      conn.flush();
      const reply = await conn.next();
      if ((reply.header[0]! & 0x3f) !== OP_LOGIN_RESPONSE) throw new Error(`unexpected opcode ${reply.header[0]} during login`);
      const status = reply.header.readUInt16BE(36);
      if (status !== 0) throw new Error(`login to ${targetName} refused: status 0x${status.toString(16)} (${reply.data.toString()})`);
      statSn.next = reply.header.readUInt32BE(24) + 1;
      expCmdSn = reply.header.readUInt32BE(28);
      maxCmdSn = reply.header.readUInt32BE(32);
      for (const [k, v] of decodeText(reply.data)) answers.set(k, v);
      if (reply.header[1]! & 0x80) break;
      keys = {};
    }
  }
  const value = (key: string, fallback: string): string => answers.get(key) ?? fallback;
  return {
    immediateData: value('ImmediateData', 'Yes') === 'Yes',
    initialR2T: value('InitialR2T', 'Yes') === 'Yes',
    firstBurstLength: Number(value('FirstBurstLength', '65536')),
    maxBurstLength: Number(value('MaxBurstLength', '262144')),
    targetMaxRecv: Number(value('MaxRecvDataSegmentLength', '8192')),
    expCmdSn,
    maxCmdSn,
  };
}

/** Runs the write workload and returns what completed within the time. */
export async function runWriteWorkload(w: WriteWorkload): Promise<WriteResult> {
  const conn = await Connection.open(w.host, w.port);
  try {
    const statSn = { next: 0 };
    const params = await login(conn, w.targetName, statSn);
    return await drive(conn, w, params, statSn);
  } finally {
    conn.close();
  }
}

function drive(conn: Connection, w: WriteWorkload, params: Negotiated, statSn: { next: number }): Promise<WriteResult> {
  const payload = randomFillSync(Buffer.alloc(w.transferBytes));
  const blocks = w.transferBytes / BLOCK_SIZE;
  const slots = Math.floor(w.spanBlocks / blocks);
  const lun = lunField(w.lun);
  const unsolicitedLimit = params.initialR2T ? 0 : Math.min(params.firstBurstLength, w.transferBytes);
  const immediateLength = params.immediateData ? Math.min(unsolicitedLimit || params.firstBurstLength, params.targetMaxRecv, w.transferBytes) : 0;
  let cmdSn = params.expCmdSn;
  let maxCmdSn = params.maxCmdSn;
  let nextTag = 1;
  let sequential = 0;
  let inFlight = 0;
  let commands = 0;
  let bytes = 0;
  let stopping = false;
  const started = process.hrtime.bigint();

  /** Sends `length` bytes from `offset` as Data-Out PDUs no larger than the target accepts. */
  const sendData = (itt: number, ttt: number, offset: number, length: number): void => {
    let dataSn = 0;
    for (let done = 0; done < length; ) {
      const size = Math.min(params.targetMaxRecv, length - done);
      const header = Buffer.alloc(BHS);
      header[0] = OP_DATA_OUT;
      if (done + size === length) header[1] = 0x80;
      lun.copy(header, 8);
      header.writeUInt32BE(itt, 16);
      header.writeUInt32BE(ttt, 20);
      header.writeUInt32BE(statSn.next, 28);
      header.writeUInt32BE(dataSn++, 36);
      header.writeUInt32BE(offset + done, 40);
      conn.send(header, payload.subarray(offset + done, offset + done + size));
      done += size;
    }
  };

  const issue = (): void => {
    while (!stopping && inFlight < w.queueDepth && cmdSn <= maxCmdSn) {
      const slot = w.random ? Math.floor(Math.random() * slots) : sequential++ % slots;
      const itt = nextTag++;
      const header = Buffer.alloc(BHS);
      header[0] = OP_SCSI_COMMAND;
      header[1] = 0x80 | 0x20 | 0x01; // F, W, SIMPLE
      lun.copy(header, 8);
      header.writeUInt32BE(itt, 16);
      header.writeUInt32BE(w.transferBytes, 20);
      header.writeUInt32BE(cmdSn++, 24);
      header.writeUInt32BE(statSn.next, 28);
      const cdb = header.subarray(32, 48);
      cdb[0] = 0x8a; // WRITE(16)
      cdb.writeUInt32BE(0, 2);
      cdb.writeUInt32BE(slot * blocks, 6);
      cdb.writeUInt32BE(blocks, 10);
      conn.send(header, immediateLength ? payload.subarray(0, immediateLength) : undefined);
      if (unsolicitedLimit > immediateLength) sendData(itt, RESERVED_TAG, immediateLength, unsolicitedLimit - immediateLength);
      inFlight++;
    }
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      if (error) {
        reject(error);
        return;
      }
      logout();
      resolve({ commands, bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    };
    const logout = (): void => {
      const header = Buffer.alloc(BHS);
      header[0] = OP_LOGOUT_REQUEST | 0x40;
      header[1] = 0x80;
      header.writeUInt32BE(nextTag++, 16);
      header.writeUInt32BE(cmdSn, 24);
      header.writeUInt32BE(statSn.next, 28);
      conn.send(header);
      conn.flush();
    };
    // After the duration no new command is issued; the result is taken once the last one completes.
    const timer = setTimeout(() => {
      stopping = true;
      if (inFlight === 0) settle(undefined);
    }, w.durationMs);
    const watchdog = setInterval(() => {
      if (conn.error) settle(conn.error);
    }, 100);
    conn.onPdu = (pdu) => {
      switch (pdu.header[0]! & 0x3f) {
        case OP_SCSI_RESPONSE: {
          statSn.next = pdu.header.readUInt32BE(24) + 1;
          maxCmdSn = pdu.header.readUInt32BE(32);
          const status = pdu.header[3]!;
          if (pdu.header[2] === 0 && status === 0) {
            commands++;
            bytes += w.transferBytes;
          } else if (status !== 0x02) {
            // CHECK CONDITION (the power-on unit attention of a new nexus) is counted out; anything else ends the run.
            settle(new Error(`WRITE failed: response ${pdu.header[2]} status 0x${status.toString(16)}`));
            return;
          }
          inFlight--;
          if (!stopping) issue();
          else if (inFlight === 0) settle(undefined);
          break;
        }
        case OP_R2T:
          maxCmdSn = pdu.header.readUInt32BE(32);
          sendData(pdu.header.readUInt32BE(16), pdu.header.readUInt32BE(20), pdu.header.readUInt32BE(40), pdu.header.readUInt32BE(44));
          break;
        case OP_NOP_IN: {
          maxCmdSn = pdu.header.readUInt32BE(32);
          const ttt = pdu.header.readUInt32BE(20);
          if (ttt !== RESERVED_TAG) {
            const header = Buffer.alloc(BHS);
            header[0] = OP_NOP_OUT | 0x40;
            header[1] = 0x80;
            pdu.header.copy(header, 8, 8, 16);
            header.writeUInt32BE(RESERVED_TAG, 16);
            header.writeUInt32BE(ttt, 20);
            header.writeUInt32BE(cmdSn, 24);
            header.writeUInt32BE(statSn.next, 28);
            conn.send(header);
          }
          break;
        }
        case OP_REJECT:
          settle(new Error(`target rejected a PDU: reason 0x${pdu.header[2]!.toString(16)}`));
          break;
        default:
          break;
      }
    };
    issue();
    conn.flush();
  });
}
