/**
 * PERSISTENT RESERVE IN and OUT (SPC-4 §6.15, §6.16, §5.13) over a device's
 * ReservationHolder. Registrations are per I_T nexus; ALL_TG_PT, SPEC_I_PT,
 * APTPL and REGISTER AND MOVE are not offered (REPORT CAPABILITIES says so),
 * like SCST without a PR file. PREEMPT AND ABORT behaves as PREEMPT: the
 * service runs each command to completion, so no task of the preempted
 * nexuses is left to abort.
 */
import {
  isAllRegistrantsType,
  isHolder,
  isRegistrantsType,
  registrationOf,
  ReservationConflict,
  transportIdOf,
  VALID_PR_TYPES,
  type PersistentReservationState,
  type PrRegistration,
  type ReservationHolder,
} from './reservations.js';
import { CheckCondition, invalidCdbField, invalidParameterField, Sense, type SenseCode } from './sense.js';
import type { Nexus, ScsiCommand } from './types.js';

export const PrInAction = { READ_KEYS: 0, READ_RESERVATION: 1, REPORT_CAPABILITIES: 2, READ_FULL_STATUS: 3 } as const;

export const PrOutAction = {
  REGISTER: 0,
  RESERVE: 1,
  RELEASE: 2,
  CLEAR: 3,
  PREEMPT: 4,
  PREEMPT_AND_ABORT: 5,
  REGISTER_AND_IGNORE_EXISTING_KEY: 6,
} as const;

/** Basic PERSISTENT RESERVE OUT parameter list length (SPC-4 §6.16.3). */
const BASIC_PARAMETER_LIST_LENGTH = 24;

/** The persistent reservation type mask of REPORT CAPABILITIES: all six types. */
const TYPE_MASK_BYTE4 = 0x80 | 0x40 | 0x20 | 0x08 | 0x02; // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
const TYPE_MASK_BYTE5 = 0x01; // EX_AC_AR

/** PERSISTENT RESERVE IN parameter data for a service action (before allocation-length truncation). */
export function persistentReserveIn(state: PersistentReservationState, serviceAction: number): Buffer {
  switch (serviceAction) {
    case PrInAction.READ_KEYS: {
      const out = Buffer.alloc(8 + 8 * state.registrants.length);
      out.writeUInt32BE(state.generation >>> 0, 0);
      out.writeUInt32BE(8 * state.registrants.length, 4);
      state.registrants.forEach((r, i) => out.writeBigUInt64BE(r.key, 8 + 8 * i));
      return out;
    }
    case PrInAction.READ_RESERVATION: {
      const reservation = state.reservation;
      const out = Buffer.alloc(reservation ? 24 : 8);
      out.writeUInt32BE(state.generation >>> 0, 0);
      if (reservation) {
        out.writeUInt32BE(16, 4);
        // All-registrants reservations report key 0 (SPC-4 §6.15.3.3).
        const holder = isAllRegistrantsType(reservation.type) ? undefined : state.registrants.find((r) => r.holder);
        out.writeBigUInt64BE(holder?.key ?? 0n, 8);
        out[21] = (reservation.scope << 4) | reservation.type;
      }
      return out;
    }
    case PrInAction.REPORT_CAPABILITIES: {
      const out = Buffer.alloc(8);
      out.writeUInt16BE(8, 0);
      out[2] = 0x10; // CRH: RESERVE/RELEASE(6/10) are refused while registrations exist (SPC-4 §5.13.3)
      out[3] = 0x80; // TMV: the type mask is valid
      out[4] = TYPE_MASK_BYTE4;
      out[5] = TYPE_MASK_BYTE5;
      return out;
    }
    case PrInAction.READ_FULL_STATUS:
      return readFullStatus(state);
    default:
      throw new CheckCondition(invalidCdbField(1, 4));
  }
}

function readFullStatus(state: PersistentReservationState): Buffer {
  const descriptors = state.registrants.map((r) => {
    const tid = Buffer.from(r.transportId, 'latin1');
    const d = Buffer.alloc(24 + tid.length);
    d.writeBigUInt64BE(r.key, 0);
    const holds = isHolder(state, r);
    d[12] = holds ? 0x01 : 0x00; // R_HOLDER (ALL_TG_PT 0)
    if (holds) d[13] = (state.reservation!.scope << 4) | state.reservation!.type;
    d.writeUInt16BE(r.relTgtId, 18);
    d.writeUInt32BE(tid.length, 20);
    tid.copy(d, 24);
    return d;
  });
  const body = Buffer.concat(descriptors);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(state.generation >>> 0, 0);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Who must learn about a change: the registrations that lost something (UA per registrant). */
export type RegistrantNotifier = (registration: PrRegistration, code: SenseCode) => void;

interface PrOutParameters {
  key: bigint;
  serviceActionKey: bigint;
  type: number;
  scope: number;
}

/**
 * Runs a PERSISTENT RESERVE OUT service action for `cmd.nexus`, changing
 * `holder.persistent` in place. Throws ReservationConflict or CheckCondition.
 * Returns the parameter list length for residual accounting.
 */
export function persistentReserveOut(holder: ReservationHolder, cmd: ScsiCommand, notify: RegistrantNotifier): number {
  const cdb = cmd.cdb;
  const serviceAction = cdb[1]! & 0x1f;
  const listLength = cdb.readUInt32BE(5);
  const data = cmd.dataOut ?? Buffer.alloc(0);
  if (listLength !== BASIC_PARAMETER_LIST_LENGTH || data.length < listLength) {
    throw new CheckCondition({ code: Sense.PARAMETER_LIST_LENGTH_ERROR });
  }
  // SPEC_I_PT (bit 3), ALL_TG_PT (bit 2) and APTPL (bit 0) are not offered.
  const flags = data[20]!;
  if (flags & 0x08) throw new CheckCondition(invalidParameterField(20, 3));
  if (flags & 0x04) throw new CheckCondition(invalidParameterField(20, 2));
  if (flags & 0x01) throw new CheckCondition(invalidParameterField(20, 0));
  const params: PrOutParameters = {
    key: data.readBigUInt64BE(0),
    serviceActionKey: data.readBigUInt64BE(8),
    type: cdb[2]! & 0x0f,
    scope: cdb[2]! >> 4,
  };
  const state = holder.persistent;
  const nexus = cmd.nexus;
  switch (serviceAction) {
    case PrOutAction.REGISTER:
    case PrOutAction.REGISTER_AND_IGNORE_EXISTING_KEY:
      register(state, nexus, params, serviceAction === PrOutAction.REGISTER, notify);
      break;
    case PrOutAction.RESERVE:
      reserve(state, nexus, params);
      break;
    case PrOutAction.RELEASE:
      release(state, nexus, params, notify);
      break;
    case PrOutAction.CLEAR:
      clear(state, nexus, params, notify);
      break;
    case PrOutAction.PREEMPT:
    case PrOutAction.PREEMPT_AND_ABORT:
      preempt(state, nexus, params, notify);
      break;
    default:
      throw new CheckCondition(invalidCdbField(1, 4));
  }
  return listLength;
}

/** The caller's registration with a matching key, else RESERVATION CONFLICT (SPC-4 §5.13.1). */
function requireRegistered(state: PersistentReservationState, nexus: Nexus, key: bigint): PrRegistration {
  const own = registrationOf(state, nexus);
  if (!own || own.key !== key) throw new ReservationConflict();
  return own;
}

function checkTypeAndScope(params: PrOutParameters): void {
  if (params.scope !== 0) throw new CheckCondition(invalidCdbField(2, 7));
  if (!VALID_PR_TYPES.has(params.type)) throw new CheckCondition(invalidCdbField(2, 3));
}

function register(state: PersistentReservationState, nexus: Nexus, params: PrOutParameters, checkKey: boolean, notify: RegistrantNotifier): void {
  const own = registrationOf(state, nexus);
  if (checkKey && (own ? own.key !== params.key : params.key !== 0n)) throw new ReservationConflict();
  if (!own) {
    // Registering key 0 from an unregistered nexus changes nothing (SPC-4 §5.13.7).
    if (params.serviceActionKey === 0n) return;
    const holdsAll = state.reservation !== undefined && isAllRegistrantsType(state.reservation.type);
    state.registrants.push({
      relTgtId: nexus.relativeTargetPortId,
      key: params.serviceActionKey,
      holder: holdsAll,
      transportId: transportIdOf(nexus),
    });
  } else if (params.serviceActionKey !== 0n) {
    own.key = params.serviceActionKey;
  } else {
    unregister(state, own, notify);
  }
  state.generation++;
}

/** Removes a registration; a reservation it held is released (SPC-4 §5.13.11.2). */
function unregister(state: PersistentReservationState, own: PrRegistration, notify: RegistrantNotifier): void {
  const reservation = state.reservation;
  const heldIt = isHolder(state, own);
  state.registrants.splice(state.registrants.indexOf(own), 1);
  if (!reservation || !heldIt) return;
  // An all-registrants reservation lasts while any registrant remains.
  if (isAllRegistrantsType(reservation.type) && state.registrants.length > 0) return;
  delete state.reservation;
  if (isRegistrantsType(reservation.type)) for (const r of state.registrants) notify(r, Sense.RESERVATIONS_RELEASED);
}

function reserve(state: PersistentReservationState, nexus: Nexus, params: PrOutParameters): void {
  const own = requireRegistered(state, nexus, params.key);
  checkTypeAndScope(params);
  const current = state.reservation;
  if (current) {
    // Re-reserving with the same type and scope is a no-op for the holder; anything else conflicts.
    if (isHolder(state, own) && current.type === params.type && current.scope === params.scope) return;
    throw new ReservationConflict();
  }
  setReservation(state, own, params);
}

function setReservation(state: PersistentReservationState, own: PrRegistration, params: PrOutParameters): void {
  state.reservation = { type: params.type, scope: params.scope };
  const all = isAllRegistrantsType(params.type);
  for (const r of state.registrants) r.holder = all || r === own;
}

function release(state: PersistentReservationState, nexus: Nexus, params: PrOutParameters, notify: RegistrantNotifier): void {
  const own = requireRegistered(state, nexus, params.key);
  const current = state.reservation;
  // Releasing without holding the reservation succeeds and changes nothing (SPC-4 §5.13.11.2.1).
  if (!current || !isHolder(state, own)) return;
  if (current.type !== params.type || current.scope !== params.scope) {
    throw new CheckCondition({ code: Sense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION });
  }
  delete state.reservation;
  for (const r of state.registrants) r.holder = false;
  if (isRegistrantsType(current.type)) for (const r of state.registrants) if (r !== own) notify(r, Sense.RESERVATIONS_RELEASED);
}

function clear(state: PersistentReservationState, nexus: Nexus, params: PrOutParameters, notify: RegistrantNotifier): void {
  const own = requireRegistered(state, nexus, params.key);
  for (const r of state.registrants) if (r !== own) notify(r, Sense.RESERVATIONS_PREEMPTED);
  state.registrants.length = 0;
  delete state.reservation;
  state.generation++;
}

function preempt(state: PersistentReservationState, nexus: Nexus, params: PrOutParameters, notify: RegistrantNotifier): void {
  const own = requireRegistered(state, nexus, params.key);
  const current = state.reservation;
  const removeKey = (key: bigint, mustExist: boolean): void => {
    const victims = state.registrants.filter((r) => r !== own && r.key === key);
    if (mustExist && victims.length === 0) throw new ReservationConflict();
    for (const r of victims) {
      state.registrants.splice(state.registrants.indexOf(r), 1);
      notify(r, Sense.REGISTRATIONS_PREEMPTED);
    }
  };
  if (current && isAllRegistrantsType(current.type) && params.serviceActionKey === 0n) {
    // SPC-4 §5.13.11.4.3: key 0 preempts every other registrant and the reservation.
    checkTypeAndScope(params);
    for (const r of state.registrants.filter((r) => r !== own)) {
      state.registrants.splice(state.registrants.indexOf(r), 1);
      notify(r, Sense.REGISTRATIONS_PREEMPTED);
    }
    setReservation(state, own, params);
  } else if (current && !isAllRegistrantsType(current.type) && state.registrants.some((r) => r.holder && r.key === params.serviceActionKey)) {
    // Preempting the holder: its registrations go and the caller reserves with the new type.
    checkTypeAndScope(params);
    removeKey(params.serviceActionKey, false);
    const changed = current.type !== params.type || current.scope !== params.scope;
    setReservation(state, own, params);
    if (changed) for (const r of state.registrants) if (r !== own) notify(r, Sense.RESERVATIONS_RELEASED);
  } else {
    // Only registrations are preempted; key 0 names nobody (SPC-4 §5.13.11.4.4).
    if (params.serviceActionKey === 0n) throw new CheckCondition(invalidParameterField(8));
    removeKey(params.serviceActionKey, true);
  }
  state.generation++;
}
