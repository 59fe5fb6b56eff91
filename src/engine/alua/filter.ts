/**
 * Which SCSI commands a LUN accepts in each ALUA access state — SCST's
 * per-LUN "ALUA filter" (scst_tg.c), for the SCSI layer to apply before
 * executing a command.
 */
import type { AluaState } from './types.js';

/** A sense key with its additional sense code and qualifier. */
export interface SenseCode {
  readonly key: number;
  readonly asc: number;
  readonly ascq: number;
}

const NOT_READY = 0x2;
const UNIT_ATTENTION = 0x6;

/** LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION. */
export const SENSE_ALUA_TRANSITIONING: SenseCode = { key: NOT_READY, asc: 0x04, ascq: 0x0a };
/** LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE. */
export const SENSE_ALUA_STANDBY: SenseCode = { key: NOT_READY, asc: 0x04, ascq: 0x0b };
/** LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE (also used for offline). */
export const SENSE_ALUA_UNAVAILABLE: SenseCode = { key: NOT_READY, asc: 0x04, ascq: 0x0c };
/** The unit attention raised on state and `preferred` changes. */
export const SENSE_ASYMMETRIC_ACCESS_STATE_CHANGED: SenseCode = { key: UNIT_ATTENTION, asc: 0x2a, ascq: 0x06 };

/** What to do with a command: run it, fail it with `sense`, or retry it once after a delay. */
export type AluaVerdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'reject'; readonly sense: SenseCode }
  | { readonly kind: 'retry'; readonly delayMs: number };

const ACCEPT: AluaVerdict = { kind: 'accept' };

/** Opcodes whose service action (CDB byte 1, bits 0-4) selects the command. */
const SERVICE_ACTION_OPCODES = new Set([0x9e, 0xa3, 0xa4]);

/** Opcode, or opcode/service action for the commands that carry one. */
function commandKey(cdb: Uint8Array): number {
  const opcode = cdb[0] ?? 0;
  return SERVICE_ACTION_OPCODES.has(opcode) ? (opcode << 8) | ((cdb[1] ?? 0) & 0x1f) : opcode;
}

const INQUIRY = 0x12;
const READ_CAPACITY_10 = 0x25;
const READ_CAPACITY_16 = (0x9e << 8) | 0x10;
const REPORT_LUNS = 0xa0;
const REQUEST_SENSE = 0x03;
const READ_BUFFER = 0x3c;
const WRITE_BUFFER = 0x3b;
const REPORT_TARGET_PORT_GROUPS = (0xa3 << 8) | 0x0a;
const SET_TARGET_PORT_GROUPS = (0xa4 << 8) | 0x0a;

const INFORMATIONAL = [
  INQUIRY,
  READ_CAPACITY_10,
  READ_CAPACITY_16,
  REPORT_LUNS,
  REQUEST_SENSE,
  READ_BUFFER,
  WRITE_BUFFER,
  REPORT_TARGET_PORT_GROUPS,
];
const TRANSITIONING_ACCEPTS = new Set(INFORMATIONAL);
/** Unavailable and offline also accept SET TARGET PORT GROUPS. */
const UNAVAILABLE_ACCEPTS = new Set([...INFORMATIONAL, SET_TARGET_PORT_GROUPS]);
/**
 * Standby additionally accepts MODE SENSE/SELECT (6/10), RESERVE/RELEASE
 * (6/10), LOG SELECT/SENSE, RECEIVE/SEND DIAGNOSTIC, PERSISTENT RESERVE IN/OUT.
 */
const STANDBY_ACCEPTS = new Set([
  ...UNAVAILABLE_ACCEPTS,
  ...[0x1a, 0x5a, 0x15, 0x55, 0x16, 0x56, 0x17, 0x57, 0x4c, 0x4d, 0x1c, 0x1d, 0x5e, 0x5f],
]);

/** The kernel re-queues a command once after half a second while transitioning. */
const TRANSITIONING_RETRY_MS = 500;

/**
 * The verdict for `cdb` on a LUN in `state`. `alreadyRetried` tells whether
 * this command was delayed once already because of "transitioning".
 */
export function aluaVerdict(state: AluaState, cdb: Uint8Array, alreadyRetried = false): AluaVerdict {
  const key = commandKey(cdb);
  switch (state) {
    case 'active':
    case 'nonoptimized':
      return ACCEPT;
    case 'standby':
      return STANDBY_ACCEPTS.has(key) ? ACCEPT : { kind: 'reject', sense: SENSE_ALUA_STANDBY };
    case 'unavailable':
    case 'offline':
      return UNAVAILABLE_ACCEPTS.has(key) ? ACCEPT : { kind: 'reject', sense: SENSE_ALUA_UNAVAILABLE };
    case 'transitioning':
      if (TRANSITIONING_ACCEPTS.has(key)) return ACCEPT;
      return alreadyRetried
        ? { kind: 'reject', sense: SENSE_ALUA_TRANSITIONING }
        : { kind: 'retry', delayMs: TRANSITIONING_RETRY_MS };
  }
}

/** INQUIRY reports peripheral qualifier 1 ("not connected") in these states (scst_vdisk.c). */
export function inquiryNotConnected(state: AluaState): boolean {
  return state === 'unavailable' || state === 'offline';
}
