/**
 * Splits a TCP byte stream into iSCSI PDUs (RFC 7143 §11.2): BHS, AHS,
 * optional header digest, data segment padded to 4 bytes, optional data
 * digest.
 *
 * The bytes pushed in are views of the connection's one receive buffer,
 * which the next socket read overwrites: every part of a PDU is copied out
 * as it arrives, the header into a small buffer of its own and the data
 * segment straight to where it is needed — a write command's gather buffer
 * at the right offset, when the receiver says so through `placement` — so
 * receiving allocates nothing per socket read and copies each byte once.
 */
import { crc32c, crc32cUpdate } from '../engine/crc32c.js';
import { BHS_LENGTH, dataSegmentLength, pad4, totalAhsLength, type Pdu } from './pdu.js';

export class FramingError extends Error {
  constructor(
    message: string,
    /** The offending header, for a Reject PDU, when there is one. */
    readonly bhs?: Buffer,
    readonly digest?: 'header' | 'data',
  ) {
    super(message);
    this.name = 'FramingError';
  }
}

export interface FramingLimits {
  headerDigest: boolean;
  dataDigest: boolean;
  /** Largest data segment accepted (our MaxRecvDataSegmentLength). */
  maxDataSegmentLength: number;
}

/** `length` bytes of `buffer` from `offset` on: where a data segment is received. */
export interface DataTarget {
  buffer: Buffer;
  offset: number;
}

/**
 * Chooses where a PDU's data segment is received, once its header is in and
 * every PDU before it has been handed out; undefined for a buffer of its own.
 */
export type DataPlacement = (bhs: Buffer, length: number) => DataTarget | undefined;

const EMPTY = Buffer.alloc(0);

type Stage = 'bhs' | 'header' | 'data' | 'trailer';

export class PduReader {
  placement: DataPlacement | undefined;
  /** Bytes pushed and not yet consumed: views, read during the next() calls that follow the push. */
  private readonly input: Buffer[] = [];
  private inputOffset = 0;
  private stage: Stage = 'bhs';
  /** How much of the current part (header, data or trailer) has arrived. */
  private filled = 0;
  private header = Buffer.allocUnsafe(BHS_LENGTH);
  private data: Buffer = EMPTY;
  private placedIn: Buffer | undefined;
  private dataDigest = 0;
  /** Padding and data digest: at most 3 + 4 bytes. */
  private readonly trailer = Buffer.allocUnsafe(7);
  private trailerLength = 0;

  constructor(public limits: FramingLimits) {}

  /** Queues bytes; the caller drains next() before their memory is reused. */
  push(chunk: Buffer): void {
    if (chunk.length > 0) this.input.push(chunk);
  }

  /** The next complete PDU, or undefined if more bytes are needed. Throws FramingError. */
  next(): Pdu | undefined {
    for (;;) {
      switch (this.stage) {
        case 'bhs':
          if (!this.fill(this.header, BHS_LENGTH)) return undefined;
          this.headerArrived();
          break;
        case 'header':
          if (!this.fill(this.header, this.header.length)) return undefined;
          this.headerComplete();
          break;
        case 'data':
          if (!this.fillData()) return undefined;
          this.stage = 'trailer';
          this.filled = 0;
          this.trailerLength = pad4(this.data.length) + (this.limits.dataDigest ? 4 : 0);
          break;
        case 'trailer':
          if (!this.fill(this.trailer, this.trailerLength)) return undefined;
          this.checkDataDigest();
          return this.complete();
      }
      if (this.stage === 'bhs') return this.complete();
    }
  }

  /** The BHS is in: checks the segment length and sizes the rest of the header. */
  private headerArrived(): void {
    const bhs = this.header;
    const dsl = dataSegmentLength(bhs);
    if (dsl > this.limits.maxDataSegmentLength) {
      throw new FramingError(`data segment of ${dsl} bytes exceeds the negotiated ${this.limits.maxDataSegmentLength}`, Buffer.from(bhs));
    }
    const headerLength = BHS_LENGTH + totalAhsLength(bhs) + (this.limits.headerDigest ? 4 : 0);
    if (headerLength > BHS_LENGTH) {
      this.header = Buffer.allocUnsafe(headerLength);
      bhs.copy(this.header);
    }
    this.stage = 'header';
  }

  /** The whole header is in: checks its digest and picks the data segment's destination. */
  private headerComplete(): void {
    const header = this.header;
    const ahsEnd = BHS_LENGTH + totalAhsLength(header);
    if (this.limits.headerDigest && header.readUInt32LE(ahsEnd) !== crc32c(header, 0, ahsEnd)) {
      throw new FramingError('header digest mismatch', Buffer.from(header.subarray(0, BHS_LENGTH)), 'header');
    }
    const dsl = dataSegmentLength(header);
    this.filled = 0;
    if (dsl === 0) {
      this.stage = 'bhs';
      return;
    }
    const target = this.placement?.(header.subarray(0, BHS_LENGTH), dsl);
    this.placedIn = target?.buffer;
    this.data = target ? target.buffer.subarray(target.offset, target.offset + dsl) : Buffer.allocUnsafe(dsl);
    this.dataDigest = 0;
    this.stage = 'data';
  }

  private fillData(): boolean {
    const from = this.filled;
    const done = this.fill(this.data, this.data.length);
    if (this.limits.dataDigest) this.dataDigest = crc32cUpdate(this.dataDigest, this.data, from, this.filled);
    return done;
  }

  private checkDataDigest(): void {
    if (!this.limits.dataDigest) return;
    const pad = this.trailerLength - 4;
    const expected = crc32cUpdate(this.dataDigest, this.trailer, 0, pad);
    if (this.trailer.readUInt32LE(pad) !== expected) {
      throw new FramingError('data digest mismatch', Buffer.from(this.header.subarray(0, BHS_LENGTH)), 'data');
    }
  }

  /** Hands out the PDU received and starts on the next one. */
  private complete(): Pdu {
    const header = this.header;
    const ahsLength = totalAhsLength(header);
    const pdu: Pdu = {
      bhs: header.subarray(0, BHS_LENGTH),
      ahs: ahsLength > 0 ? header.subarray(BHS_LENGTH, BHS_LENGTH + ahsLength) : null,
      data: this.data,
    };
    if (this.placedIn) pdu.placedIn = this.placedIn;
    this.header = Buffer.allocUnsafe(BHS_LENGTH);
    this.data = EMPTY;
    this.placedIn = undefined;
    this.stage = 'bhs';
    this.filled = 0;
    return pdu;
  }

  /** Copies queued input into dest[filled, end); true once it is full. */
  private fill(dest: Buffer, end: number): boolean {
    while (this.filled < end) {
      const chunk = this.input[0];
      if (!chunk) return false;
      const n = Math.min(end - this.filled, chunk.length - this.inputOffset);
      chunk.copy(dest, this.filled, this.inputOffset, this.inputOffset + n);
      this.filled += n;
      this.inputOffset += n;
      if (this.inputOffset === chunk.length) {
        this.input.shift();
        this.inputOffset = 0;
      }
    }
    return true;
  }
}
