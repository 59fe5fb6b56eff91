/**
 * The commands this SCSI service implements, with their CDB usage data
 * (SPC-4 §6.35.3). One table drives both REPORT SUPPORTED OPERATION CODES
 * and the reserved-bit check of every incoming CDB, so what is advertised
 * and what is accepted cannot drift apart.
 */

export const Op = {
  TEST_UNIT_READY: 0x00,
  REQUEST_SENSE: 0x03,
  READ_6: 0x08,
  WRITE_6: 0x0a,
  INQUIRY: 0x12,
  MODE_SELECT_6: 0x15,
  MODE_SENSE_6: 0x1a,
  RESERVE_6: 0x16,
  RELEASE_6: 0x17,
  START_STOP_UNIT: 0x1b,
  PREVENT_ALLOW_MEDIUM_REMOVAL: 0x1e,
  READ_CAPACITY_10: 0x25,
  READ_10: 0x28,
  WRITE_10: 0x2a,
  WRITE_AND_VERIFY_10: 0x2e,
  VERIFY_10: 0x2f,
  PRE_FETCH_10: 0x34,
  SYNCHRONIZE_CACHE_10: 0x35,
  READ_DEFECT_DATA_10: 0x37,
  WRITE_SAME_10: 0x41,
  READ_TOC: 0x43,
  GET_CONFIGURATION: 0x46,
  GET_EVENT_STATUS_NOTIFICATION: 0x4a,
  MODE_SELECT_10: 0x55,
  RESERVE_10: 0x56,
  RELEASE_10: 0x57,
  MODE_SENSE_10: 0x5a,
  PERSISTENT_RESERVE_IN: 0x5e,
  PERSISTENT_RESERVE_OUT: 0x5f,
  READ_16: 0x88,
  COMPARE_AND_WRITE: 0x89,
  WRITE_16: 0x8a,
  ORWRITE_16: 0x8b,
  WRITE_AND_VERIFY_16: 0x8e,
  VERIFY_16: 0x8f,
  PRE_FETCH_16: 0x90,
  SYNCHRONIZE_CACHE_16: 0x91,
  WRITE_SAME_16: 0x93,
  SERVICE_ACTION_IN_16: 0x9e,
  REPORT_LUNS: 0xa0,
  MAINTENANCE_IN: 0xa3,
  READ_12: 0xa8,
  WRITE_12: 0xaa,
  WRITE_AND_VERIFY_12: 0xae,
  VERIFY_12: 0xaf,
  READ_DEFECT_DATA_12: 0xb7,
} as const;

export const ServiceAction = {
  READ_CAPACITY_16: 0x10,
  GET_LBA_STATUS: 0x12,
  REPORT_SUPPORTED_OPERATION_CODES: 0x0c,
  REPORT_TARGET_PORT_GROUPS: 0x0a,
} as const;

export interface CommandDescriptor {
  readonly opcode: number;
  /** Set for commands selected by a service action (in CDB byte 1, bits 4–0). */
  readonly serviceAction?: number;
  /** CDB USAGE DATA: byte 0 is the opcode, then the bits the command uses. */
  readonly usage: readonly number[];
  /** Nominal and recommended timeouts in seconds (command timeouts descriptor). */
  readonly nominalTimeout: number;
  readonly recommendedTimeout: number;
}

// Timeouts as SCST advertises them for vdisk: 1 s nominal; 10 s for small
// commands, 60 s for data transfers.
const SMALL = 10;
const REGULAR = 60;

function cmd(opcode: number, usage: number[], recommendedTimeout: number, serviceAction?: number): CommandDescriptor {
  return Object.freeze({ opcode, serviceAction, usage: Object.freeze([opcode, ...usage]), nominalTimeout: 1, recommendedTimeout });
}

/** PERSISTENT RESERVE IN/OUT CDB usage (service action in byte 1; OUT: SCOPE and TYPE in byte 2). */
function prIn(serviceAction: number): CommandDescriptor {
  return cmd(Op.PERSISTENT_RESERVE_IN, [serviceAction, 0, 0, 0, 0, 0, 0xff, 0xff, 0], SMALL, serviceAction);
}

function prOut(serviceAction: number): CommandDescriptor {
  return cmd(Op.PERSISTENT_RESERVE_OUT, [serviceAction, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0], SMALL, serviceAction);
}

// Byte 1 of READ/WRITE(10/12/16): RDPROTECT/WRPROTECT (7–5), DPO (4), FUA (3), FUA_NV (1).
const RW_FLAGS = 0xfa;
// WRITE AND VERIFY: WRPROTECT, DPO, BYTCHK (bit 1).
const WV_FLAGS = 0xf2;
// VERIFY: VRPROTECT, DPO, BYTCHK (bits 2–1).
const VERIFY_FLAGS = 0xf6;
// GROUP NUMBER: accepted and ignored (no grouping function).
const GROUP = 0x1f;
const FF4 = [0xff, 0xff, 0xff, 0xff];
const FF8 = [...FF4, ...FF4];

export const Commands = {
  testUnitReady: cmd(Op.TEST_UNIT_READY, [0, 0, 0, 0, 0], SMALL),
  requestSense: cmd(Op.REQUEST_SENSE, [0x01, 0, 0, 0xff, 0], SMALL),
  read6: cmd(Op.READ_6, [0x1f, 0xff, 0xff, 0xff, 0], REGULAR),
  write6: cmd(Op.WRITE_6, [0x1f, 0xff, 0xff, 0xff, 0], REGULAR),
  inquiry: cmd(Op.INQUIRY, [0x01, 0xff, 0xff, 0xff, 0], SMALL),
  modeSelect6: cmd(Op.MODE_SELECT_6, [0x10, 0, 0, 0xff, 0], SMALL),
  modeSense6: cmd(Op.MODE_SENSE_6, [0x08, 0xff, 0xff, 0xff, 0], SMALL),
  // RESERVE/RELEASE(6/10): no third-party or extent reservations (those bits are refused).
  reserve6: cmd(Op.RESERVE_6, [0, 0, 0, 0, 0], SMALL),
  release6: cmd(Op.RELEASE_6, [0, 0, 0, 0, 0], SMALL),
  reserve10: cmd(Op.RESERVE_10, [0, 0, 0, 0, 0, 0, 0, 0, 0], SMALL),
  release10: cmd(Op.RELEASE_10, [0, 0, 0, 0, 0, 0, 0, 0, 0], SMALL),
  prInReadKeys: prIn(0),
  prInReadReservation: prIn(1),
  prInReportCapabilities: prIn(2),
  prInReadFullStatus: prIn(3),
  prOutRegister: prOut(0),
  prOutReserve: prOut(1),
  prOutRelease: prOut(2),
  prOutClear: prOut(3),
  prOutPreempt: prOut(4),
  prOutPreemptAndAbort: prOut(5),
  prOutRegisterAndIgnore: prOut(6),
  startStopUnit: cmd(Op.START_STOP_UNIT, [0x01, 0, 0x0f, 0xf7, 0], SMALL),
  preventAllow: cmd(Op.PREVENT_ALLOW_MEDIUM_REMOVAL, [0, 0, 0, 0x03, 0], SMALL),
  readCapacity10: cmd(Op.READ_CAPACITY_10, [0, 0, 0, 0, 0, 0, 0, 0, 0], SMALL),
  read10: cmd(Op.READ_10, [RW_FLAGS, ...FF4, GROUP, 0xff, 0xff, 0], REGULAR),
  write10: cmd(Op.WRITE_10, [RW_FLAGS, ...FF4, GROUP, 0xff, 0xff, 0], REGULAR),
  writeAndVerify10: cmd(Op.WRITE_AND_VERIFY_10, [WV_FLAGS, ...FF4, GROUP, 0xff, 0xff, 0], REGULAR),
  verify10: cmd(Op.VERIFY_10, [VERIFY_FLAGS, ...FF4, GROUP, 0xff, 0xff, 0], REGULAR),
  // SYNC_NV (SBC-3, bit 2) is accepted and ignored: the whole store is flushed anyway.
  synchronizeCache10: cmd(Op.SYNCHRONIZE_CACHE_10, [0x06, ...FF4, GROUP, 0xff, 0xff, 0], REGULAR),
  readToc: cmd(Op.READ_TOC, [0x02, 0x0f, 0, 0, 0, 0xff, 0xff, 0xff, 0], SMALL),
  getConfiguration: cmd(Op.GET_CONFIGURATION, [0x03, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0], SMALL),
  getEventStatusNotification: cmd(Op.GET_EVENT_STATUS_NOTIFICATION, [0x01, 0, 0, 0xff, 0, 0, 0xff, 0xff, 0], SMALL),
  modeSelect10: cmd(Op.MODE_SELECT_10, [0x10, 0, 0, 0, 0, 0, 0xff, 0xff, 0], SMALL),
  modeSense10: cmd(Op.MODE_SENSE_10, [0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0], SMALL),
  read16: cmd(Op.READ_16, [RW_FLAGS, ...FF8, ...FF4, GROUP, 0], REGULAR),
  write16: cmd(Op.WRITE_16, [RW_FLAGS, ...FF8, ...FF4, GROUP, 0], REGULAR),
  writeAndVerify16: cmd(Op.WRITE_AND_VERIFY_16, [WV_FLAGS, ...FF8, ...FF4, GROUP, 0], REGULAR),
  verify16: cmd(Op.VERIFY_16, [VERIFY_FLAGS, ...FF8, ...FF4, GROUP, 0], REGULAR),
  preFetch10: cmd(Op.PRE_FETCH_10, [0x02, ...FF4, GROUP, 0xff, 0xff, 0], REGULAR),
  preFetch16: cmd(Op.PRE_FETCH_16, [0x02, ...FF8, ...FF4, GROUP, 0], REGULAR),
  // WRITE SAME: WRPROTECT and UNMAP, which is evaluated (and refused after the
  // write-protection check: logical block provisioning is not offered); no ANCHOR, NDOB.
  writeSame10: cmd(Op.WRITE_SAME_10, [0xe8, ...FF4, GROUP, 0xff, 0xff, 0], REGULAR),
  writeSame16: cmd(Op.WRITE_SAME_16, [0xe8, ...FF8, ...FF4, GROUP, 0], REGULAR),
  orWrite16: cmd(Op.ORWRITE_16, [RW_FLAGS, ...FF8, ...FF4, GROUP, 0], REGULAR),
  getLbaStatus: cmd(
    Op.SERVICE_ACTION_IN_16,
    [ServiceAction.GET_LBA_STATUS, ...FF8, ...FF4, 0, 0],
    SMALL,
    ServiceAction.GET_LBA_STATUS,
  ),
  readDefectData10: cmd(Op.READ_DEFECT_DATA_10, [0, 0x1f, 0, 0, 0, 0, 0xff, 0xff, 0], SMALL),
  readDefectData12: cmd(Op.READ_DEFECT_DATA_12, [0x1f, 0, 0, 0, 0, ...FF4, 0, 0], SMALL),
  compareAndWrite: cmd(Op.COMPARE_AND_WRITE, [RW_FLAGS, ...FF8, 0, 0, 0, 0xff, GROUP, 0], REGULAR),
  synchronizeCache16: cmd(Op.SYNCHRONIZE_CACHE_16, [0x06, ...FF8, ...FF4, GROUP, 0], REGULAR),
  readCapacity16: cmd(
    Op.SERVICE_ACTION_IN_16,
    [ServiceAction.READ_CAPACITY_16, 0, 0, 0, 0, 0, 0, 0, 0, ...FF4, 0, 0],
    SMALL,
    ServiceAction.READ_CAPACITY_16,
  ),
  reportLuns: cmd(Op.REPORT_LUNS, [0, 0xff, 0, 0, 0, ...FF4, 0, 0], SMALL),
  reportSupportedOpcodes: cmd(
    Op.MAINTENANCE_IN,
    [ServiceAction.REPORT_SUPPORTED_OPERATION_CODES, 0x87, 0xff, 0xff, 0xff, ...FF4, 0, 0],
    SMALL,
    ServiceAction.REPORT_SUPPORTED_OPERATION_CODES,
  ),
  reportTargetPortGroups: cmd(
    Op.MAINTENANCE_IN,
    [0xe0 | ServiceAction.REPORT_TARGET_PORT_GROUPS, 0, 0, 0, 0, ...FF4, 0, 0],
    SMALL,
    ServiceAction.REPORT_TARGET_PORT_GROUPS,
  ),
  read12: cmd(Op.READ_12, [RW_FLAGS, ...FF4, ...FF4, GROUP, 0], REGULAR),
  write12: cmd(Op.WRITE_12, [RW_FLAGS, ...FF4, ...FF4, GROUP, 0], REGULAR),
  writeAndVerify12: cmd(Op.WRITE_AND_VERIFY_12, [WV_FLAGS, ...FF4, ...FF4, GROUP, 0], REGULAR),
  verify12: cmd(Op.VERIFY_12, [VERIFY_FLAGS, ...FF4, ...FF4, GROUP, 0], REGULAR),
} as const;

/** Whether a descriptor's service action lives in CDB byte 1. */
export function hasServiceAction(d: CommandDescriptor): boolean {
  return d.serviceAction !== undefined;
}

/**
 * The first bit set in the CDB outside the command's usage data, as
 * [byte, bit] for the sense field pointer, or undefined when the CDB only
 * uses defined bits. Service action bits count as used.
 */
export function findReservedBit(d: CommandDescriptor, cdb: Buffer): [number, number] | undefined {
  const usage = d.usage;
  for (let i = 1; i < usage.length; i++) {
    let allowed = usage[i]!;
    if (i === 1 && d.serviceAction !== undefined) allowed |= 0x1f;
    const stray = cdb[i]! & ~allowed;
    if (stray !== 0) return [i, 31 - Math.clz32(stray)];
  }
  return undefined;
}

/** Builds REPORT SUPPORTED OPERATION CODES parameter data (SPC-4 §6.35). */
export function buildAllCommandsData(list: readonly CommandDescriptor[], withTimeouts: boolean): Buffer {
  const descriptorLength = 8 + (withTimeouts ? 12 : 0);
  const out = Buffer.alloc(4 + list.length * descriptorLength);
  out.writeUInt32BE(list.length * descriptorLength, 0);
  let at = 4;
  for (const d of list) {
    out[at] = d.opcode;
    out.writeUInt16BE(d.serviceAction ?? 0, at + 2);
    out[at + 5] = (withTimeouts ? 0x02 : 0) | (d.serviceAction !== undefined ? 0x01 : 0); // CTDP, SERVACTV
    out.writeUInt16BE(d.usage.length, at + 6);
    if (withTimeouts) writeTimeouts(out, at + 8, d);
    at += descriptorLength;
  }
  return out;
}

/** The one-command format; `d` undefined means "not supported" (SUPPORT 001b). */
export function buildOneCommandData(d: CommandDescriptor | undefined, withTimeouts: boolean): Buffer {
  if (!d) {
    const out = Buffer.alloc(4);
    out[1] = 0x01;
    return out;
  }
  const out = Buffer.alloc(4 + d.usage.length + (withTimeouts ? 12 : 0));
  out[1] = (withTimeouts ? 0x80 : 0) | 0x03; // CTDP, SUPPORT = supported per standard
  out.writeUInt16BE(d.usage.length, 2);
  d.usage.forEach((byte, i) => (out[4 + i] = byte));
  if (withTimeouts) writeTimeouts(out, 4 + d.usage.length, d);
  return out;
}

function writeTimeouts(out: Buffer, at: number, d: CommandDescriptor): void {
  out.writeUInt16BE(0x0a, at); // descriptor length
  out.writeUInt32BE(d.nominalTimeout, at + 4);
  out.writeUInt32BE(d.recommendedTimeout, at + 8);
}
