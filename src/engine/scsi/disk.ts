/**
 * A direct-access (SBC-3) logical unit over a backing store: SCST's
 * vdisk_fileio, vdisk_blockio and vdisk_nullio devices.
 */
import type { BackingStore } from '../backing/store.js';
import { DeviceType, MAX_COMPARE_AND_WRITE_BLOCKS, MAX_TRANSFER_BYTES, MAX_WRITE_SAME_BYTES } from './inquiry.js';
import { entry, primaryCommands, reservationCommands, VirtualLogicalUnit, type CommandEntry, type LogicalUnitOptions } from './logical-unit.js';
import { Commands } from './opcodes.js';
import { CheckCondition, invalidCdbField, Sense } from './sense.js';
import { ScsiStatus, type ScsiCommand, type ScsiResponse } from './types.js';

export interface DiskOptions extends LogicalUnitOptions {
  backing: BackingStore;
}

/** 2^32: splits 64-bit CDB fields into two 32-bit reads instead of a BigInt. */
const TWO_POW_32 = 0x1_0000_0000;

/** A 64-bit LBA; values past 2^53 become Infinity (always out of range). */
function readLba64(cdb: Buffer, at: number): number {
  const high = cdb.readUInt32BE(at);
  return high >= 0x200000 ? Infinity : high * TWO_POW_32 + cdb.readUInt32BE(at + 4);
}

const EMPTY = Buffer.alloc(0);
const GOOD_WRITE_FIELDS = { status: ScsiStatus.GOOD, sense: null, dataIn: null } as const;

export class DiskLogicalUnit extends VirtualLogicalUnit {
  private readonly backing: BackingStore;

  constructor(options: DiskOptions) {
    // nullio keeps no data: COMPARE AND WRITE would always miscompare, and
    // WRITE SAME and ORWRITE (data-pattern commands) could never be read back.
    const withheld = options.backing.storesData
      ? []
      : [Commands.compareAndWrite, Commands.writeSame10, Commands.writeSame16, Commands.orWrite16];
    super(DeviceType.DISK, options, DISK_COMMANDS, options.backing.volatileCache, withheld);
    this.backing = options.backing;
    this.announceCapacity();
  }

  protected get store(): BackingStore {
    return this.backing;
  }

  // ---- READ -----------------------------------------------------------------

  protected read6(cmd: ScsiCommand): Promise<ScsiResponse> {
    const cdb = cmd.cdb;
    const lba = ((cdb[1]! & 0x1f) << 16) | cdb.readUInt16BE(2);
    // SBC-3 §5.8: a TRANSFER LENGTH of 0 in READ(6) means 256 blocks.
    return this.readBlocks(lba, cdb[4]! || 256, 4);
  }

  protected read10(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.readBlocks(cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt16BE(7), 7);
  }

  protected read12(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.readBlocks(cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt32BE(6), 6);
  }

  protected read16(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.readBlocks(readLba64(cmd.cdb, 2), cmd.cdb.readUInt32BE(10), 10);
  }

  // ---- WRITE / WRITE AND VERIFY -----------------------------------------------

  protected write6(cmd: ScsiCommand): Promise<ScsiResponse> {
    const cdb = cmd.cdb;
    const lba = ((cdb[1]! & 0x1f) << 16) | cdb.readUInt16BE(2);
    return this.writeBlocks(cmd, lba, cdb[4]! || 256, false, false);
  }

  protected write10(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.writeBlocks(cmd, cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt16BE(7), isFua(cmd.cdb), false);
  }

  protected write12(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.writeBlocks(cmd, cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt32BE(6), isFua(cmd.cdb), false);
  }

  protected write16(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.writeBlocks(cmd, readLba64(cmd.cdb, 2), cmd.cdb.readUInt32BE(10), isFua(cmd.cdb), false);
  }

  // WRITE AND VERIFY: with BYTCHK the written blocks are read back and compared.
  protected writeAndVerify10(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.writeBlocks(cmd, cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt16BE(7), false, isByteCheck(cmd.cdb));
  }

  protected writeAndVerify12(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.writeBlocks(cmd, cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt32BE(6), false, isByteCheck(cmd.cdb));
  }

  protected writeAndVerify16(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.writeBlocks(cmd, readLba64(cmd.cdb, 2), cmd.cdb.readUInt32BE(10), false, isByteCheck(cmd.cdb));
  }

  /**
   * Writes what the initiator sent. When it sent less than the CDB asks for
   * (EDTL < SPDTL), only the bytes received are written and the transport
   * reports the overflow residual (FCP-4/SAM-5 "process the command normally
   * except that data beyond the expected length is not transferred").
   */
  private async writeBlocks(cmd: ScsiCommand, lba: number, blocks: number, fua: boolean, verify: boolean): Promise<ScsiResponse> {
    if (this.writeProtectedFor(cmd)) throw new CheckCondition({ code: Sense.WRITE_PROTECTED });
    this.checkRange(lba, blocks);
    const bytes = blocks * this.backing.blockSize;
    const received = cmd.dataOut;
    const length = received === null ? 0 : Math.min(received.length, bytes);
    if (length > 0) {
      const data = length === received!.length ? received! : received!.subarray(0, length);
      const offset = lba * this.backing.blockSize;
      // With WCE cleared by MODE SELECT every write must reach stable storage.
      const stable = fua || !this.mode.writeCacheEnabled;
      try {
        await this.backing.write(offset, data, stable);
      } catch {
        throw new CheckCondition({ code: Sense.WRITE_ERROR, information: lba });
      }
      // nullio keeps nothing to compare with (SCST's nullio verifies nothing either).
      if (verify && this.backing.storesData) await this.compareWithMedium(offset, data, 0);
    }
    return { ...GOOD_WRITE_FIELDS, cdbTransferLength: bytes };
  }

  // ---- VERIFY -----------------------------------------------------------------

  protected verify10(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.verifyBlocks(cmd, cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt16BE(7));
  }

  protected verify12(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.verifyBlocks(cmd, cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt32BE(6));
  }

  protected verify16(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.verifyBlocks(cmd, readLba64(cmd.cdb, 2), cmd.cdb.readUInt32BE(10));
  }

  /**
   * BYTCHK 00b: medium verification only (the range is checked; a store
   * that can be read is consistent). 01b: compare the Data-Out with the
   * blocks. 11b: compare one block of Data-Out with every block. 10b is
   * reserved.
   */
  private async verifyBlocks(cmd: ScsiCommand, lba: number, blocks: number): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    const byteCheck = (cmd.cdb[1]! >> 1) & 0x03;
    if (byteCheck === 0x02) throw new CheckCondition(invalidCdbField(1, 2));
    this.checkRange(lba, blocks);
    if (byteCheck === 0 || blocks === 0) return this.good(null);
    const blockSize = this.backing.blockSize;
    const expected = byteCheck === 0x01 ? blocks * blockSize : blockSize;
    const received = cmd.dataOut ?? EMPTY;
    const data = received.length > expected ? received.subarray(0, expected) : received;
    await this.compareWithMedium(lba * blockSize, data, byteCheck === 0x03 ? blocks : 0);
    return { ...GOOD_WRITE_FIELDS, cdbTransferLength: expected };
  }

  /**
   * MISCOMPARE DURING VERIFY OPERATION with the offset of the first
   * differing byte in INFORMATION, unless the medium matches `data`
   * (repeated over `repeat` blocks when repeat > 0).
   */
  private async compareWithMedium(offset: number, data: Buffer, repeat: number): Promise<void> {
    const length = repeat > 0 ? repeat * data.length : data.length;
    if (length === 0) return;
    const buffer = this.pool.take(length);
    try {
      const medium = await this.backing.read(offset, length, buffer);
      const step = data.length;
      for (let at = 0; at < length; at += step) {
        const chunk = medium.subarray(at, at + step);
        if (!chunk.equals(data.subarray(0, chunk.length))) {
          let i = 0;
          while (chunk[i] === data[i]) i++;
          throw new CheckCondition({ code: Sense.MISCOMPARE_DURING_VERIFY, information: at + i });
        }
      }
    } finally {
      this.pool.give(buffer);
    }
  }

  // ---- WRITE SAME, COMPARE AND WRITE, PRE-FETCH ---------------------------------

  protected writeSame10(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.writeSame(cmd, cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt16BE(7), 7);
  }

  protected writeSame16(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.writeSame(cmd, readLba64(cmd.cdb, 2), cmd.cdb.readUInt32BE(10), 10);
  }

  /**
   * Writes the one block of Data-Out over every block of the range, in
   * chunks of at most MAX_TRANSFER_BYTES. WSNZ is set, so 0 blocks is refused.
   */
  private async writeSame(cmd: ScsiCommand, lba: number, blocks: number, lengthField: number): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    const blockSize = this.backing.blockSize;
    if (blocks === 0 || blocks * blockSize > MAX_WRITE_SAME_BYTES) throw new CheckCondition(invalidCdbField(lengthField, 7));
    if (this.writeProtectedFor(cmd)) throw new CheckCondition({ code: Sense.WRITE_PROTECTED });
    if ((cmd.cdb[1]! & 0x08) !== 0) throw new CheckCondition(invalidCdbField(1, 3)); // UNMAP
    this.checkRange(lba, blocks);
    const block = cmd.dataOut;
    if (block === null || block.length < blockSize) throw new CheckCondition({ code: Sense.PARAMETER_LIST_LENGTH_ERROR });
    const chunkBlocks = Math.min(blocks, MAX_TRANSFER_BYTES / blockSize);
    const chunk = Buffer.allocUnsafe(chunkBlocks * blockSize);
    for (let at = 0; at < chunk.length; at += blockSize) block.copy(chunk, at, 0, blockSize);
    try {
      for (let done = 0; done < blocks; done += chunkBlocks) {
        const count = Math.min(chunkBlocks, blocks - done);
        await this.backing.write((lba + done) * blockSize, chunk.subarray(0, count * blockSize), !this.mode.writeCacheEnabled);
      }
    } catch {
      throw new CheckCondition({ code: Sense.WRITE_ERROR, information: lba });
    }
    return { ...GOOD_WRITE_FIELDS, cdbTransferLength: blockSize };
  }

  /**
   * COMPARE AND WRITE (SBC-3 §5.2): Data-Out holds the verify blocks then
   * the write blocks. Like SCST, COMPARE AND WRITE commands of one device
   * run one at a time, so the compare and the write are atomic against each
   * other (VMware ATS relies on this).
   */
  protected compareAndWrite(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.serialized(() => this.compareAndWriteNow(cmd));
  }

  /** The read-modify-write commands (COMPARE AND WRITE, ORWRITE) run one at a time. */
  private serialized(work: () => Promise<ScsiResponse>): Promise<ScsiResponse> {
    const run = this.readModifyWriteTail.then(work);
    this.readModifyWriteTail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private readModifyWriteTail: Promise<void> = Promise.resolve();

  private async compareAndWriteNow(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    const lba = readLba64(cmd.cdb, 2);
    const blocks = cmd.cdb[13]!;
    if (blocks > MAX_COMPARE_AND_WRITE_BLOCKS) throw new CheckCondition(invalidCdbField(13, 7));
    if (this.writeProtectedFor(cmd)) throw new CheckCondition({ code: Sense.WRITE_PROTECTED });
    this.checkRange(lba, blocks);
    const blockSize = this.backing.blockSize;
    const length = blocks * blockSize;
    // The Data-Out must be exactly the verify and write blocks; NUMBER OF
    // LOGICAL BLOCKS 0 with data (an initiator's 256 wrapped to 0) is refused too.
    const received = cmd.dataOut ?? EMPTY;
    if (received.length !== 2 * length) throw new CheckCondition(invalidCdbField(13, 7));
    if (blocks === 0) return { ...GOOD_WRITE_FIELDS, cdbTransferLength: 0 };
    const offset = lba * blockSize;
    await this.compareWithMedium(offset, received.subarray(0, length), 0);
    try {
      await this.backing.write(offset, received.subarray(length), isFua(cmd.cdb) || !this.mode.writeCacheEnabled);
    } catch {
      throw new CheckCondition({ code: Sense.WRITE_ERROR, information: lba });
    }
    return { ...GOOD_WRITE_FIELDS, cdbTransferLength: 2 * length };
  }

  /** ORWRITE(16) with BMOP 000b: each block becomes (medium OR Data-Out). */
  protected orWrite16(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.serialized(() => this.orWriteNow(cmd));
  }

  private async orWriteNow(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    const lba = readLba64(cmd.cdb, 2);
    const blocks = cmd.cdb.readUInt32BE(10);
    if (this.writeProtectedFor(cmd)) throw new CheckCondition({ code: Sense.WRITE_PROTECTED });
    this.checkRange(lba, blocks);
    const blockSize = this.backing.blockSize;
    const bytes = blocks * blockSize;
    if (bytes > MAX_TRANSFER_BYTES) throw new CheckCondition(invalidCdbField(10, 7));
    const received = cmd.dataOut ?? EMPTY;
    const length = Math.min(received.length, bytes);
    if (length > 0) {
      const offset = lba * blockSize;
      const merged = Buffer.allocUnsafe(length);
      try {
        await this.backing.read(offset, length, merged);
        for (let i = 0; i < length; i++) merged[i] = merged[i]! | received[i]!;
        await this.backing.write(offset, merged, isFua(cmd.cdb) || !this.mode.writeCacheEnabled);
      } catch {
        throw new CheckCondition({ code: Sense.WRITE_ERROR, information: lba });
      }
    }
    return { ...GOOD_WRITE_FIELDS, cdbTransferLength: bytes };
  }

  /** GET LBA STATUS: every block is mapped (fully provisioned), one descriptor to the end. */
  protected getLbaStatus(cmd: ScsiCommand): ScsiResponse {
    const lba = readLba64(cmd.cdb, 2);
    if (lba >= this.blocks) throw new CheckCondition({ code: Sense.LBA_OUT_OF_RANGE });
    const data = Buffer.alloc(24);
    data.writeUInt32BE(20, 0); // PARAMETER DATA LENGTH
    data.writeUInt32BE(Math.floor(lba / TWO_POW_32), 8);
    data.writeUInt32BE(lba % TWO_POW_32, 12);
    data.writeUInt32BE(Math.min(this.blocks - lba, 0xffffffff), 16);
    data[20] = 0x00; // PROVISIONING STATUS: mapped
    return this.good(data, cmd.cdb.readUInt32BE(10));
  }

  /**
   * READ DEFECT DATA(10/12): a virtual disk has no defects. The requested
   * lists are reported valid and empty, in the requested format.
   */
  protected readDefectData10(cmd: ScsiCommand): ScsiResponse {
    const data = Buffer.alloc(4);
    data[1] = cmd.cdb[2]! & 0x1f; // PLISTV, GLISTV, DEFECT LIST FORMAT
    return this.good(data, cmd.cdb.readUInt16BE(7));
  }

  protected readDefectData12(cmd: ScsiCommand): ScsiResponse {
    const data = Buffer.alloc(8);
    data[1] = cmd.cdb[1]! & 0x1f;
    return this.good(data, cmd.cdb.readUInt32BE(6));
  }

  protected preFetch10(cmd: ScsiCommand): ScsiResponse {
    return this.preFetch(cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt16BE(7));
  }

  protected preFetch16(cmd: ScsiCommand): ScsiResponse {
    return this.preFetch(readLba64(cmd.cdb, 2), cmd.cdb.readUInt32BE(10));
  }

  /** PRE-FETCH: the range is checked; caching is left to the host page cache (GOOD, not CONDITION MET). */
  private preFetch(lba: number, blocks: number): ScsiResponse {
    this.checkRange(lba, blocks);
    return this.good(null);
  }

  // ---- SYNCHRONIZE CACHE, READ CAPACITY(16) -------------------------------------

  protected synchronizeCache10(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.synchronizeCache(cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt16BE(7));
  }

  protected synchronizeCache16(cmd: ScsiCommand): Promise<ScsiResponse> {
    return this.synchronizeCache(readLba64(cmd.cdb, 2), cmd.cdb.readUInt32BE(10));
  }

  /** The whole store is flushed (fdatasync has no range); IMMED still waits for it. */
  private async synchronizeCache(lba: number, blocks: number): Promise<ScsiResponse> {
    // NUMBER OF LOGICAL BLOCKS 0 means "to the last block".
    this.checkRange(lba, blocks);
    try {
      await this.backing.flush();
    } catch {
      throw new CheckCondition({ code: Sense.WRITE_ERROR });
    }
    return this.good(null);
  }

  protected readCapacity16(cmd: ScsiCommand): ScsiResponse {
    const data = Buffer.alloc(32);
    const lastLba = Math.max(this.blocks - 1, 0);
    data.writeUInt32BE(Math.floor(lastLba / TWO_POW_32), 0);
    data.writeUInt32BE(lastLba % TWO_POW_32, 4);
    data.writeUInt32BE(this.backing.blockSize, 8);
    data[13] = this.flags.lbPerPbExponent & 0x0f; // LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT
    return this.good(data, cmd.cdb.readUInt32BE(10));
  }
}

function isFua(cdb: Buffer): boolean {
  return (cdb[1]! & 0x08) !== 0;
}

function isByteCheck(cdb: Buffer): boolean {
  return (cdb[1]! & 0x02) !== 0;
}

type Disk = DiskLogicalUnit;
const p = DiskLogicalUnit.prototype as unknown as Record<string, (this: Disk, cmd: ScsiCommand) => Promise<ScsiResponse> | ScsiResponse>;

/** The disk command set (docs/scsi.md lists it); handlers are prototype methods, no closures. */
const DISK_COMMANDS: readonly CommandEntry<Disk>[] = [
  ...primaryCommands<Disk>(p),
  entry(Commands.readCapacity16, p['readCapacity16']!, true),
  entry(Commands.read6, p['read6']!, true),
  entry(Commands.read10, p['read10']!, true),
  entry(Commands.read12, p['read12']!, true),
  entry(Commands.read16, p['read16']!, true),
  entry(Commands.write6, p['write6']!, true),
  entry(Commands.write10, p['write10']!, true),
  entry(Commands.write12, p['write12']!, true),
  entry(Commands.write16, p['write16']!, true),
  entry(Commands.writeAndVerify10, p['writeAndVerify10']!, true),
  entry(Commands.writeAndVerify12, p['writeAndVerify12']!, true),
  entry(Commands.writeAndVerify16, p['writeAndVerify16']!, true),
  entry(Commands.verify10, p['verify10']!, true),
  entry(Commands.verify12, p['verify12']!, true),
  entry(Commands.verify16, p['verify16']!, true),
  entry(Commands.writeSame10, p['writeSame10']!, true),
  entry(Commands.writeSame16, p['writeSame16']!, true),
  entry(Commands.compareAndWrite, p['compareAndWrite']!, true),
  entry(Commands.orWrite16, p['orWrite16']!, true),
  entry(Commands.getLbaStatus, p['getLbaStatus']!, true),
  entry(Commands.readDefectData10, p['readDefectData10']!, true),
  entry(Commands.readDefectData12, p['readDefectData12']!, true),
  entry(Commands.preFetch10, p['preFetch10']!, true),
  entry(Commands.preFetch16, p['preFetch16']!, true),
  entry(Commands.synchronizeCache10, p['synchronizeCache10']!, true),
  entry(Commands.synchronizeCache16, p['synchronizeCache16']!, true),
  ...reservationCommands<Disk>(),
];
