/**
 * MODE SENSE / MODE SELECT (SPC-4 §6.11–6.14, SBC-3 §6.4) with the pages
 * SCST's vdisk shows: read-write error recovery (01h), disconnect-reconnect
 * (02h), format device (03h), rigid disk geometry (04h), caching (08h),
 * control (0Ah) and informational exceptions control (1Ch); a CD-ROM shows
 * 01h, 0Ah and 1Ch. Saved pages are not supported (PC 11b and SP refused).
 * Changeable: WCE (when the cache is volatile) and, in the control page,
 * D_SENSE, DPICZ, TMF_ONLY, QUEUE ALGORITHM MODIFIER, QERR, SWP and TAS.
 */
import { CheckCondition, invalidCdbField, invalidParameterField, Sense } from './sense.js';
import { DeviceType } from './inquiry.js';

/** Current values of the changeable mode parameters (shared by all nexuses, like SCST). */
export interface ModeState {
  writeCacheEnabled: boolean;
  dSense: boolean;
  dpicz: boolean;
  tmfOnly: boolean;
  queueAlgorithm: number;
  qerr: number;
  swp: boolean;
  tas: boolean;
}

export function defaultModeState(writeCacheEnabled: boolean): ModeState {
  return { writeCacheEnabled, dSense: false, dpicz: false, tmfOnly: false, queueAlgorithm: 0, qerr: 0, swp: false, tas: false };
}

export interface ModeContext {
  readonly deviceType: number;
  readonly blockSize: number;
  readonly blocks: number;
  /** WP bit of the device-specific parameter: read-only device or SWP. */
  readonly writeProtected: boolean;
  /** Whether WCE can change (false for nv_cache and write-through stores). */
  readonly wceChangeable: boolean;
  readonly tst: number;
  readonly state: ModeState;
}

export const ModePage = {
  ERROR_RECOVERY: 0x01,
  DISCONNECT: 0x02,
  FORMAT: 0x03,
  GEOMETRY: 0x04,
  CACHING: 0x08,
  CONTROL: 0x0a,
  INFORMATIONAL_EXCEPTIONS: 0x1c,
  ALL: 0x3f,
} as const;

const PC_CURRENT = 0;
const PC_CHANGEABLE = 1;
const PC_SAVED = 3;

// The fake geometry SCST reports: 255 heads × 56 sectors.
const HEADS = 255;
const SECTORS = 56;

type PageBuilder = (ctx: ModeContext, pc: number) => Buffer;

/** A page with fixed content whose changeable mask is all zeros. */
function fixedPage(bytes: number[]): PageBuilder {
  return (_ctx, pc) => {
    const b = Buffer.from(bytes);
    if (pc === PC_CHANGEABLE) b.fill(0, 2);
    return b;
  };
}

const errorRecoveryPage = fixedPage([0x01, 0x0a, 0xc0, 1, 0, 0, 0, 0, 1, 0, 0xff, 0xff]);
const disconnectPage = fixedPage([0x02, 0x0e, 128, 128, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const informationalExceptionsPage = fixedPage([0x1c, 0x0a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

function formatPage(ctx: ModeContext, pc: number): Buffer {
  const b = Buffer.alloc(24);
  b[0] = 0x03;
  b[1] = 0x16;
  if (pc === PC_CHANGEABLE) return b;
  b.writeUInt16BE(SECTORS, 10);
  b.writeUInt16BE(ctx.blockSize, 12);
  b[20] = 0x40; // HSEC (hard sectored), as SCST
  return b;
}

function geometryPage(ctx: ModeContext, pc: number): Buffer {
  const b = Buffer.alloc(24);
  b[0] = 0x04;
  b[1] = 0x16;
  if (pc === PC_CHANGEABLE) return b;
  const cylinders = Math.min(Math.ceil(ctx.blocks / (HEADS * SECTORS)), 0xffffff);
  b.writeUIntBE(cylinders, 2, 3);
  b[5] = HEADS;
  b.writeUInt16BE(15000, 20); // medium rotation rate
  return b;
}

function cachingPage(ctx: ModeContext, pc: number): Buffer {
  const b = Buffer.alloc(20);
  b[0] = 0x08;
  b[1] = 0x12;
  if (pc === PC_CHANGEABLE) {
    if (ctx.wceChangeable) b[2] = 0x04;
    return b;
  }
  b[12] = 0x80; // FSW
  b[13] = 0x14; // NUMBER OF CACHE SEGMENTS, as SCST
  const wce = pc === PC_CURRENT ? ctx.state.writeCacheEnabled : ctx.wceChangeable;
  if (wce) b[2] = 0x04;
  return b;
}

function controlPage(ctx: ModeContext, pc: number): Buffer {
  const b = Buffer.from([0x0a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x4b]);
  if (pc === PC_CHANGEABLE) {
    b.fill(0, 2);
    b[2] = 0x04 | 0x08 | 0x10; // D_SENSE, DPICZ, TMF_ONLY
    b[3] = 0xf0 | 0x06; // QUEUE ALGORITHM MODIFIER, QERR
    b[4] = 0x08; // SWP
    b[5] = 0x40; // TAS
    return b;
  }
  const s = pc === PC_CURRENT ? ctx.state : defaultModeState(false);
  b[2] = (ctx.tst << 5) | (s.tmfOnly ? 0x10 : 0) | (s.dpicz ? 0x08 : 0) | (s.dSense ? 0x04 : 0);
  b[3] = (s.queueAlgorithm << 4) | (s.qerr << 1);
  b[4] = s.swp ? 0x08 : 0;
  b[5] = s.tas ? 0x40 : 0;
  return b;
}

function pagesFor(deviceType: number): Map<number, PageBuilder> {
  if (deviceType === DeviceType.CDROM) {
    return new Map<number, PageBuilder>([
      [ModePage.ERROR_RECOVERY, errorRecoveryPage],
      [ModePage.CONTROL, controlPage],
      [ModePage.INFORMATIONAL_EXCEPTIONS, informationalExceptionsPage],
    ]);
  }
  // Insertion order is SCST's order for "all pages".
  return new Map<number, PageBuilder>([
    [ModePage.ERROR_RECOVERY, errorRecoveryPage],
    [ModePage.DISCONNECT, disconnectPage],
    [ModePage.FORMAT, formatPage],
    [ModePage.CACHING, cachingPage],
    [ModePage.CONTROL, controlPage],
    [ModePage.INFORMATIONAL_EXCEPTIONS, informationalExceptionsPage],
    [ModePage.GEOMETRY, geometryPage],
  ]);
}

const DISK_PAGES = pagesFor(DeviceType.DISK);
const CDROM_PAGES = pagesFor(DeviceType.CDROM);

function pageTable(deviceType: number): Map<number, PageBuilder> {
  return deviceType === DeviceType.CDROM ? CDROM_PAGES : DISK_PAGES;
}

/** MODE SENSE(6) (sixByte) or (10) parameter data for the CDB; throws CheckCondition. */
export function modeSense(ctx: ModeContext, cdb: Buffer, sixByte: boolean): Buffer {
  const dbd = (cdb[1]! & 0x08) !== 0;
  const pc = cdb[2]! >> 6;
  const pageCode = cdb[2]! & 0x3f;
  const subpage = cdb[3]!;
  if (pc === PC_SAVED) throw new CheckCondition({ code: Sense.SAVING_PARAMETERS_NOT_SUPPORTED });
  if (subpage !== 0) throw new CheckCondition(invalidCdbField(3, 7));
  const table = pageTable(ctx.deviceType);
  let pages: Buffer[];
  if (pageCode === ModePage.ALL) {
    pages = [...table.values()].map((build) => build(ctx, pc));
  } else {
    const build = table.get(pageCode);
    if (!build) throw new CheckCondition(invalidCdbField(2, 5));
    pages = [build(ctx, pc)];
  }
  const headerLength = sixByte ? 4 : 8;
  const blockDescriptor = dbd ? Buffer.alloc(0) : shortBlockDescriptor(ctx);
  const body = Buffer.concat([blockDescriptor, ...pages]);
  const header = Buffer.alloc(headerLength);
  const deviceSpecific = (ctx.writeProtected ? 0x80 : 0) | (ctx.deviceType === DeviceType.DISK ? 0x10 : 0); // WP, DPOFUA
  if (sixByte) {
    header[0] = Math.min(headerLength - 1 + body.length, 0xff);
    header[2] = deviceSpecific;
    header[3] = blockDescriptor.length;
  } else {
    header.writeUInt16BE(headerLength - 2 + body.length, 0);
    header[3] = deviceSpecific;
    header.writeUInt16BE(blockDescriptor.length, 6);
  }
  return Buffer.concat([header, body]);
}

function shortBlockDescriptor(ctx: ModeContext): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(ctx.blocks > 0xffffffff ? 0xffffffff : ctx.blocks, 0);
  b.writeUIntBE(ctx.blockSize, 5, 3);
  return b;
}

/** What a MODE SELECT changed (the caller raises MODE PARAMETERS CHANGED when any). */
export interface ModeSelectResult {
  changed: boolean;
}

/**
 * Applies MODE SELECT(6)/(10) parameter data to ctx.state. Validation
 * follows SCST's vdisk_exec_mode_select(): PF must be 1, the block
 * descriptor length 0 or 8, only the caching and control pages may be sent.
 */
export function modeSelect(ctx: ModeContext, cdb: Buffer, params: Buffer, sixByte: boolean): ModeSelectResult {
  if ((cdb[1]! & 0x10) === 0) throw new CheckCondition(invalidCdbField(1, 4));
  const headerLength = sixByte ? 4 : 8;
  if (params.length === 0) return { changed: false };
  if (params.length < headerLength) throw new CheckCondition({ code: Sense.PARAMETER_LIST_LENGTH_ERROR });
  const descriptorLength = sixByte ? params[3]! : params.readUInt16BE(6);
  if (descriptorLength !== 0 && descriptorLength !== 8) {
    throw new CheckCondition(invalidParameterField(headerLength - 1));
  }
  let at = headerLength + descriptorLength;
  if (descriptorLength === 8) {
    if (params.length < at) throw new CheckCondition({ code: Sense.PARAMETER_LIST_LENGTH_ERROR });
    const blockLength = params.readUIntBE(headerLength + 5, 3);
    if (blockLength !== 0 && blockLength !== ctx.blockSize) {
      throw new CheckCondition(invalidParameterField(headerLength + 5));
    }
  }
  const next: ModeState = { ...ctx.state };
  while (at + 2 <= params.length) {
    const pageCode = params[at]! & 0x3f;
    const pageLength = params[at + 1]!;
    if ((params[at]! & 0x40) !== 0) throw new CheckCondition(invalidParameterField(at, 6)); // SPF: no subpages
    if (at + 2 + pageLength > params.length) throw new CheckCondition({ code: Sense.PARAMETER_LIST_LENGTH_ERROR });
    const page = params.subarray(at, at + 2 + pageLength);
    if (pageCode === ModePage.CACHING && ctx.deviceType === DeviceType.DISK) {
      if (pageLength !== 0x12) throw new CheckCondition(invalidParameterField(at + 1));
      selectCaching(ctx, page, at, next);
    } else if (pageCode === ModePage.CONTROL) {
      if (pageLength !== 0x0a) throw new CheckCondition(invalidParameterField(at + 1));
      selectControl(ctx, page, at, next);
    } else {
      throw new CheckCondition(invalidParameterField(at, 5));
    }
    at += 2 + pageLength;
  }
  const changed = (Object.keys(next) as (keyof ModeState)[]).some((k) => next[k] !== ctx.state[k]);
  Object.assign(ctx.state, next);
  return { changed };
}

function selectCaching(ctx: ModeContext, page: Buffer, at: number, next: ModeState): void {
  const wce = (page[2]! & 0x04) !== 0;
  if (wce !== ctx.state.writeCacheEnabled && !ctx.wceChangeable) throw new CheckCondition(invalidParameterField(at + 2, 2));
  next.writeCacheEnabled = wce;
}

function selectControl(ctx: ModeContext, page: Buffer, at: number, next: ModeState): void {
  if (page[2]! >> 5 !== ctx.tst) throw new CheckCondition(invalidParameterField(at + 2, 7));
  const queueAlgorithm = page[3]! >> 4;
  if (queueAlgorithm > 1) throw new CheckCondition(invalidParameterField(at + 3, 7));
  const qerr = (page[3]! >> 1) & 0x3;
  if (qerr === 2) throw new CheckCondition(invalidParameterField(at + 3, 2));
  next.tmfOnly = (page[2]! & 0x10) !== 0;
  next.dpicz = (page[2]! & 0x08) !== 0;
  next.dSense = (page[2]! & 0x04) !== 0;
  next.queueAlgorithm = queueAlgorithm;
  next.qerr = qerr;
  next.swp = (page[4]! & 0x08) !== 0;
  next.tas = (page[5]! & 0x40) !== 0;
}
