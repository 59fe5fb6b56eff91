/**
 * INQUIRY data (SPC-4 §6.6, §7.8) laid out the way SCST's vdisk builds it
 * (scst_vdisk.c vdisk_inq() and the *_vpd() pages), minus what this service
 * does not implement: no 3PC (EXTENDED COPY), no ACA, no UNMAP/WRITE SAME.
 */
import type { AluaView, DeviceFlags, DeviceIdentity } from './identity.js';
import { hexId } from './identity.js';
import type { Nexus } from './types.js';

export const DeviceType = { DISK: 0x00, CDROM: 0x05 } as const;

/** Version descriptors (SPC-4 Table 30). */
const SAM_4 = 0x008b;
const SPC_4 = 0x0463;
const SBC_3 = 0x04c0;
const MMC_3 = 0x02a0;

export interface InquiryContext {
  readonly deviceType: number;
  readonly identity: DeviceIdentity;
  readonly flags: DeviceFlags;
  readonly blockSize: number;
  /** Whether the caching mode page's WCE is currently 1 (VPD 0x86 V_SUP). */
  readonly volatileCache: boolean;
  readonly nexus: Nexus;
  readonly alua: AluaView | undefined;
}

/** Space-padded ASCII of exactly `width` bytes. */
function padded(text: string, width: number): Buffer {
  const b = Buffer.alloc(width, 0x20);
  b.write(text.slice(0, width), 'latin1');
  return b;
}

/** PERIPHERAL QUALIFIER 001b when ALUA makes the LU inaccessible through this port, like SCST. */
function peripheralByte(ctx: InquiryContext): number {
  const unreachable = ctx.alua?.state === 'unavailable' || ctx.alua?.state === 'offline';
  return (unreachable ? 0x20 : 0x00) | ctx.deviceType;
}

export function standardInquiry(ctx: InquiryContext): Buffer {
  const vendSpecific = Buffer.from(ctx.identity.inqVendSpecific ?? '', 'latin1');
  const descriptors = [SAM_4, SPC_4, ctx.deviceType === DeviceType.CDROM ? MMC_3 : SBC_3];
  const descriptorsEnd = 58 + descriptors.length * 2;
  // Up to 20 vendor-specific bytes fit at 36–55; longer text goes after the version descriptors, at 96 (as SCST).
  const length = vendSpecific.length > 20 ? 96 + vendSpecific.length : descriptorsEnd;
  const b = Buffer.alloc(length);
  b[0] = peripheralByte(ctx);
  b[1] = ctx.flags.removable || ctx.deviceType === DeviceType.CDROM ? 0x80 : 0x00;
  b[2] = 0x06; // SPC-4
  b[3] = 0x12; // HISUP, RESPONSE DATA FORMAT 2
  b[4] = length - 5;
  b[5] = ctx.alua ? 0x10 : 0x00; // TPGS: implicit ALUA only
  b[6] = 0x10; // MULTIP
  b[7] = 0x02; // CMDQUE
  padded(ctx.identity.vendorId, 8).copy(b, 8);
  padded(ctx.identity.productId, 16).copy(b, 16);
  padded(ctx.identity.revision, 4).copy(b, 32);
  vendSpecific.copy(b, vendSpecific.length > 20 ? 96 : 36);
  descriptors.forEach((d, i) => b.writeUInt16BE(d, 58 + i * 2));
  return b;
}

export const VpdPage = {
  SUPPORTED: 0x00,
  UNIT_SERIAL_NUMBER: 0x80,
  DEVICE_IDENTIFICATION: 0x83,
  EXTENDED_INQUIRY: 0x86,
  BLOCK_LIMITS: 0xb0,
  BLOCK_DEVICE_CHARACTERISTICS: 0xb1,
  LOGICAL_BLOCK_PROVISIONING: 0xb2,
} as const;

export function supportedVpdPages(deviceType: number): number[] {
  const common = [VpdPage.SUPPORTED, VpdPage.UNIT_SERIAL_NUMBER, VpdPage.DEVICE_IDENTIFICATION, VpdPage.EXTENDED_INQUIRY];
  if (deviceType !== DeviceType.DISK) return common;
  return [...common, VpdPage.BLOCK_LIMITS, VpdPage.BLOCK_DEVICE_CHARACTERISTICS, VpdPage.LOGICAL_BLOCK_PROVISIONING];
}

function vpd(ctx: InquiryContext, page: number, body: Buffer): Buffer {
  const b = Buffer.alloc(4 + body.length);
  b[0] = peripheralByte(ctx);
  b[1] = page;
  b.writeUInt16BE(body.length, 2);
  body.copy(b, 4);
  return b;
}

function designator(codeSet: number, associationAndType: number, value: Buffer): Buffer {
  const b = Buffer.alloc(4 + value.length);
  b[0] = codeSet;
  b[1] = associationAndType;
  b[3] = value.length;
  value.copy(b, 4);
  return b;
}

function twoByteId(id: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(id & 0xffff, 2);
  return b;
}

/** VPD 0x83 in SCST's order: SCSI name, T10 vendor ID, relative port, port group, EUI-64, NAA. */
function deviceIdentification(ctx: InquiryContext): Buffer {
  const id = ctx.identity;
  const parts: Buffer[] = [];
  if (id.scsiDeviceName) {
    // UTF-8 SCSI name string, NUL-terminated and padded to a multiple of 4.
    const name = Buffer.from(id.scsiDeviceName, 'utf8');
    const value = Buffer.alloc(name.length + 4 - (name.length % 4));
    name.copy(value);
    parts.push(designator(0x03, 0x20 | 0x08, value));
  }
  const t10 = Buffer.concat([padded(id.vendorId, 8), Buffer.from(id.vendSpecificId ?? id.t10DevId, 'latin1')]);
  parts.push(designator(0x02, 0x01, t10));
  parts.push(designator(0x01, 0x10 | 0x04, twoByteId(ctx.nexus.relativeTargetPortId)));
  if (ctx.alua && ctx.alua.tpgId !== 0) parts.push(designator(0x01, 0x10 | 0x05, twoByteId(ctx.alua.tpgId)));
  if (!id.naaId && !id.eui64Id) {
    // SCST's compatibility EUI-64: the first eight bytes of t10_dev_id.
    const compat = Buffer.alloc(8);
    compat.write(id.t10DevId.slice(0, 8), 'latin1');
    parts.push(designator(0x01, 0x02, compat));
  } else {
    if (id.eui64Id) parts.push(designator(0x01, 0x02, hexId(id.eui64Id)));
    if (id.naaId) parts.push(designator(0x01, 0x03, hexId(id.naaId)));
  }
  return vpd(ctx, VpdPage.DEVICE_IDENTIFICATION, Buffer.concat(parts));
}

/** Largest transfer accepted by one command: SCST's 8 MiB. */
export const MAX_TRANSFER_BYTES = 8 * 1024 * 1024;

/** COMPARE AND WRITE handles at most this many blocks (SCST: 255). */
export const MAX_COMPARE_AND_WRITE_BLOCKS = 255;
/** WRITE SAME handles at most 1 GiB per command. */
export const MAX_WRITE_SAME_BYTES = 1024 * 1024 * 1024;

function blockLimits(ctx: InquiryContext): Buffer {
  const body = Buffer.alloc(0x3c);
  const maxBlocks = MAX_TRANSFER_BYTES / ctx.blockSize;
  body[0] = 0x01; // WSNZ: WRITE SAME with 0 blocks ("to the end") is refused
  body[1] = MAX_COMPARE_AND_WRITE_BLOCKS;
  body.writeUInt16BE(Math.max(4096 / ctx.blockSize, 1), 2); // OPTIMAL TRANSFER LENGTH GRANULARITY
  body.writeUInt32BE(maxBlocks, 4); // MAXIMUM TRANSFER LENGTH
  body.writeUInt32BE(Math.min(maxBlocks, Math.floor(ctx.flags.optimalTransferBytes / ctx.blockSize)), 8);
  body.writeUInt32BE(MAX_WRITE_SAME_BYTES / ctx.blockSize, 36); // MAXIMUM WRITE SAME LENGTH (low 32 of 64 bits)
  return vpd(ctx, VpdPage.BLOCK_LIMITS, body);
}

function blockDeviceCharacteristics(ctx: InquiryContext): Buffer {
  const body = Buffer.alloc(0x3c);
  body.writeUInt16BE(ctx.flags.rotational ? 15000 : 1, 0);
  return vpd(ctx, VpdPage.BLOCK_DEVICE_CHARACTERISTICS, body);
}

function logicalBlockProvisioning(ctx: InquiryContext): Buffer {
  const body = Buffer.alloc(4);
  // LBPU/LBPWS/LBPWS10 stay 0: neither UNMAP nor the UNMAP bit of WRITE SAME is offered.
  body[2] = ctx.flags.thinProvisioned ? 0x02 : 0x00; // PROVISIONING TYPE
  return vpd(ctx, VpdPage.LOGICAL_BLOCK_PROVISIONING, body);
}

function extendedInquiry(ctx: InquiryContext): Buffer {
  const body = Buffer.alloc(0x3c);
  body[1] = 0x07; // HEADSUP, ORDSUP, SIMPSUP
  body[2] = ctx.volatileCache ? 0x01 : 0x00; // V_SUP
  body[3] = 0x01; // LUICLR
  return vpd(ctx, VpdPage.EXTENDED_INQUIRY, body);
}

/** The VPD page, or undefined when the page is not supported. */
export function vpdPage(ctx: InquiryContext, page: number): Buffer | undefined {
  if (!supportedVpdPages(ctx.deviceType).includes(page)) return undefined;
  switch (page) {
    case VpdPage.SUPPORTED:
      return vpd(ctx, page, Buffer.from(supportedVpdPages(ctx.deviceType)));
    case VpdPage.UNIT_SERIAL_NUMBER:
      return vpd(ctx, page, Buffer.from(ctx.identity.usn, 'latin1'));
    case VpdPage.DEVICE_IDENTIFICATION:
      return deviceIdentification(ctx);
    case VpdPage.EXTENDED_INQUIRY:
      return extendedInquiry(ctx);
    case VpdPage.BLOCK_LIMITS:
      return blockLimits(ctx);
    case VpdPage.BLOCK_DEVICE_CHARACTERISTICS:
      return blockDeviceCharacteristics(ctx);
    default:
      return logicalBlockProvisioning(ctx);
  }
}
