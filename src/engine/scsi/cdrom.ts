/**
 * A CD-ROM (MMC-3 basics) logical unit: SCST's vcdrom. The medium is an
 * ISO image read with 2048-byte blocks; it can be absent (NOT READY,
 * MEDIUM NOT PRESENT), changed by the engine (sysfs `filename`, §7.7) or
 * ejected/loaded with START STOP UNIT.
 */
import { BackingError, type BackingStore } from '../backing/store.js';
import { DeviceType } from './inquiry.js';
import { AluaAccess, entry, primaryCommands, reservationCommands, VirtualLogicalUnit, type CommandEntry, type LogicalUnitOptions } from './logical-unit.js';
import { Commands } from './opcodes.js';
import { CheckCondition, invalidCdbField, Sense } from './sense.js';
import type { ScsiCommand, ScsiResponse } from './types.js';
import { nexusKey } from './unit-attention.js';

export interface CdromOptions extends LogicalUnitOptions {
  /** The medium (openCdromBacking()), or null for an empty drive. */
  backing: BackingStore | null;
}

/** MMC profile 0008h: CD-ROM. */
const PROFILE_CD_ROM = 0x0008;
/** Lead-out track number (MMC-3 READ TOC). */
const LEAD_OUT = 0xaa;

/** MMC media event codes (GET EVENT STATUS NOTIFICATION, media class). */
const MediaEvent = { NO_CHANGE: 0, EJECT_REQUEST: 1, NEW_MEDIA: 2, MEDIA_REMOVAL: 3 } as const;

export class CdromLogicalUnit extends VirtualLogicalUnit {
  private medium: BackingStore | null;
  /** The media event each nexus has not polled yet. */
  private readonly mediaEvents = new Map<string, number>();

  constructor(options: CdromOptions) {
    super(DeviceType.CDROM, { ...options, flags: { ...options.flags, removable: true, readOnly: true } }, CDROM_COMMANDS, false, []);
    this.medium = options.backing;
    this.announceCapacity();
  }

  protected get store(): BackingStore | null {
    return this.medium;
  }

  /**
   * Inserts (backing) or ejects (null) the medium, as a vcdrom `filename`
   * write does. Refused with EBUSY while an initiator prevents removal. The
   * previous medium is closed; initiators see MEDIUM MAY HAVE CHANGED.
   */
  async changeMedium(backing: BackingStore | null): Promise<void> {
    if (this.removalPrevented && this.medium !== null) {
      throw new BackingError('medium removal is prevented by an initiator', 'EBUSY');
    }
    const previous = this.medium;
    this.medium = backing;
    this.loaded = true;
    this.announceCapacity();
    if (previous && previous !== backing) await previous.close();
    this.recordMediaEvent(backing ? MediaEvent.NEW_MEDIA : MediaEvent.MEDIA_REMOVAL);
    if (backing) this.raiseUnitAttention(Sense.MEDIUM_MAY_HAVE_CHANGED);
  }

  private recordMediaEvent(code: number): void {
    for (const key of this.mediaEvents.keys()) this.mediaEvents.set(key, code);
  }

  protected readCdrom10(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.readBlocks(cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt16BE(7), 7);
  }

  protected readCdrom12(cmd: ScsiCommand): Promise<ScsiResponse> {
    this.checkNoProtection(cmd.cdb);
    return this.readBlocks(cmd.cdb.readUInt32BE(2), cmd.cdb.readUInt32BE(6), 6);
  }

  /** READ TOC/PMA/ATIP formats 0000b (TOC) and 0001b (session info) for a single data track. */
  protected readToc(cmd: ScsiCommand): ScsiResponse {
    const cdb = cmd.cdb;
    const msf = (cdb[1]! & 0x02) !== 0;
    const format = cdb[2]! & 0x0f;
    const track = cdb[6]!;
    const allocationLength = cdb.readUInt16BE(7);
    if (format === 0) {
      if (track > 1 && track !== LEAD_OUT) throw new CheckCondition(invalidCdbField(6, 7));
      const descriptors: Buffer[] = [];
      if (track <= 1) descriptors.push(this.trackDescriptor(1, 0, msf));
      descriptors.push(this.trackDescriptor(LEAD_OUT, this.blocks, msf));
      return this.good(tocData(descriptors), allocationLength);
    }
    if (format === 1) {
      return this.good(tocData([this.trackDescriptor(1, 0, msf)]), allocationLength);
    }
    throw new CheckCondition(invalidCdbField(2, 3));
  }

  private trackDescriptor(track: number, lba: number, msf: boolean): Buffer {
    const b = Buffer.alloc(8);
    b[1] = 0x14; // ADR 1 (Q sub-channel position data), CONTROL 4 (data track)
    b[2] = track;
    if (msf) {
      const frames = lba + 150; // MSF addresses count the 2-second pre-gap
      b[5] = Math.floor(frames / (75 * 60));
      b[6] = Math.floor(frames / 75) % 60;
      b[7] = frames % 75;
    } else {
      b.writeUInt32BE(lba, 4);
    }
    return b;
  }

  /** GET CONFIGURATION (MMC-3 §6.6): profile list, core, removable medium, random readable, CD read. */
  protected getConfiguration(cmd: ScsiCommand): ScsiResponse {
    const requestType = cmd.cdb[1]! & 0x03;
    const startingFeature = cmd.cdb.readUInt16BE(2);
    const allocationLength = cmd.cdb.readUInt16BE(7);
    if (requestType === 0x03) throw new CheckCondition(invalidCdbField(1, 1));
    const present = this.mediumPresent;
    const features = this.features(present).filter(({ code, current }) => {
      if (requestType === 0x02) return code === startingFeature;
      return code >= startingFeature && (requestType === 0x00 || current);
    });
    const body = Buffer.concat(features.map((f) => f.data));
    const header = Buffer.alloc(8);
    header.writeUInt32BE(4 + body.length, 0);
    header.writeUInt16BE(present ? PROFILE_CD_ROM : 0, 6);
    return this.good(Buffer.concat([header, body]), allocationLength);
  }

  private features(present: boolean): { code: number; current: boolean; data: Buffer }[] {
    const feature = (code: number, version: number, persistent: boolean, current: boolean, payload: number[]) => {
      const data = Buffer.alloc(4 + payload.length);
      data.writeUInt16BE(code, 0);
      data[2] = (version << 2) | (persistent ? 0x02 : 0) | (current ? 0x01 : 0);
      data[3] = payload.length;
      Buffer.from(payload).copy(data, 4);
      return { code, current, data };
    };
    return [
      feature(0x0000, 0, true, true, [PROFILE_CD_ROM >> 8, PROFILE_CD_ROM & 0xff, present ? 0x01 : 0x00, 0]),
      feature(0x0001, 0, true, true, [0, 0, 0, 0x01, 0, 0, 0, 0]), // Core: physical interface SCSI
      feature(0x0003, 0, true, true, [0x29, 0, 0, 0]), // Removable Medium: tray, eject, lock
      feature(0x0010, 0, false, present, [0, 0, 0x08, 0x00, 0, 1, 0, 0]), // Random Readable: 2048-byte blocks
      feature(0x001e, 0, false, present, [0, 0, 0, 0]), // CD Read
    ];
  }

  /** GET EVENT STATUS NOTIFICATION, polled, media class only. */
  protected getEventStatusNotification(cmd: ScsiCommand): ScsiResponse {
    if ((cmd.cdb[1]! & 0x01) === 0) throw new CheckCondition(invalidCdbField(1, 0)); // asynchronous mode unsupported
    const requested = cmd.cdb[4]!;
    const allocationLength = cmd.cdb.readUInt16BE(7);
    const MEDIA_CLASS = 0x10;
    const header = Buffer.alloc(4);
    header[3] = MEDIA_CLASS; // supported event classes
    if ((requested & MEDIA_CLASS) === 0) {
      header.writeUInt16BE(2, 0);
      header[2] = 0x80; // NEA: no event available of the requested classes
      return this.good(header, allocationLength);
    }
    const key = nexusKey(cmd.nexus);
    const event = this.mediaEvents.get(key) ?? MediaEvent.NO_CHANGE;
    this.mediaEvents.set(key, MediaEvent.NO_CHANGE);
    const descriptor = Buffer.from([event, this.mediumPresent ? 0x02 : 0x00, 0, 0]);
    header.writeUInt16BE(2 + descriptor.length, 0);
    header[2] = 0x04; // notification class: media
    return this.good(Buffer.concat([header, descriptor]), allocationLength);
  }
}

function tocData(descriptors: Buffer[]): Buffer {
  const header = Buffer.from([0, 0, 1, 1]); // first and last track (or session) 1
  header.writeUInt16BE(2 + descriptors.length * 8, 0);
  return Buffer.concat([header, ...descriptors]);
}

type Cdrom = CdromLogicalUnit;
const p = CdromLogicalUnit.prototype as unknown as Record<string, (this: Cdrom, cmd: ScsiCommand) => Promise<ScsiResponse> | ScsiResponse>;

/** vcdrom's command set (docs/scsi.md). */
const CDROM_COMMANDS: readonly CommandEntry<Cdrom>[] = [
  ...primaryCommands<Cdrom>(p),
  entry(Commands.read10, p['readCdrom10']!, true),
  entry(Commands.read12, p['readCdrom12']!, true),
  entry(Commands.readToc, p['readToc']!, true),
  entry(Commands.getConfiguration, p['getConfiguration']!, false),
  entry(Commands.getEventStatusNotification, p['getEventStatusNotification']!, false, AluaAccess.Standby),
  ...reservationCommands<Cdrom>(),
];
