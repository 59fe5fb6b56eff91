/**
 * REPORT LUNS parameter data (SPC-4 §6.33). Transports answer REPORT LUNS
 * from the session's LunMap (it must work even when LUN 0 is not mapped).
 */
import { buildSense, CheckCondition, invalidCdbField } from './sense.js';
import { ScsiStatus, type ScsiResponse } from './types.js';

/** SAM-5 single-level LUN: peripheral addressing below 256, flat space up to 16383. */
export function encodeLun(lun: number): [number, number] {
  if (!Number.isInteger(lun) || lun < 0 || lun > 0x3fff) throw new RangeError(`LUN ${lun} cannot be encoded`);
  if (lun < 256) return [0x00, lun];
  return [0x40 | (lun >> 8), lun & 0xff];
}

/** The LUN list, truncated to the allocation length (the LUN LIST LENGTH stays complete). */
export function buildReportLuns(luns: readonly number[], allocationLength: number): Buffer {
  const full = Buffer.alloc(8 + luns.length * 8);
  full.writeUInt32BE(luns.length * 8, 0);
  luns.forEach((lun, i) => {
    const [b0, b1] = encodeLun(lun);
    full[8 + i * 8] = b0;
    full[9 + i * 8] = b1;
  });
  return allocationLength < full.length ? full.subarray(0, allocationLength) : full;
}

/**
 * A complete REPORT LUNS answer for a CDB: SELECT REPORT 00h and 02h report
 * the mapped LUNs, 01h (well-known LUNs only) an empty list since this
 * target has none; an allocation length below 16 is refused as SPC-4 requires.
 */
export function respondReportLuns(cdb: Buffer, luns: readonly number[], descriptorSense = false): ScsiResponse {
  try {
    const selectReport = cdb[2]!;
    if (selectReport > 0x02) throw new CheckCondition(invalidCdbField(2, 7));
    const allocationLength = cdb.readUInt32BE(6);
    if (allocationLength < 16) throw new CheckCondition(invalidCdbField(6, 7));
    const reported = selectReport === 0x01 ? [] : luns;
    return { status: ScsiStatus.GOOD, sense: null, dataIn: buildReportLuns(reported, allocationLength) };
  } catch (err) {
    if (!(err instanceof CheckCondition)) throw err;
    return { status: ScsiStatus.CHECK_CONDITION, sense: buildSense(err.detail, descriptorSense), dataIn: null };
  }
}
