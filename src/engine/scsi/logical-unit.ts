/**
 * The SPC part shared by vdisk disks and CD-ROMs: command dispatch, unit
 * attentions, ALUA access checks, sense formatting and the commands every
 * device type answers (TEST UNIT READY, REQUEST SENSE, INQUIRY, MODE
 * SENSE/SELECT, START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL, REPORT LUNS,
 * REPORT SUPPORTED OPERATION CODES, READ CAPACITY(10), READ(10/12)) and
 * the reservation commands (RESERVE/RELEASE, PERSISTENT RESERVE IN/OUT).
 */
import { ALUA_STATE_CODE } from '../alua/types.js';
import type { BackingStore } from '../backing/store.js';
import { dataBuffers } from './buffer-pool.js';
import { DEFAULT_FLAGS, type AluaView, type DeviceFlags, type DeviceIdentity, type TargetPortGroupView } from './identity.js';
import { DeviceType, MAX_TRANSFER_BYTES, standardInquiry, vpdPage, type InquiryContext } from './inquiry.js';
import { defaultModeState, modeSelect, modeSense, type ModeContext, type ModeState } from './mode-pages.js';
import {
  buildAllCommandsData,
  buildOneCommandData,
  Commands,
  findReservedBit,
  hasServiceAction,
  Op,
  type CommandDescriptor,
} from './opcodes.js';
import { persistentReserveIn, persistentReserveOut } from './persistent-reservations.js';
import { respondReportLuns } from './report-luns.js';
import {
  accessClassOf,
  conflicts,
  newReservationHolder,
  registrationKey,
  ReservationConflict,
  transportIdOf,
  type PrRegistration,
  type ReservationHolder,
} from './reservations.js';
import {
  buildSense,
  CheckCondition,
  invalidCdbField,
  Sense,
  SenseKey,
  type SenseCode,
  type SenseDetail,
} from './sense.js';
import { ScsiStatus, type LogicalUnit, type Nexus, type ScsiCommand, type ScsiResponse } from './types.js';
import { nexusKey, UnitAttentionQueue } from './unit-attention.js';

/** Which ALUA states let a command through (SPC-4 §5.15.2.4). */
export const enum AluaAccess {
  /** Any state (INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT SUPPORTED OPCODES). */
  Any,
  /** Also standby (MODE SENSE/SELECT). */
  Standby,
  /** Only active/optimized and active/non-optimized. */
  Active,
}

export type Handler<L> = (this: L, cmd: ScsiCommand) => Promise<ScsiResponse> | ScsiResponse;

export interface CommandEntry<L> {
  readonly descriptor: CommandDescriptor;
  readonly handler: Handler<L>;
  /** NOT READY, MEDIUM NOT PRESENT when the medium is absent. */
  readonly needsMedium: boolean;
  readonly alua: AluaAccess;
}

export interface LogicalUnitOptions {
  identity: DeviceIdentity;
  flags?: Partial<DeviceFlags>;
  /** The ALUA target port group and state a nexus sees, when the device is in a device group. */
  getAlua?: (nexus: Nexus) => AluaView | undefined;
  /**
   * Every target port group of the device's group: enables REPORT TARGET
   * PORT GROUPS (which is neither advertised nor accepted without it).
   */
  getTargetPortGroups?: () => readonly TargetPortGroupView[];
  /**
   * Where the device keeps its SPC-2 and persistent reservations (the engine
   * device, so that `pr_state` shows them). Default: a holder of this unit's own.
   */
  reservations?: ReservationHolder;
}

const GOOD_NO_DATA: Readonly<ScsiResponse> = Object.freeze({ status: ScsiStatus.GOOD, sense: null, dataIn: null });
const RESERVATION_CONFLICT: Readonly<ScsiResponse> = Object.freeze({ status: ScsiStatus.RESERVATION_CONFLICT, sense: null, dataIn: null });

/** SAM-5 §5.14: these complete normally while a unit attention is pending (REQUEST SENSE reports it). */
const REPORTS_DESPITE_UNIT_ATTENTION: ReadonlySet<number> = new Set([Op.INQUIRY, Op.REPORT_LUNS, Op.REQUEST_SENSE]);

/** NOT READY codes for the non-accessible ALUA states. */
const ALUA_NOT_READY: Readonly<Record<string, SenseCode>> = {
  standby: { key: SenseKey.NOT_READY, asc: 0x04, ascq: 0x0b },
  unavailable: { key: SenseKey.NOT_READY, asc: 0x04, ascq: 0x0c },
  offline: { key: SenseKey.NOT_READY, asc: 0x04, ascq: 0x12 },
  transitioning: { key: SenseKey.NOT_READY, asc: 0x04, ascq: 0x0a },
};

export abstract class VirtualLogicalUnit implements LogicalUnit {
  readonly identity: DeviceIdentity;
  readonly flags: DeviceFlags;
  readonly mode: ModeState;
  protected readonly unitAttentions = new UnitAttentionQueue();
  protected readonly pool = dataBuffers;
  /** Nexuses that sent PREVENT MEDIUM REMOVAL (SPC-4 §6.13: the prevention is per I_T nexus). */
  private readonly preventing = new Set<string>();
  /** The capacity initiators were last told about (resync() compares with it). */
  private announcedBlocks = -1;
  /** LOEJ state of a removable medium. */
  protected loaded = true;
  readonly reservations: ReservationHolder;
  /** The nexus each registration was made through, so its unit attentions reach it. */
  private readonly registrantNexus = new Map<string, Nexus>();
  private readonly getAlua: ((nexus: Nexus) => AluaView | undefined) | undefined;
  private readonly getTargetPortGroups: (() => readonly TargetPortGroupView[]) | undefined;
  private readonly commandsByOpcode: (CommandEntry<this> | CommandEntry<this>[] | undefined)[] = new Array(256);
  private readonly descriptors: CommandDescriptor[];

  protected constructor(
    readonly deviceType: number,
    options: LogicalUnitOptions,
    commands: readonly CommandEntry<never>[],
    writeCacheEnabled: boolean,
    /** Commands of the table this unit does not offer (neither advertised nor accepted). */
    withheld: readonly CommandDescriptor[],
  ) {
    this.identity = { ...options.identity };
    this.flags = { ...DEFAULT_FLAGS, ...options.flags };
    this.getAlua = options.getAlua;
    this.getTargetPortGroups = options.getTargetPortGroups;
    this.reservations = options.reservations ?? newReservationHolder();
    this.mode = defaultModeState(writeCacheEnabled);
    if (!this.getTargetPortGroups) withheld = [...withheld, Commands.reportTargetPortGroups];
    const offered = commands.filter((c) => !withheld.includes(c.descriptor));
    this.descriptors = offered.map((c) => c.descriptor).sort(byOpcodeThenServiceAction);
    // Each subclass passes the table of its own handlers, so `this` matches at call time.
    for (const entry of offered as unknown as readonly CommandEntry<this>[]) {
      const op = entry.descriptor.opcode;
      if (hasServiceAction(entry.descriptor)) {
        const list = (this.commandsByOpcode[op] as CommandEntry<this>[] | undefined) ?? [];
        list.push(entry);
        this.commandsByOpcode[op] = list;
      } else {
        this.commandsByOpcode[op] = entry;
      }
    }
  }

  /** Records the current capacity as known to initiators (subclass constructors call it). */
  protected announceCapacity(): void {
    this.announcedBlocks = this.blocks;
  }

  /** The store serving the medium, or null (CD-ROM without media). */
  protected abstract get store(): BackingStore | null;

  get blockSize(): number {
    return this.store?.blockSize ?? 2048;
  }

  /** Capacity in logical blocks (0 without medium). */
  get blocks(): number {
    const store = this.store;
    return store ? Math.floor(store.sizeBytes / store.blockSize) : 0;
  }

  get mediumPresent(): boolean {
    return this.loaded && this.store !== null;
  }

  /** Whether LOEJ ejects and loads: a `removable` disk, or any CD-ROM. */
  get removableMedium(): boolean {
    return this.flags.removable || this.deviceType === DeviceType.CDROM;
  }

  /** True while any nexus prevents medium removal (vcdrom `filename` writes fail with EBUSY). */
  get removalPrevented(): boolean {
    return this.preventing.size > 0;
  }

  /** Whether writes are refused: read_only, a read-only store, or SWP. */
  get writeProtected(): boolean {
    return this.flags.readOnly || (this.store?.readOnly ?? true) || this.mode.swp;
  }

  /** Whether a command's writes are refused: the unit is write-protected or it came through a read_only LUN. */
  protected writeProtectedFor(cmd: ScsiCommand): boolean {
    return cmd.lunReadOnly === true || this.writeProtected;
  }

  // ---- Engine-facing events -------------------------------------------------

  /** Queues a unit attention for one nexus, or for every known nexus. */
  raiseUnitAttention(code: SenseCode, nexus?: Nexus): void {
    this.unitAttentions.raise(code, nexus);
  }

  /** The LUN set of every nexus `sessions` accepts (all when omitted) changed: REPORTED LUNS DATA HAS CHANGED. */
  notifyReportedLunsChanged(sessions: (nexus: Nexus) => boolean = () => true): void {
    this.unitAttentions.raiseWhere(Sense.REPORTED_LUNS_DATA_CHANGED, sessions);
  }

  /** INQUIRY data changed (an identity attribute was written). */
  notifyInquiryDataChanged(): void {
    this.unitAttentions.raise(Sense.INQUIRY_DATA_CHANGED);
  }

  /** The ALUA state of a target port group of this device changed. */
  notifyAsymmetricAccessStateChanged(nexus?: Nexus): void {
    this.unitAttentions.raise(Sense.ASYMMETRIC_ACCESS_STATE_CHANGED, nexus);
  }

  /**
   * LOGICAL UNIT RESET or target reset received (SAM-5 §6.3): every nexus,
   * the originator's included, gets the reset unit attention (29/00 for a LU
   * reset, 29/03 BUS DEVICE RESET FUNCTION OCCURRED for a target reset), as
   * SCST's scst_process_reset() sets it on all of the device's tgt_devs;
   * medium removal preventions end.
   */
  reset(scope: 'lun' | 'target', _nexus: Nexus): void {
    this.unitAttentions.reset(scope === 'lun' ? Sense.POWER_ON_RESET : Sense.BUS_DEVICE_RESET);
    this.preventing.clear();
    // SCST releases an SPC-2 reservation on LU and target reset; persistent reservations stay.
    this.reservations.spc2Holder = undefined;
  }

  /**
   * The nexus went away (logout, session closed): its state is dropped and
   * its SPC-2 reservation released (SCST: on session loss); persistent
   * registrations stay.
   */
  nexusLost(nexus: Nexus): void {
    const key = nexusKey(nexus);
    this.unitAttentions.forget(nexus);
    this.preventing.delete(key);
    if (this.reservations.spc2Holder === key) this.reservations.spc2Holder = undefined;
  }

  /**
   * Re-reads the backing size (sysfs `resync_size`, or after a nullio
   * `size` write) and raises CAPACITY DATA HAS CHANGED when the block count
   * moved. Returns the size in bytes.
   */
  async resync(): Promise<number> {
    const store = this.store;
    if (!store) return 0;
    const size = await store.resync();
    // Compared with the capacity last announced: a nullio store is resized before resync() is called.
    if (this.blocks !== this.announcedBlocks) this.unitAttentions.raise(Sense.CAPACITY_DATA_CHANGED);
    this.announcedBlocks = this.blocks;
    return size;
  }

  /** Makes completed writes stable (sysfs `sync`). */
  async flush(): Promise<void> {
    await this.store?.flush();
  }

  async close(): Promise<void> {
    await this.store?.close();
  }

  /** Gives a Data-In buffer back once the transport has sent it. */
  recycle(dataIn: Buffer): void {
    this.pool.give(dataIn);
  }

  // ---- Dispatch -------------------------------------------------------------

  async execute(cmd: ScsiCommand): Promise<ScsiResponse> {
    const entry = this.lookup(cmd.cdb);
    if (entry === undefined) return this.checkCondition({ code: Sense.INVALID_OPCODE });
    if (entry === null) return this.checkCondition(invalidCdbField(1, 4));
    try {
      this.admit(entry, cmd);
      return await entry.handler.call(this, cmd);
    } catch (err) {
      if (err instanceof ReservationConflict) return { ...RESERVATION_CONFLICT };
      // Anything else (an I/O error outside the data path, e.g. the flush of
      // STOP UNIT) is reported, never allowed to take the transport down.
      return this.checkCondition(err instanceof CheckCondition ? err.detail : { code: Sense.INTERNAL_TARGET_FAILURE });
    }
  }

  /** The command entry; undefined = opcode not supported; null = unknown service action. */
  private lookup(cdb: Buffer): CommandEntry<this> | undefined | null {
    const found = this.commandsByOpcode[cdb[0]!];
    if (found === undefined || !Array.isArray(found)) return found;
    const serviceAction = cdb[1]! & 0x1f;
    return found.find((e) => e.descriptor.serviceAction === serviceAction) ?? null;
  }

  /**
   * Checks run before any handler, in SAM order: CDB, reservation conflict
   * (before the unit attention, which stays pending, as in SCST), unit
   * attention, ALUA, medium.
   */
  private admit(entry: CommandEntry<this>, cmd: ScsiCommand): void {
    const cdbLength = entry.descriptor.usage.length;
    if (cmd.cdb.length < cdbLength) throw new CheckCondition(invalidCdbField(cmd.cdb.length));
    const stray = findReservedBit(entry.descriptor, cmd.cdb);
    if (stray) throw new CheckCondition(invalidCdbField(stray[0], stray[1]));
    if (conflicts(this.reservations, cmd.nexus, accessClassOf(entry.descriptor, cmd.cdb))) throw new ReservationConflict();
    if (!REPORTS_DESPITE_UNIT_ATTENTION.has(entry.descriptor.opcode)) {
      const ua = this.unitAttentions.take(cmd.nexus);
      if (ua) throw new CheckCondition({ code: ua });
    }
    if (this.getAlua && entry.alua !== AluaAccess.Any) this.checkAluaAccess(entry, cmd.nexus);
    if (entry.needsMedium && !this.mediumPresent) throw new CheckCondition({ code: Sense.MEDIUM_NOT_PRESENT });
  }

  private checkAluaAccess(entry: CommandEntry<this>, nexus: Nexus): void {
    const state = this.getAlua?.(nexus)?.state;
    if (state === undefined || state === 'active' || state === 'nonoptimized') return;
    if (state === 'standby' && entry.alua === AluaAccess.Standby) return;
    throw new CheckCondition({ code: ALUA_NOT_READY[state]! });
  }

  /** D_SENSE of the control mode page chooses the sense format. */
  protected checkCondition(detail: SenseDetail): ScsiResponse {
    return { status: ScsiStatus.CHECK_CONDITION, sense: buildSense(detail, this.mode.dSense), dataIn: null };
  }

  protected good(dataIn: Buffer | null, allocationLength?: number): ScsiResponse {
    if (dataIn === null) return { ...GOOD_NO_DATA };
    const limited = allocationLength !== undefined && allocationLength < dataIn.length ? dataIn.subarray(0, allocationLength) : dataIn;
    return { status: ScsiStatus.GOOD, sense: null, dataIn: limited.length > 0 ? limited : null };
  }

  protected inquiryContext(nexus: Nexus): InquiryContext {
    return {
      deviceType: this.deviceType,
      identity: this.identity,
      flags: this.flags,
      blockSize: this.blockSize,
      volatileCache: this.mode.writeCacheEnabled,
      nexus,
      alua: this.getAlua?.(nexus),
    };
  }

  protected modeContext(cmd: ScsiCommand): ModeContext {
    return {
      deviceType: this.deviceType,
      blockSize: this.blockSize,
      blocks: this.blocks,
      writeProtected: this.writeProtectedFor(cmd),
      wceChangeable: this.store?.volatileCache ?? false,
      tst: this.flags.tst,
      state: this.mode,
    };
  }

  // ---- Shared command handlers ----------------------------------------------

  protected testUnitReady(): ScsiResponse {
    return this.good(null);
  }

  protected requestSense(cmd: ScsiCommand): ScsiResponse {
    const descriptorFormat = (cmd.cdb[1]! & 0x01) !== 0;
    // A pending unit attention is reported (and cleared) first, then the medium state.
    const code = this.unitAttentions.take(cmd.nexus) ?? (this.mediumPresent ? Sense.NO_SENSE : Sense.MEDIUM_NOT_PRESENT);
    return this.good(buildSense({ code }, descriptorFormat), cmd.cdb[4]!);
  }

  protected inquiry(cmd: ScsiCommand): ScsiResponse {
    const evpd = (cmd.cdb[1]! & 0x01) !== 0;
    const page = cmd.cdb[2]!;
    const allocationLength = cmd.cdb.readUInt16BE(3);
    const ctx = this.inquiryContext(cmd.nexus);
    if (!evpd) {
      if (page !== 0) throw new CheckCondition(invalidCdbField(2, 7));
      return this.good(standardInquiry(ctx), allocationLength);
    }
    const data = vpdPage(ctx, page);
    if (!data) throw new CheckCondition(invalidCdbField(2, 7));
    return this.good(data, allocationLength);
  }

  protected modeSense6(cmd: ScsiCommand): ScsiResponse {
    return this.good(modeSense(this.modeContext(cmd), cmd.cdb, true), cmd.cdb[4]!);
  }

  protected modeSense10(cmd: ScsiCommand): ScsiResponse {
    return this.good(modeSense(this.modeContext(cmd), cmd.cdb, false), cmd.cdb.readUInt16BE(7));
  }

  protected modeSelect6(cmd: ScsiCommand): ScsiResponse {
    return this.modeSelect(cmd, cmd.cdb[4]!, true);
  }

  protected modeSelect10(cmd: ScsiCommand): ScsiResponse {
    return this.modeSelect(cmd, cmd.cdb.readUInt16BE(7), false);
  }

  private modeSelect(cmd: ScsiCommand, parameterListLength: number, sixByte: boolean): ScsiResponse {
    const received = cmd.dataOut ?? Buffer.alloc(0);
    if (received.length < parameterListLength) throw new CheckCondition({ code: Sense.PARAMETER_LIST_LENGTH_ERROR });
    const { changed } = modeSelect(this.modeContext(cmd), cmd.cdb, received.subarray(0, parameterListLength), sixByte);
    // SPC-4 §5.13: the other nexuses learn that shared mode parameters changed.
    if (changed) this.unitAttentions.raise(Sense.MODE_PARAMETERS_CHANGED, undefined, cmd.nexus);
    return { ...GOOD_NO_DATA, cdbTransferLength: parameterListLength };
  }

  protected async startStopUnit(cmd: ScsiCommand): Promise<ScsiResponse> {
    const byte4 = cmd.cdb[4]!;
    const powerCondition = byte4 >> 4;
    const noFlush = (byte4 & 0x04) !== 0;
    const loej = (byte4 & 0x02) !== 0;
    const start = (byte4 & 0x01) !== 0;
    // A POWER CONDITION other than START_VALID makes START and LOEJ ignored (SBC-3 §5.25).
    if (powerCondition !== 0) return this.good(null);
    if (!start && !noFlush && this.mediumPresent) await this.store?.flush();
    if (loej && this.removableMedium) {
      // While prevented, the medium moves neither out nor in (as libiscsi's PreventAllow tests expect).
      if (this.removalPrevented) throw new CheckCondition({ code: Sense.MEDIUM_REMOVAL_PREVENTED });
      const wasPresent = this.mediumPresent;
      this.loaded = start;
      if (!wasPresent && this.mediumPresent) this.unitAttentions.raise(Sense.MEDIUM_MAY_HAVE_CHANGED, undefined, cmd.nexus);
    }
    return this.good(null);
  }

  protected preventAllowMediumRemoval(cmd: ScsiCommand): ScsiResponse {
    const prevent = cmd.cdb[4]! & 0x03;
    if (prevent > 1) throw new CheckCondition(invalidCdbField(4, 1));
    const key = nexusKey(cmd.nexus);
    if (prevent === 1) this.preventing.add(key);
    else this.preventing.delete(key);
    return this.good(null);
  }

  // ---- Reservations (SPC-2 §7.21, SPC-4 §6.15/§6.16) --------------------------

  /**
   * RESERVE(6/10): the whole unit for this nexus. Another nexus's SPC-2
   * reservation, or any persistent registration (SPC-4 §5.13.3, CRH = 1),
   * conflicts; the holder may reserve again.
   */
  protected reserve(cmd: ScsiCommand): ScsiResponse {
    const key = nexusKey(cmd.nexus);
    const holder = this.reservations;
    if (holder.spc2Holder !== undefined && holder.spc2Holder !== key) throw new ReservationConflict();
    if (holder.persistent.registrants.length > 0 || holder.persistent.reservation) throw new ReservationConflict();
    holder.spc2Holder = key;
    return this.good(null);
  }

  /** RELEASE(6/10): ends this nexus's reservation; from any other nexus it does nothing (SPC-2 §7.17). */
  protected release(cmd: ScsiCommand): ScsiResponse {
    if (this.reservations.spc2Holder === nexusKey(cmd.nexus)) this.reservations.spc2Holder = undefined;
    return this.good(null);
  }

  /** Another nexus's SPC-2 reservation also blocks the persistent reservation commands (SCST). */
  private checkNoForeignSpc2Reservation(nexus: Nexus): void {
    const holder = this.reservations.spc2Holder;
    if (holder !== undefined && holder !== nexusKey(nexus)) throw new ReservationConflict();
  }

  protected persistentReserveIn(cmd: ScsiCommand): ScsiResponse {
    this.checkNoForeignSpc2Reservation(cmd.nexus);
    const data = persistentReserveIn(this.reservations.persistent, cmd.cdb[1]! & 0x1f);
    return this.good(data, cmd.cdb.readUInt16BE(7));
  }

  protected persistentReserveOut(cmd: ScsiCommand): ScsiResponse {
    this.checkNoForeignSpc2Reservation(cmd.nexus);
    const listLength = persistentReserveOut(this.reservations, cmd, (registration, code) => this.notifyRegistrant(registration, code));
    // Remember the nexus of this registration for later unit attentions.
    const own = transportIdOf(cmd.nexus);
    this.registrantNexus.set(registrationKey({ transportId: own, relTgtId: cmd.nexus.relativeTargetPortId }), cmd.nexus);
    return { ...GOOD_NO_DATA, cdbTransferLength: listLength };
  }

  private notifyRegistrant(registration: PrRegistration, code: SenseCode): void {
    const nexus = this.registrantNexus.get(registrationKey(registration));
    if (nexus) this.unitAttentions.raise(code, nexus);
  }

  protected reportLuns(cmd: ScsiCommand): ScsiResponse {
    // The LUN list belongs to the session: a transport that does not answer
    // REPORT LUNS itself must pass it; without it no truthful answer exists.
    if (!cmd.lunMap) throw new CheckCondition({ code: Sense.INTERNAL_TARGET_FAILURE });
    return respondReportLuns(cmd.cdb, cmd.lunMap.luns(), this.mode.dSense);
  }

  protected reportSupportedOpcodes(cmd: ScsiCommand): ScsiResponse {
    const cdb = cmd.cdb;
    const withTimeouts = (cdb[2]! & 0x80) !== 0;
    const options = cdb[2]! & 0x07;
    const opcode = cdb[3]!;
    const serviceAction = cdb.readUInt16BE(4);
    const allocationLength = cdb.readUInt32BE(6);
    if (options === 0) return this.good(buildAllCommandsData(this.descriptors, withTimeouts), allocationLength);
    const forOpcode = this.descriptors.filter((d) => d.opcode === opcode);
    const opcodeHasServiceActions = forOpcode.some(hasServiceAction);
    let found: CommandDescriptor | undefined;
    if (options === 1 || (options === 3 && !opcodeHasServiceActions)) {
      // SPC-4: asking for an opcode alone when it has service actions is an error.
      if (opcodeHasServiceActions) throw new CheckCondition(invalidCdbField(2, 2));
      found = forOpcode[0];
    } else if (options === 2 || options === 3) {
      if (!opcodeHasServiceActions && forOpcode.length > 0) throw new CheckCondition(invalidCdbField(2, 2));
      found = forOpcode.find((d) => d.serviceAction === serviceAction);
    } else {
      throw new CheckCondition(invalidCdbField(2, 2));
    }
    return this.good(buildOneCommandData(found, withTimeouts), allocationLength);
  }

  /** REPORT TARGET PORT GROUPS (SPC-4 §6.36) in SCST's layout (scst_tg_get_group_info()). */
  protected reportTargetPortGroups(cmd: ScsiCommand): ScsiResponse {
    const format = cmd.cdb[1]! >> 5;
    if (format > 1) throw new CheckCondition(invalidCdbField(1, 7));
    const groups = this.getTargetPortGroups?.() ?? [];
    const descriptors = groups.map((group) => {
      const d = Buffer.alloc(8 + 4 * group.relativeTargetPortIds.length);
      d[0] = (group.preferred ? 0x80 : 0) | ALUA_STATE_CODE[group.state];
      d[1] = 0xcf; // T_SUP, O_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP
      d.writeUInt16BE(group.id, 2);
      d[5] = 0x02; // STATUS CODE: altered by implicit ALUA behaviour, as SCST
      d[7] = group.relativeTargetPortIds.length;
      group.relativeTargetPortIds.forEach((id, i) => d.writeUInt16BE(id, 8 + 4 * i + 2));
      return d;
    });
    const header = Buffer.alloc(format === 1 ? 8 : 4);
    if (format === 1) header[4] = 0x10; // FORMAT TYPE 001b, implicit transition time 0
    const body = Buffer.concat(descriptors);
    header.writeUInt32BE(header.length - 4 + body.length, 0);
    return this.good(Buffer.concat([header, body]), cmd.cdb.readUInt32BE(6));
  }

  protected readCapacity10(): ScsiResponse {
    const data = Buffer.alloc(8);
    const lastLba = Math.max(this.blocks - 1, 0);
    data.writeUInt32BE(lastLba > 0xffffffff ? 0xffffffff : lastLba, 0);
    data.writeUInt32BE(this.blockSize, 4);
    return this.good(data);
  }

  // ---- Block access helpers -------------------------------------------------

  /** LBA OUT OF RANGE unless [lba, lba + blocks) lies within the capacity. */
  protected checkRange(lba: number, blocks: number): void {
    if (lba + blocks > this.blocks) throw new CheckCondition({ code: Sense.LBA_OUT_OF_RANGE });
  }

  /** READ with a decoded LBA and length; the data comes from the buffer pool. */
  protected async readBlocks(lba: number, blocks: number, lengthField: number): Promise<ScsiResponse> {
    this.checkRange(lba, blocks);
    if (blocks === 0) return this.good(null);
    const bytes = blocks * this.blockSize;
    if (bytes > MAX_TRANSFER_BYTES) throw new CheckCondition(invalidCdbField(lengthField, 7));
    const store = this.store!;
    // A store that keeps no data (nullio) answers from its own shared zeros: no buffer to fill.
    // Others wait here while the process's data buffers are all out (the budget of buffer-pool.ts).
    const into = store.storesData ? await this.pool.acquire(bytes) : undefined;
    let data: Buffer;
    try {
      data = await store.read(lba * store.blockSize, bytes, into);
    } catch {
      if (into) this.pool.give(into);
      throw new CheckCondition({ code: Sense.READ_ERROR, information: lba });
    }
    return { status: ScsiStatus.GOOD, sense: null, dataIn: data };
  }

  /** RDPROTECT/WRPROTECT/VRPROTECT (byte 1, bits 7–5) must be 0: no protection information. */
  protected checkNoProtection(cdb: Buffer): void {
    if ((cdb[1]! & 0xe0) !== 0) throw new CheckCondition(invalidCdbField(1, 7));
  }
}

function byOpcodeThenServiceAction(a: CommandDescriptor, b: CommandDescriptor): number {
  return a.opcode - b.opcode || (a.serviceAction ?? 0) - (b.serviceAction ?? 0);
}

/** Builds a command table entry. */
export function entry<L>(
  descriptor: CommandDescriptor,
  handler: Handler<L>,
  needsMedium: boolean,
  alua: AluaAccess = AluaAccess.Active,
): CommandEntry<L> {
  return { descriptor, handler, needsMedium, alua };
}

/**
 * The SPC commands every vdisk unit offers, looked up on the unit class's
 * prototype `p` so that a subclass's own version is the one dispatched.
 */
export function primaryCommands<L>(p: Record<string, Handler<L>>): CommandEntry<L>[] {
  return [
    entry(Commands.testUnitReady, p['testUnitReady']!, true),
    entry(Commands.requestSense, p['requestSense']!, false, AluaAccess.Any),
    entry(Commands.inquiry, p['inquiry']!, false, AluaAccess.Any),
    entry(Commands.modeSense6, p['modeSense6']!, false, AluaAccess.Standby),
    entry(Commands.modeSense10, p['modeSense10']!, false, AluaAccess.Standby),
    entry(Commands.modeSelect6, p['modeSelect6']!, false, AluaAccess.Standby),
    entry(Commands.modeSelect10, p['modeSelect10']!, false, AluaAccess.Standby),
    entry(Commands.startStopUnit, p['startStopUnit']!, false),
    entry(Commands.preventAllow, p['preventAllowMediumRemoval']!, false),
    entry(Commands.reportLuns, p['reportLuns']!, false, AluaAccess.Any),
    entry(Commands.reportSupportedOpcodes, p['reportSupportedOpcodes']!, false, AluaAccess.Any),
    entry(Commands.reportTargetPortGroups, p['reportTargetPortGroups']!, false, AluaAccess.Any),
    entry(Commands.readCapacity10, p['readCapacity10']!, true),
  ];
}

/**
 * RESERVE/RELEASE(6/10) and PERSISTENT RESERVE IN/OUT, which every vdisk
 * unit offers; PR IN/OUT are allowed in the ALUA standby state (SPC-4 §5.15.2.4.4).
 */
export function reservationCommands<L extends VirtualLogicalUnit>(): CommandEntry<L>[] {
  const lu = VirtualLogicalUnit.prototype as unknown as Record<string, Handler<L>>;
  const prIn = [Commands.prInReadKeys, Commands.prInReadReservation, Commands.prInReportCapabilities, Commands.prInReadFullStatus];
  const prOut = [
    Commands.prOutRegister,
    Commands.prOutReserve,
    Commands.prOutRelease,
    Commands.prOutClear,
    Commands.prOutPreempt,
    Commands.prOutPreemptAndAbort,
    Commands.prOutRegisterAndIgnore,
  ];
  return [
    entry(Commands.reserve6, lu['reserve']!, false),
    entry(Commands.release6, lu['release']!, false),
    entry(Commands.reserve10, lu['reserve']!, false),
    entry(Commands.release10, lu['release']!, false),
    ...prIn.map((d) => entry(d, lu['persistentReserveIn']!, false, AluaAccess.Standby)),
    ...prOut.map((d) => entry(d, lu['persistentReserveOut']!, false, AluaAccess.Standby)),
  ];
}

export { Op };
