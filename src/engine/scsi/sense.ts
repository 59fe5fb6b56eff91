/**
 * Sense data (SPC-4 §4.5): the CHECK CONDITION payload in fixed (0x70) or
 * descriptor (0x72) format. The format follows the D_SENSE bit of the
 * control mode page, like SCST's scst_set_sense().
 */

export const SenseKey = {
  NO_SENSE: 0x0,
  NOT_READY: 0x2,
  MEDIUM_ERROR: 0x3,
  HARDWARE_ERROR: 0x4,
  ILLEGAL_REQUEST: 0x5,
  UNIT_ATTENTION: 0x6,
  DATA_PROTECT: 0x7,
  ABORTED_COMMAND: 0xb,
  MISCOMPARE: 0xe,
} as const;

/** A sense key with its additional sense code and qualifier. */
export interface SenseCode {
  readonly key: number;
  readonly asc: number;
  readonly ascq: number;
}

function code(key: number, asc: number, ascq: number): SenseCode {
  return Object.freeze({ key, asc, ascq });
}

/** The conditions this SCSI service reports (names follow SPC-4 Annex D). */
export const Sense = {
  NO_SENSE: code(SenseKey.NO_SENSE, 0x00, 0x00),
  INVALID_OPCODE: code(SenseKey.ILLEGAL_REQUEST, 0x20, 0x00),
  INVALID_FIELD_IN_CDB: code(SenseKey.ILLEGAL_REQUEST, 0x24, 0x00),
  INVALID_FIELD_IN_PARAMETER_LIST: code(SenseKey.ILLEGAL_REQUEST, 0x26, 0x00),
  PARAMETER_LIST_LENGTH_ERROR: code(SenseKey.ILLEGAL_REQUEST, 0x1a, 0x00),
  INVALID_RELEASE_OF_PERSISTENT_RESERVATION: code(SenseKey.ILLEGAL_REQUEST, 0x26, 0x04),
  LBA_OUT_OF_RANGE: code(SenseKey.ILLEGAL_REQUEST, 0x21, 0x00),
  SAVING_PARAMETERS_NOT_SUPPORTED: code(SenseKey.ILLEGAL_REQUEST, 0x39, 0x00),
  MEDIUM_REMOVAL_PREVENTED: code(SenseKey.ILLEGAL_REQUEST, 0x53, 0x02),
  WRITE_PROTECTED: code(SenseKey.DATA_PROTECT, 0x27, 0x00),
  MEDIUM_NOT_PRESENT: code(SenseKey.NOT_READY, 0x3a, 0x00),
  MISCOMPARE_DURING_VERIFY: code(SenseKey.MISCOMPARE, 0x1d, 0x00),
  READ_ERROR: code(SenseKey.MEDIUM_ERROR, 0x11, 0x00),
  WRITE_ERROR: code(SenseKey.MEDIUM_ERROR, 0x0c, 0x00),
  LOGICAL_UNIT_NOT_SUPPORTED: code(SenseKey.ILLEGAL_REQUEST, 0x25, 0x00),
  INTERNAL_TARGET_FAILURE: code(SenseKey.HARDWARE_ERROR, 0x44, 0x00),
  DATA_PHASE_ERROR: code(SenseKey.ABORTED_COMMAND, 0x4b, 0x00),
  INVALID_TARGET_PORT_TRANSFER_TAG: code(SenseKey.ABORTED_COMMAND, 0x4b, 0x01),
  DATA_OFFSET_ERROR: code(SenseKey.ABORTED_COMMAND, 0x4b, 0x05),
  POWER_ON_RESET: code(SenseKey.UNIT_ATTENTION, 0x29, 0x00),
  BUS_DEVICE_RESET: code(SenseKey.UNIT_ATTENTION, 0x29, 0x03),
  I_T_NEXUS_LOSS: code(SenseKey.UNIT_ATTENTION, 0x29, 0x07),
  MODE_PARAMETERS_CHANGED: code(SenseKey.UNIT_ATTENTION, 0x2a, 0x01),
  RESERVATIONS_PREEMPTED: code(SenseKey.UNIT_ATTENTION, 0x2a, 0x03),
  RESERVATIONS_RELEASED: code(SenseKey.UNIT_ATTENTION, 0x2a, 0x04),
  REGISTRATIONS_PREEMPTED: code(SenseKey.UNIT_ATTENTION, 0x2a, 0x05),
  CAPACITY_DATA_CHANGED: code(SenseKey.UNIT_ATTENTION, 0x2a, 0x09),
  ASYMMETRIC_ACCESS_STATE_CHANGED: code(SenseKey.UNIT_ATTENTION, 0x2a, 0x06),
  REPORTED_LUNS_DATA_CHANGED: code(SenseKey.UNIT_ATTENTION, 0x3f, 0x0e),
  INQUIRY_DATA_CHANGED: code(SenseKey.UNIT_ATTENTION, 0x3f, 0x03),
  MEDIUM_MAY_HAVE_CHANGED: code(SenseKey.UNIT_ATTENTION, 0x28, 0x00),
} as const;

/** Sense-key-specific "field pointer" (SPC-4 §4.5.2.4.2). */
export interface FieldPointer {
  /** true: the error is in the CDB; false: in the parameter list. */
  readonly inCdb: boolean;
  readonly byte: number;
  /** Bit number 0–7 of the first bit of the field, if meaningful. */
  readonly bit?: number;
}

/** Everything needed to build one sense buffer. */
export interface SenseDetail {
  readonly code: SenseCode;
  readonly field?: FieldPointer;
  /** INFORMATION field (e.g. the offset of the first miscompare). */
  readonly information?: number;
}

const FIXED_SENSE_LENGTH = 18;

function sksBytes(field: FieldPointer): [number, number, number] {
  let b0 = 0x80; // SKSV
  if (field.inCdb) b0 |= 0x40; // C/D
  if (field.bit !== undefined) b0 |= 0x08 | (field.bit & 0x7); // BPV + bit pointer
  return [b0, (field.byte >> 8) & 0xff, field.byte & 0xff];
}

/** Builds fixed-format (descriptorFormat false) or descriptor-format sense. */
export function buildSense(detail: SenseDetail, descriptorFormat: boolean): Buffer {
  const { code: c, field, information } = detail;
  if (!descriptorFormat) {
    const b = Buffer.alloc(FIXED_SENSE_LENGTH);
    b[0] = 0x70;
    b[2] = c.key;
    b[7] = FIXED_SENSE_LENGTH - 8;
    b[12] = c.asc;
    b[13] = c.ascq;
    if (information !== undefined) {
      b[0] |= 0x80; // VALID
      b.writeUInt32BE(information >>> 0, 3);
    }
    if (field) {
      const [s0, s1, s2] = sksBytes(field);
      b[15] = s0;
      b[16] = s1;
      b[17] = s2;
    }
    return b;
  }
  const infoLength = information !== undefined ? 12 : 0;
  const sksLength = field ? 8 : 0;
  const b = Buffer.alloc(8 + infoLength + sksLength);
  b[0] = 0x72;
  b[1] = c.key;
  b[2] = c.asc;
  b[3] = c.ascq;
  b[7] = infoLength + sksLength;
  let at = 8;
  if (information !== undefined) {
    b[at] = 0x00; // information descriptor
    b[at + 1] = 0x0a;
    b[at + 2] = 0x80; // VALID
    b.writeBigUInt64BE(BigInt(information), at + 4);
    at += 12;
  }
  if (field) {
    const [s0, s1, s2] = sksBytes(field);
    b[at] = 0x02; // sense key specific descriptor
    b[at + 1] = 0x06;
    b[at + 4] = s0;
    b[at + 5] = s1;
    b[at + 6] = s2;
  }
  return b;
}

/** Reads key/asc/ascq back from either format (for tests and transports). */
export function parseSense(sense: Buffer): SenseCode & { descriptor: boolean } {
  const responseCode = sense[0]! & 0x7f;
  if (responseCode === 0x72 || responseCode === 0x73) {
    return { key: sense[1]! & 0xf, asc: sense[2]!, ascq: sense[3]!, descriptor: true };
  }
  return { key: sense[2]! & 0xf, asc: sense[12]!, ascq: sense[13]!, descriptor: false };
}

/** Helpers for the common ILLEGAL REQUEST detail shapes. */
export function invalidCdbField(byte: number, bit?: number): SenseDetail {
  return { code: Sense.INVALID_FIELD_IN_CDB, field: { inCdb: true, byte, bit } };
}

export function invalidParameterField(byte: number, bit?: number): SenseDetail {
  return { code: Sense.INVALID_FIELD_IN_PARAMETER_LIST, field: { inCdb: false, byte, bit } };
}

/** A command failed with CHECK CONDITION; thrown inside handlers, caught by the LU. */
export class CheckCondition extends Error {
  constructor(readonly detail: SenseDetail) {
    super(`CHECK CONDITION ${detail.code.key.toString(16)}/${detail.code.asc.toString(16)}/${detail.code.ascq.toString(16)}`);
  }
}
