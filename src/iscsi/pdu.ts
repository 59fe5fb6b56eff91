/**
 * iSCSI PDU layout (RFC 7143 §11): the 48-byte Basic Header Segment, its
 * opcodes and the fields the target reads and writes. Headers are built in
 * small fresh buffers; data segments travel as separate buffers (no concat).
 */

export const BHS_LENGTH = 48;

export const Opcode = {
  NOP_OUT: 0x00,
  SCSI_COMMAND: 0x01,
  TASK_MGMT_REQUEST: 0x02,
  LOGIN_REQUEST: 0x03,
  TEXT_REQUEST: 0x04,
  SCSI_DATA_OUT: 0x05,
  LOGOUT_REQUEST: 0x06,
  SNACK_REQUEST: 0x10,
  NOP_IN: 0x20,
  SCSI_RESPONSE: 0x21,
  TASK_MGMT_RESPONSE: 0x22,
  LOGIN_RESPONSE: 0x23,
  TEXT_RESPONSE: 0x24,
  SCSI_DATA_IN: 0x25,
  LOGOUT_RESPONSE: 0x26,
  R2T: 0x31,
  ASYNC_MESSAGE: 0x32,
  REJECT: 0x3f,
} as const;

export const RejectReason = {
  DATA_DIGEST_ERROR: 0x02,
  SNACK_REJECT: 0x03,
  PROTOCOL_ERROR: 0x04,
  COMMAND_NOT_SUPPORTED: 0x05,
  IMMEDIATE_COMMAND_REJECT: 0x06,
  TASK_IN_PROGRESS: 0x07,
  INVALID_DATA_ACK: 0x08,
  INVALID_PDU_FIELD: 0x09,
  LONG_OPERATION_REJECT: 0x0a,
  NEGOTIATION_RESET: 0x0b,
  WAITING_FOR_LOGOUT: 0x0c,
} as const;

/** Login status class/detail (RFC 7143 §11.13.5). */
export const LoginStatus = {
  SUCCESS: 0x0000,
  INITIATOR_ERROR: 0x0200,
  AUTH_FAILURE: 0x0201,
  AUTHORIZATION_FAILURE: 0x0202,
  NOT_FOUND: 0x0203,
  TARGET_REMOVED: 0x0204,
  UNSUPPORTED_VERSION: 0x0205,
  TOO_MANY_CONNECTIONS: 0x0206,
  MISSING_PARAMETER: 0x0207,
  CANT_INCLUDE_IN_SESSION: 0x0208,
  SESSION_TYPE_NOT_SUPPORTED: 0x0209,
  SESSION_DOES_NOT_EXIST: 0x020a,
  INVALID_DURING_LOGIN: 0x020b,
  TARGET_ERROR: 0x0300,
  SERVICE_UNAVAILABLE: 0x0301,
  OUT_OF_RESOURCES: 0x0302,
} as const;

export const TmfFunction = {
  ABORT_TASK: 1,
  ABORT_TASK_SET: 2,
  CLEAR_ACA: 3,
  CLEAR_TASK_SET: 4,
  LOGICAL_UNIT_RESET: 5,
  TARGET_WARM_RESET: 6,
  TARGET_COLD_RESET: 7,
  TASK_REASSIGN: 8,
} as const;

export const TmfResponse = {
  COMPLETE: 0,
  NO_TASK: 1,
  NO_LUN: 2,
  TASK_ALLEGIANT: 3,
  REASSIGN_UNSUPPORTED: 4,
  NOT_SUPPORTED: 5,
  AUTHORIZATION_FAILED: 6,
  REJECTED: 255,
} as const;

export const RESERVED_TAG = 0xffffffff;

/**
 * A received PDU. Its parts are its own memory (copied out of the socket's
 * receive buffer), so they may be kept; `data` may lie in a buffer chosen by
 * the receiver (see DataPlacement in framing.ts), then `placedIn` is that buffer.
 */
export interface Pdu {
  bhs: Buffer; // 48 bytes
  ahs: Buffer | null;
  data: Buffer; // without padding
  placedIn?: Buffer;
}

export const opcodeOf = (bhs: Buffer): number => bhs[0] & 0x3f;
export const isImmediate = (bhs: Buffer): boolean => (bhs[0] & 0x40) !== 0;
export const finalBit = (bhs: Buffer): boolean => (bhs[1] & 0x80) !== 0;
export const totalAhsLength = (bhs: Buffer): number => bhs[4] * 4;
export const dataSegmentLength = (bhs: Buffer): number => (bhs[5] << 16) | (bhs[6] << 8) | bhs[7];
export const initiatorTaskTag = (bhs: Buffer): number => bhs.readUInt32BE(16);

export function setDataSegmentLength(bhs: Buffer, length: number): void {
  bhs[5] = (length >>> 16) & 0xff;
  bhs[6] = (length >>> 8) & 0xff;
  bhs[7] = length & 0xff;
}

/** Decodes the 8-byte LUN field (SAM single-level: peripheral or flat addressing). */
export function decodeLun(bhs: Buffer): number {
  const b0 = bhs[8];
  const method = b0 >> 6;
  if (method === 0 || method === 1) return ((b0 & 0x3f) << 8) | bhs[9];
  return -1; // extended/logical-unit addressing is not used by SCST's default addr_method
}

export function newHeader(opcode: number): Buffer {
  const bhs = Buffer.alloc(BHS_LENGTH);
  bhs[0] = opcode;
  return bhs;
}

export const pad4 = (n: number): number => (4 - (n & 3)) & 3;
