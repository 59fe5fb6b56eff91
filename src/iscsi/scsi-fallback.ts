/**
 * The answers SCST's core gives itself rather than a device handler, for a
 * command addressed to a LUN the session does not have. (REPORT LUNS, which
 * the core also answers from the session's LUN set, is respondReportLuns.)
 */
import { buildSense, Sense, type SenseCode } from '../engine/scsi/sense.js';
import { ScsiStatus, type ScsiResponse } from '../engine/scsi/types.js';

const OP_INQUIRY = 0x12;
const OP_REQUEST_SENSE = 0x03;
const OP_REPORT_LUNS = 0xa0;

export const isReportLuns = (cdb: Buffer): boolean => cdb[0] === OP_REPORT_LUNS;

/** CHECK CONDITION with fixed-format sense (what SCST's core sends for a command no device saw). */
export function checkCondition(code: SenseCode): ScsiResponse {
  return { status: ScsiStatus.CHECK_CONDITION, sense: buildSense({ code }, false), dataIn: null };
}

/** A command addressed to a LUN the session does not have. */
export function missingLunResponse(cdb: Buffer): ScsiResponse {
  if (cdb[0] === OP_INQUIRY) {
    if (cdb[1] & 0x01) return checkCondition(Sense.LOGICAL_UNIT_NOT_SUPPORTED);
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
    const sense = buildSense({ code: Sense.LOGICAL_UNIT_NOT_SUPPORTED }, false);
    return { status: ScsiStatus.GOOD, sense: null, dataIn: sense.subarray(0, Math.min(cdb[4], sense.length)) };
  }
  return checkCondition(Sense.LOGICAL_UNIT_NOT_SUPPORTED);
}

/** A LogicalUnit that threw instead of answering: report a target failure. */
export function internalErrorResponse(): ScsiResponse {
  return checkCondition(Sense.INTERNAL_TARGET_FAILURE);
}
