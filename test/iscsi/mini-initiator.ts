/**
 * A small iSCSI initiator for tests: one normal session, SCSI commands with
 * immediate data, R2T-solicited Data-Out and Data-In. libiscsi's tools cannot
 * write arbitrary data, so write/read-back checks use this.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { decodeText, encodeText } from '../../src/iscsi/text.js';
import { setDataSegmentLength } from '../../src/iscsi/pdu.js';

export interface CommandResult {
  status: number;
  sense: Buffer | null;
  data: Buffer;
  residualFlags: number;
  residual: number;
}

/** Session parameters the initiator offers (defaults: InitialR2T=Yes, FirstBurstLength 8192). */
export interface LoginOffer {
  initialR2T?: boolean;
  firstBurstLength?: number;
}

/** How a write's first burst is sent when InitialR2T=No: this much as immediate data, the rest as unsolicited Data-Out. */
export interface WriteShape {
  immediateBytes?: number;
}

export class MiniInitiator {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private cmdSN = 1;
  private itt = 1;
  private socket!: Socket;
  negotiated: Record<string, string> = {};

  constructor(
    readonly initiatorName: string,
    readonly isid = '400001370001',
  ) {}

  async login(host: string, port: number, target: string, offer: LoginOffer = {}): Promise<number> {
    this.socket = connect(port, host);
    await once(this.socket, 'connect');
    this.socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.waiters.splice(0).forEach((w) => w());
    });
    const text = encodeText([
      ['InitiatorName', this.initiatorName],
      ['TargetName', target],
      ['SessionType', 'Normal'],
      ['AuthMethod', 'None'],
    ]);
    const first = await this.exchangeLogin(0, 1, text);
    if (first.status !== 0) return first.status;
    const second = await this.exchangeLogin(
      1,
      3,
      encodeText([
        ['MaxRecvDataSegmentLength', '65536'],
        ['ImmediateData', 'Yes'],
        ['InitialR2T', offer.initialR2T === false ? 'No' : 'Yes'],
        ['FirstBurstLength', String(offer.firstBurstLength ?? 8192)],
        ['MaxBurstLength', '65536'],
      ]),
    );
    this.negotiated = Object.fromEntries(decodeText(second.data));
    return second.status;
  }

  private async exchangeLogin(csg: number, nsg: number, data: Buffer): Promise<{ status: number; data: Buffer }> {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x43;
    bhs[1] = 0x80 | (csg << 2) | nsg;
    Buffer.from(this.isid, 'hex').copy(bhs, 8);
    bhs.writeUInt32BE(this.itt++, 16);
    bhs.writeUInt32BE(this.cmdSN, 24);
    this.send(bhs, data);
    const pdu = await this.receive();
    return { status: pdu.bhs.readUInt16BE(36), data: pdu.data };
  }

  /**
   * Sends a CDB; `dataOut` goes as immediate data up to FirstBurstLength
   * (with InitialR2T=No, `immediateBytes` of it, the rest of the first burst
   * as unsolicited Data-Out), the rest on R2T.
   */
  async command(lun: number, cdb: Buffer, options: { dataOut?: Buffer; readLength?: number } & WriteShape = {}): Promise<CommandResult> {
    const bhs = Buffer.alloc(48);
    const write = options.dataOut !== undefined;
    const length = write ? options.dataOut!.length : (options.readLength ?? 0);
    const firstBurst = Math.min(Number(this.negotiated.FirstBurstLength ?? 8192), length);
    const unsolicitedAllowed = this.negotiated.InitialR2T === 'No';
    const immediateLength = unsolicitedAllowed ? Math.min(options.immediateBytes ?? firstBurst, firstBurst) : firstBurst;
    const immediate = write ? options.dataOut!.subarray(0, immediateLength) : null;
    const unsolicited = write && unsolicitedAllowed ? options.dataOut!.subarray(immediateLength, firstBurst) : null;
    bhs[0] = 0x01;
    // F: no unsolicited Data-Out follows the command.
    bhs[1] = (unsolicited?.length ? 0 : 0x80) | (write ? 0x20 : 0) | (options.readLength ? 0x40 : 0) | 0x01;
    bhs[9] = lun;
    const itt = this.itt++;
    bhs.writeUInt32BE(itt, 16);
    bhs.writeUInt32BE(length, 20);
    bhs.writeUInt32BE(this.cmdSN++, 24);
    cdb.copy(bhs, 32);
    this.send(bhs, immediate);
    for (let at = 0, dataSN = 0; unsolicited && at < unsolicited.length; at += 8192, dataSN++) {
      const piece = unsolicited.subarray(at, at + 8192);
      const out = Buffer.alloc(48);
      out[0] = 0x05;
      out[1] = at + piece.length === unsolicited.length ? 0x80 : 0;
      out[9] = lun;
      out.writeUInt32BE(itt, 16);
      out.writeUInt32BE(0xffffffff, 20); // unsolicited: no TTT
      out.writeUInt32BE(dataSN, 36);
      out.writeUInt32BE(immediateLength + at, 40);
      this.send(out, piece);
    }
    const chunks: Buffer[] = [];
    for (;;) {
      const pdu = await this.receive();
      const opcode = pdu.bhs[0] & 0x3f;
      if (opcode === 0x31) {
        // R2T: send the requested range as one Data-Out PDU
        const offset = pdu.bhs.readUInt32BE(40);
        const wanted = pdu.bhs.readUInt32BE(44);
        const out = Buffer.alloc(48);
        out[0] = 0x05;
        out[1] = 0x80;
        out[9] = lun;
        out.writeUInt32BE(itt, 16);
        pdu.bhs.copy(out, 20, 20, 24); // TTT
        out.writeUInt32BE(offset, 40);
        this.send(out, options.dataOut!.subarray(offset, offset + wanted));
      } else if (opcode === 0x25) {
        chunks.push(pdu.data);
        if (pdu.bhs[1] & 0x01) return this.result(pdu.bhs[3], null, chunks, pdu.bhs);
      } else if (opcode === 0x21) {
        const sense = pdu.data.length >= 2 ? pdu.data.subarray(2, 2 + pdu.data.readUInt16BE(0)) : null;
        return this.result(pdu.bhs[3], sense, chunks, pdu.bhs);
      } else throw new Error(`unexpected opcode 0x${opcode.toString(16)}`);
    }
  }

  private result(status: number, sense: Buffer | null, chunks: Buffer[], bhs: Buffer): CommandResult {
    return { status, sense, data: Buffer.concat(chunks), residualFlags: bhs[1] & 0x06, residual: bhs.readUInt32BE(44) };
  }

  async logout(): Promise<void> {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x46;
    bhs[1] = 0x80;
    bhs.writeUInt32BE(this.itt++, 16);
    bhs.writeUInt32BE(this.cmdSN, 24);
    this.send(bhs, null);
    await this.receive();
    this.socket.destroy();
  }

  private send(bhs: Buffer, data: Buffer | null): void {
    setDataSegmentLength(bhs, data ? data.length : 0);
    const pad = data ? (4 - (data.length % 4)) % 4 : 0;
    this.socket.write(Buffer.concat([bhs, data ?? Buffer.alloc(0), Buffer.alloc(pad)]));
  }

  private async receive(): Promise<{ bhs: Buffer; data: Buffer }> {
    for (;;) {
      if (this.buffer.length >= 48) {
        const dsl = this.buffer.readUIntBE(5, 3);
        const total = 48 + dsl + ((4 - (dsl % 4)) % 4);
        if (this.buffer.length >= total) {
          const bhs = this.buffer.subarray(0, 48);
          const data = this.buffer.subarray(48, 48 + dsl);
          this.buffer = this.buffer.subarray(total);
          return { bhs, data };
        }
      }
      if (this.socket.destroyed) throw new Error('connection closed by the target');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        this.socket.once('close', () => resolve());
      });
    }
  }
}

export const cdb10 = (opcode: number, lba: number, blocks: number): Buffer => {
  const cdb = Buffer.alloc(16);
  cdb[0] = opcode;
  cdb.writeUInt32BE(lba, 2);
  cdb.writeUInt16BE(blocks, 7);
  return cdb;
};
