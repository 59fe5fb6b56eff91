/**
 * Reservations of a device: SPC-2 RESERVE/RELEASE and SPC-4 persistent
 * reservations (§5.13). The state belongs to the device (SCST keeps it in
 * scst_device; `pr_state` shows the persistent part), so every LUN and every
 * session of the device sees the same reservations. The logical unit gets a
 * `ReservationHolder` through its options and asks `checkAccess()` before
 * running a command.
 */
import { Commands, Op, type CommandDescriptor } from './opcodes.js';
import type { Nexus } from './types.js';
import { nexusKey } from './unit-attention.js';

/** One registration, in the shape `pr_state` shows it (sysfs.md §7.1). */
export interface PrRegistration {
  relTgtId: number;
  key: bigint;
  /** Holds the reservation (every registrant does for the all-registrants types). */
  holder: boolean;
  /** TransportID bytes as a latin1 string. */
  transportId: string;
}

export interface PersistentReservationState {
  generation: number;
  reservation?: { type: number; scope: number };
  registrants: PrRegistration[];
}

/** Where a device keeps its reservations; the engine device implements `persistent` with its `pr` field. */
export interface ReservationHolder {
  persistent: PersistentReservationState;
  /** nexusKey() of the SPC-2 reservation holder, if any. */
  spc2Holder: string | undefined;
}

/** A stand-alone holder (a logical unit without an engine device, e.g. in tests). */
export function newReservationHolder(): ReservationHolder {
  return { persistent: { generation: 0, registrants: [] }, spc2Holder: undefined };
}

/** PERSISTENT RESERVE OUT TYPE codes (SPC-4 Table 170). */
export const PrType = {
  WRITE_EXCLUSIVE: 1,
  EXCLUSIVE_ACCESS: 3,
  WRITE_EXCLUSIVE_REGISTRANTS_ONLY: 5,
  EXCLUSIVE_ACCESS_REGISTRANTS_ONLY: 6,
  WRITE_EXCLUSIVE_ALL_REGISTRANTS: 7,
  EXCLUSIVE_ACCESS_ALL_REGISTRANTS: 8,
} as const;

export const VALID_PR_TYPES: ReadonlySet<number> = new Set(Object.values(PrType));

export function isAllRegistrantsType(type: number): boolean {
  return type === PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS || type === PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
}

/** Registrants-only and all-registrants types: other registrants learn of a release (SPC-4 §5.13.11.2). */
export function isRegistrantsType(type: number): boolean {
  return type >= PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;
}

/**
 * How a command is treated under a reservation, following SCST's op flags:
 * `always` (SCST_REG_RESERVE_ALLOWED: allowed even under another nexus's
 * SPC-2 reservation), `read` (SCST_WRITE_EXCL_ALLOWED: allowed by the
 * write-exclusive types), `write` (everything else).
 */
export type AccessClass = 'always' | 'read' | 'write' | 'reservation';

const ALWAYS_ALLOWED: ReadonlySet<CommandDescriptor> = new Set([
  Commands.testUnitReady,
  Commands.requestSense,
  Commands.inquiry,
  Commands.reportLuns,
  Commands.reportSupportedOpcodes,
  Commands.reportTargetPortGroups,
  Commands.readCapacity10,
  Commands.readCapacity16,
]);

const READ_CLASS: ReadonlySet<CommandDescriptor> = new Set([
  Commands.read6,
  Commands.read10,
  Commands.read12,
  Commands.read16,
  Commands.verify10,
  Commands.verify12,
  Commands.verify16,
  Commands.preFetch10,
  Commands.preFetch16,
  Commands.readDefectData10,
  Commands.readDefectData12,
  Commands.getLbaStatus,
  Commands.modeSense6,
  Commands.modeSense10,
  Commands.readToc,
  Commands.getConfiguration,
  Commands.getEventStatusNotification,
]);

/** The commands that manage reservations check them themselves. */
const RESERVATION_OPCODES: ReadonlySet<number> = new Set([
  Op.RESERVE_6,
  Op.RELEASE_6,
  Op.RESERVE_10,
  Op.RELEASE_10,
  Op.PERSISTENT_RESERVE_IN,
  Op.PERSISTENT_RESERVE_OUT,
]);

export function accessClassOf(d: CommandDescriptor, cdb: Buffer): AccessClass {
  if (RESERVATION_OPCODES.has(d.opcode)) return 'reservation';
  if (ALWAYS_ALLOWED.has(d)) return 'always';
  // SCST: PREVENT ALLOW with PREVENT=0 and START STOP UNIT that only starts are harmless.
  if (d === Commands.preventAllow && (cdb[4]! & 0x03) === 0) return 'always';
  if (d === Commands.startStopUnit && (cdb[4]! & 0xf1) === 0x01) return 'always';
  return READ_CLASS.has(d) ? 'read' : 'write';
}

/**
 * The iSCSI TransportID of an initiator port (SPC-4 §7.6.4.6): format 01b
 * (name plus ISID) when the port name carries `,i,0x<isid>`, else format 00b;
 * NUL-terminated and padded to a multiple of 4 bytes, at least 20.
 */
export function transportIdOf(nexus: Nexus): string {
  let tid = transportIds.get(nexus);
  if (tid === undefined) {
    tid = buildTransportId(nexus.initiatorName);
    transportIds.set(nexus, tid);
  }
  return tid;
}

/** Transports reuse one Nexus object per session: the reservation check on every command builds no buffer. */
const transportIds = new WeakMap<Nexus, string>();

function buildTransportId(name: string): string {
  const withIsid = name.includes(',i,0x');
  const length = Math.max(20, Math.ceil((name.length + 1) / 4) * 4);
  const tid = Buffer.alloc(4 + length);
  tid[0] = (withIsid ? 0x40 : 0x00) | 0x05; // FORMAT CODE, PROTOCOL IDENTIFIER iSCSI
  tid.writeUInt16BE(length, 2);
  tid.write(name, 4, 'latin1');
  return tid.toString('latin1');
}

/** Finds the registration of a nexus (same initiator port and relative target port). */
export function registrationOf(state: PersistentReservationState, nexus: Nexus): PrRegistration | undefined {
  const tid = transportIdOf(nexus);
  return state.registrants.find((r) => r.transportId === tid && r.relTgtId === nexus.relativeTargetPortId);
}

/** Whether the nexus holds the persistent reservation. */
export function isHolder(state: PersistentReservationState, registration: PrRegistration | undefined): boolean {
  if (!state.reservation || !registration) return false;
  return isAllRegistrantsType(state.reservation.type) || registration.holder;
}

/**
 * Whether a command from `nexus` conflicts with the device's reservations
 * (SPC-2 §7.21 and SPC-4 Table 67); the reservation commands decide for
 * themselves.
 */
export function conflicts(holder: ReservationHolder, nexus: Nexus, access: AccessClass): boolean {
  if (access === 'reservation' || access === 'always') return false;
  if (holder.spc2Holder !== undefined && holder.spc2Holder !== nexusKey(nexus)) return true;
  const state = holder.persistent;
  const reservation = state.reservation;
  if (!reservation) return false;
  const registration = registrationOf(state, nexus);
  if (isHolder(state, registration)) return false;
  switch (reservation.type) {
    case PrType.WRITE_EXCLUSIVE:
      return access === 'write';
    case PrType.EXCLUSIVE_ACCESS:
      return true;
    case PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY:
    case PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS:
      return access === 'write' && registration === undefined;
    default:
      return registration === undefined;
  }
}

/** Thrown by a command that must end with RESERVATION CONFLICT status. */
export class ReservationConflict extends Error {
  constructor() {
    super('reservation conflict');
  }
}

/** The key a registration is tracked by (TransportID and relative target port). */
export function registrationKey(r: Pick<PrRegistration, 'transportId' | 'relTgtId'>): string {
  return `${r.transportId}\u0000${r.relTgtId}`;
}
