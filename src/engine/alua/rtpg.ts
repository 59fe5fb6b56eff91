/**
 * REPORT TARGET PORT GROUPS parameter data (SPC-4 6.36), laid out as
 * scst_tg_get_group_info() does for the SCSI layer.
 */
import type { TargetPortGroupInfo } from './manager.js';
import { ALUA_STATE_CODE } from './types.js';

/** Byte 0 bit 7: PREF. */
const PREFERRED = 0x80;
/** Byte 1: T_SUP | O_SUP | U_SUP | S_SUP | AN_SUP | AO_SUP (no LBD_SUP). */
const SUPPORTED_STATES = 0x80 | 0x40 | 0x08 | 0x04 | 0x02 | 0x01;
/** STATUS CODE: "altered by implicit asymmetric access behaviour". */
const STATUS_IMPLICIT_TRANSITION = 0x02;

/**
 * Encodes the groups of one device. `extended` selects the format-1 header
 * (RETURN DATA LENGTH, then format byte 0x10, implicit transition time 0).
 * Devices without a device group report no descriptor.
 */
export function encodeReportTargetPortGroups(groups: readonly TargetPortGroupInfo[], extended: boolean): Buffer {
  const header = extended ? 8 : 4;
  const body = groups.reduce((sum, g) => sum + 8 + 4 * g.relativeTargetPortIds.length, 0);
  const data = Buffer.alloc(header + body);
  data.writeUInt32BE(header - 4 + body, 0);
  if (extended) data[4] = 0x10;
  let offset = header;
  for (const group of groups) {
    data[offset] = (group.preferred ? PREFERRED : 0) | ALUA_STATE_CODE[group.state];
    data[offset + 1] = SUPPORTED_STATES;
    data.writeUInt16BE(group.groupId, offset + 2);
    data[offset + 5] = STATUS_IMPLICIT_TRANSITION;
    data[offset + 7] = group.relativeTargetPortIds.length & 0xff;
    offset += 8;
    for (const id of group.relativeTargetPortIds) {
      data.writeUInt16BE(id, offset + 2);
      offset += 4;
    }
  }
  return data;
}
