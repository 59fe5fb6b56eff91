/**
 * Splits a TCP byte stream into iSCSI PDUs (RFC 7143 §11.2): BHS, AHS,
 * optional header digest, data segment padded to 4 bytes, optional data
 * digest. A PDU that lies within one received chunk is handed out as views
 * of that chunk (no copy); only PDUs spanning chunks are gathered.
 */
import { crc32c } from '../engine/crc32c.js';
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

export class PduReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending = 0; // total length of the PDU being waited for, 0 = none yet

  constructor(public limits: FramingLimits) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The next complete PDU, or undefined if more bytes are needed. Throws FramingError. */
  next(): Pdu | undefined {
    if (this.pending === 0) {
      if (this.buffered < BHS_LENGTH) return undefined;
      const bhs = this.peek(BHS_LENGTH);
      const dsl = dataSegmentLength(bhs);
      if (dsl > this.limits.maxDataSegmentLength) {
        throw new FramingError(`data segment of ${dsl} bytes exceeds the negotiated ${this.limits.maxDataSegmentLength}`, Buffer.from(bhs));
      }
      this.pending =
        BHS_LENGTH +
        totalAhsLength(bhs) +
        (this.limits.headerDigest ? 4 : 0) +
        dsl +
        pad4(dsl) +
        (this.limits.dataDigest && dsl > 0 ? 4 : 0);
    }
    if (this.buffered < this.pending) return undefined;
    const raw = this.take(this.pending);
    this.pending = 0;
    return this.decode(raw);
  }

  private decode(raw: Buffer): Pdu {
    const bhs = raw.subarray(0, BHS_LENGTH);
    const ahsLength = totalAhsLength(bhs);
    let offset = BHS_LENGTH + ahsLength;
    if (this.limits.headerDigest) {
      const expected = crc32c(raw, 0, offset);
      if (raw.readUInt32LE(offset) !== expected) throw new FramingError('header digest mismatch', Buffer.from(bhs), 'header');
      offset += 4;
    }
    const dsl = dataSegmentLength(bhs);
    const data = raw.subarray(offset, offset + dsl);
    if (this.limits.dataDigest && dsl > 0) {
      const digestAt = offset + dsl + pad4(dsl);
      if (raw.readUInt32LE(digestAt) !== crc32c(raw, offset, digestAt)) {
        throw new FramingError('data digest mismatch', Buffer.from(bhs), 'data');
      }
    }
    return { bhs, ahs: ahsLength > 0 ? raw.subarray(BHS_LENGTH, BHS_LENGTH + ahsLength) : null, data };
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    for (const chunk of this.chunks) {
      const k = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, k);
      filled += k;
      if (filled === n) break;
    }
    return out;
  }

  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const k = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, k);
      filled += k;
      if (k === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(k);
    }
    return out;
  }
}
