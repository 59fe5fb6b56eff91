/**
 * The answers SCST's core gives for a LUN that is not in the session's LUN
 * set, and REPORT LUNS, which SCST answers from the LUN set itself
 * (scst_report_luns_local) rather than from a device handler.
 */
import { ScsiStatus, type LunMap, type ScsiResponse } from '../engine/scsi/types.js';

const OP_INQUIRY = 0x12;
const OP_REQUEST_SENSE = 0x03;
const OP_REPORT_LUNS = 0xa0;

export const isReportLuns = (cdb: Buffer): boolean => cdb[0] === OP_REPORT_LUNS;

/** Fixed-format sense data (SPC-4 §4.5.3). */
export function fixedSense(key: number, asc: number, ascq: number): Buffer {
  const sense = Buffer.alloc(18);
  sense[0] = 0x70;
  sense[2] = key & 0x0f;
  sense[7] = 10;
  sense[12] = asc;
  sense[13] = ascq;
  return sense;
}

const ILLEGAL_REQUEST = 0x05;

function checkCondition(asc: number, ascq: number): ScsiResponse {
  return { status: ScsiStatus.CHECK_CONDITION, sense: fixedSense(ILLEGAL_REQUEST, asc, ascq), dataIn: null };
}

/** REPORT LUNS (SPC-4 §6.33) over the session's LUN set. */
export function reportLuns(cdb: Buffer, lunMap: LunMap): ScsiResponse {
  const allocation = cdb.readUInt32BE(6);
  const selectReport = cdb[2];
  if (allocation < 16 && allocation !== 0) return checkCondition(0x24, 0x00); // INVALID FIELD IN CDB
  if (selectReport > 2 && selectReport !== 0x10 && selectReport !== 0x11 && selectReport !== 0x12) {
    return checkCondition(0x24, 0x00);
  }
  const luns = selectReport === 1 ? [] : lunMap.luns();
  const data = Buffer.alloc(8 + luns.length * 8);
  data.writeUInt32BE(luns.length * 8, 0);
  luns.forEach((lun, i) => {
    const at = 8 + i * 8;
    if (lun < 256) data[at + 1] = lun;
    else {
      data[at] = 0x40 | ((lun >> 8) & 0x3f);
      data[at + 1] = lun & 0xff;
    }
  });
  return { status: ScsiStatus.GOOD, sense: null, dataIn: data.subarray(0, Math.min(allocation, data.length)) };
}

/** A command addressed to a LUN the session does not have. */
export function missingLunResponse(cdb: Buffer): ScsiResponse {
  if (cdb[0] === OP_INQUIRY) {
    if (cdb[1] & 0x01) return checkCondition(0x25, 0x00);
    // Peripheral qualifier 011b, device type 1Fh: no logical unit here (SPC-4 §6.6.2).
    const data = Buffer.alloc(36);
    data[0] = 0x7f;
    data[2] = 0x06;
    data[3] = 0x02;
    data[4] = 31;
    const allocation = cdb.readUInt16BE(3);
    return { status: ScsiStatus.GOOD, sense: null, dataIn: data.subarray(0, Math.min(allocation, 36)) };
  }
  if (cdb[0] === OP_REQUEST_SENSE) {
    const sense = fixedSense(ILLEGAL_REQUEST, 0x25, 0x00);
    return { status: ScsiStatus.GOOD, sense: null, dataIn: sense.subarray(0, Math.min(cdb[4], sense.length)) };
  }
  return checkCondition(0x25, 0x00); // LOGICAL UNIT NOT SUPPORTED
}

/** A LogicalUnit that threw instead of answering: report a target failure. */
export function internalErrorResponse(): ScsiResponse {
  // HARDWARE ERROR / INTERNAL TARGET FAILURE
  return { status: ScsiStatus.CHECK_CONDITION, sense: fixedSense(0x04, 0x44, 0x00), dataIn: null };
}
