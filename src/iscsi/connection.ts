/**
 * One iSCSI connection (and, with MaxConnections=1, its session): login,
 * then the full-feature phase — SCSI commands with immediate, unsolicited
 * and R2T-solicited data, Data-In with phase-collapsed status, NOP, Text
 * (SendTargets), Logout and task management — with CmdSN windowing and the
 * ERL 0 rule that any transport-level inconsistency ends the connection.
 */
import type { Socket } from 'node:net';
import type { DataDirection, LogicalUnit, Nexus, ScsiResponse } from '../engine/scsi/types.js';
import { ScsiStatus } from '../engine/scsi/types.js';
import { respondReportLuns } from '../engine/scsi/report-luns.js';
import { Sense, type SenseCode } from '../engine/scsi/sense.js';
import { dataBuffers } from '../engine/scsi/buffer-pool.js';
import { MAX_TRANSFER_BYTES } from '../engine/scsi/inquiry.js';
import type { IscsiBackend, SessionRecord } from './backend.js';
import { crc32c, crc32cUpdate } from '../engine/crc32c.js';
import { FramingError, PduReader, type DataTarget } from './framing.js';
import { LoginNegotiation, type LoginRequest } from './login.js';
import {
  LoginStatus,
  Opcode,
  RESERVED_TAG,
  RejectReason,
  TmfFunction,
  TmfResponse,
  decodeLun,
  finalBit,
  initiatorTaskTag,
  isImmediate,
  newHeader,
  opcodeOf,
  pad4,
  setDataSegmentLength,
  type Pdu,
} from './pdu.js';
import type { SessionParams, TargetParams } from './params.js';
import { portalAllowed } from './login.js';
import { targetAddress } from './portal-pattern.js';
import { checkCondition, internalErrorResponse, isReportLuns, missingLunResponse } from './scsi-fallback.js';
import { decodeText, encodeText, TextFormatError, type TextPairs } from './text.js';
import { receiveInto } from './socket-receive.js';

/** What a connection needs from the server it belongs to. */
export interface ConnectionHost {
  readonly backend: IscsiBackend;
  readonly portalHost: string;
  readonly portalPort: number;
  allocateTsih(): number;
  /** Registers a new normal session; ends an older one with the same ISID (reinstatement). */
  sessionStarted(connection: IscsiConnection): void;
  sessionEnded(connection: IscsiConnection): void;
}

/** Login text may not exceed this, whatever was negotiated (RFC 7143 §6.2: 8192 per PDU). */
const LOGIN_MAX_DATA = 65536;
const PADDING = Buffer.alloc(4);

const EMPTY = Buffer.alloc(0);
/** Bytes per socket read: what Node itself reads at a time. */
const RECEIVE_BUFFER_SIZE = 65536;



interface R2tWindow {
  offset: number;
  length: number;
  next: number;
  dataSN: number;
}

interface Task {
  itt: number;
  cmdSN: number;
  lun: number;
  /** The command's LUN field as sent, echoed in its R2T and Data-In PDUs. */
  lunField: Buffer;
  cdb: Buffer;
  direction: DataDirection;
  edtl: number;
  /** The gather buffer of all `edtl` bytes of write data, once the data-buffer budget granted it. */
  buffer: Buffer | null;
  /** Until then, the data the initiator may send before any R2T (immediate and unsolicited). */
  firstBurst: Buffer | null;
  received: number;
  /** End of the unsolicited (first burst) region still expected as Data-Out with TTT=ffffffff. */
  unsolicitedEnd: number;
  unsolicitedNext: number;
  unsolicitedDataSN: number;
  nextR2tOffset: number;
  r2tSN: number;
  /** Outstanding R2Ts by TTT; made on the first R2T (most commands never need one). */
  r2ts: Map<number, R2tWindow> | null;
  executing: boolean;
  aborted: boolean;
}

export class IscsiConnection {
  readonly login: LoginNegotiation;
  private readonly reader = new PduReader({ headerDigest: false, dataDigest: false, maxDataSegmentLength: LOGIN_MAX_DATA });
  private phase: 'login' | 'full' | 'closed' = 'login';
  private loginText: TextPairs = [];
  private statSN = 0;
  private expCmdSN = 0;
  private maxCmdSN = 0;
  private params!: SessionParams;
  private targetParams!: TargetParams;
  private record: SessionRecord | undefined;
  private nexus: Nexus | undefined;
  private readonly tasks = new Map<number, Task>();
  private readonly held = new Map<number, Pdu>();
  private nextTtt = 1;
  private pendingText: { ttt: number; rest: Buffer } | undefined;
  private corked = false;
  private nopTimer: NodeJS.Timeout | undefined;
  private nopDeadline: NodeJS.Timeout | undefined;
  tsih = 0;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    this.login = new LoginNegotiation(host.backend, { localAddress: socket.localAddress ?? host.portalHost });
    socket.setNoDelay(true);
    this.reader.placement = (bhs, length) => this.placeData(bhs, length);
    receiveInto(socket, Buffer.allocUnsafeSlow(RECEIVE_BUFFER_SIZE), (bytes) => this.onData(bytes));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  get initiatorName(): string {
    return this.login.initiatorName;
  }

  get isid(): string {
    return this.login.isid?.toString('hex') ?? '';
  }

  get targetName(): string | undefined {
    return this.login.target?.name;
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  get isFullFeature(): boolean {
    return this.phase === 'full';
  }

  /** Ends the connection at once (force_close, reinstatement, target disabled). */
  close(): void {
    this.terminate(false);
  }

  /** Ends the connection once what was queued has been sent. */
  private closeAfterFlush(): void {
    this.terminate(true);
  }

  private terminate(flush: boolean): void {
    if (this.phase === 'closed') return;
    const wasFull = this.phase === 'full';
    this.phase = 'closed';
    clearTimeout(this.nopTimer);
    clearTimeout(this.nopDeadline);
    for (const task of [...this.tasks.values()]) this.abort(task);
    this.tasks.clear();
    this.held.clear();
    if (flush) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 2000).unref();
    } else this.socket.destroy();
    if (wasFull) {
      this.endNexus();
      this.record?.closed();
      this.host.sessionEnded(this);
    }
  }

  /** The I_T nexus is gone: its logical units drop its state (unit attentions, PREVENT, reservations). */
  private endNexus(): void {
    const lunMap = this.record?.lunMap();
    if (!lunMap || !this.nexus) return;
    for (const lun of lunMap.luns()) lunMap.lookup(lun)?.nexusLost?.(this.nexus);
  }

  // ---- receiving -------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.reader.push(chunk);
    try {
      for (;;) {
        const pdu = this.reader.next();
        if (!pdu) break;
        this.dispatch(pdu);
        if (this.closed) return;
      }
    } catch (e) {
      if (e instanceof FramingError) {
        if (e.bhs && e.digest !== 'header') {
          this.sendReject(e.digest === 'data' ? RejectReason.DATA_DIGEST_ERROR : RejectReason.PROTOCOL_ERROR, e.bhs);
        }
        this.closeAfterFlush();
        return;
      }
      throw e;
    }
  }

  /**
   * Write data goes from the receive buffer straight into the command's
   * gather buffer: the immediate data of a write command into a new one, a
   * Data-Out at its offset in its task's. Everything else — and whatever the
   * checks on dispatch may still refuse — gets a buffer of its own.
   */
  private placeData(bhs: Buffer, length: number): DataTarget | undefined {
    if (this.phase !== 'full') return undefined;
    switch (opcodeOf(bhs)) {
      case Opcode.SCSI_COMMAND: {
        const edtl = bhs.readUInt32BE(20);
        const write = (bhs[1] & 0x20) !== 0;
        if (!write || length > edtl || edtl > MAX_TRANSFER_BYTES) return undefined;
        return { buffer: this.writeBuffer(edtl, this.upfrontLength(bhs, length)), offset: 0 };
      }
      case Opcode.SCSI_DATA_OUT: {
        const into = this.dataOutTarget(this.tasks.get(initiatorTaskTag(bhs)));
        const offset = bhs.readUInt32BE(40);
        if (!into || offset + length > into.length) return undefined;
        return { buffer: into, offset };
      }
      default:
        return undefined;
    }
  }

  /** Where a task's write data goes now: its gather buffer, or its first-burst buffer until that is granted; null once it runs. */
  private dataOutTarget(task: Task | undefined): Buffer | null {
    return task && !task.executing ? (task.buffer ?? task.firstBurst) : null;
  }

  private dispatch(pdu: Pdu): void {
    const opcode = opcodeOf(pdu.bhs);
    if (this.phase === 'login') {
      if (opcode !== Opcode.LOGIN_REQUEST) {
        // RFC 7143 §6.3: only Login Requests before the full-feature phase.
        this.closeAfterFlush();
        return;
      }
      this.onLogin(pdu);
      return;
    }
    switch (opcode) {
      case Opcode.SCSI_DATA_OUT:
        this.onDataOut(pdu);
        return;
      case Opcode.SNACK_REQUEST:
        this.sendReject(RejectReason.COMMAND_NOT_SUPPORTED, pdu.bhs); // ERL 0 has no SNACK
        return;
      case Opcode.NOP_OUT:
        if (initiatorTaskTag(pdu.bhs) === RESERVED_TAG) {
          this.onNopReply();
          return;
        }
        break;
      case Opcode.SCSI_COMMAND:
      case Opcode.TASK_MGMT_REQUEST:
      case Opcode.TEXT_REQUEST:
      case Opcode.LOGOUT_REQUEST:
        break;
      case Opcode.LOGIN_REQUEST:
        this.sendReject(RejectReason.PROTOCOL_ERROR, pdu.bhs);
        return;
      default:
        this.sendReject(RejectReason.COMMAND_NOT_SUPPORTED, pdu.bhs);
        return;
    }
    this.admit(pdu);
  }

  /** CmdSN ordering (RFC 7143 §4.2.2.1): in-order delivery, out-of-window commands ignored. */
  private admit(pdu: Pdu): void {
    if (isImmediate(pdu.bhs)) {
      this.execute(pdu);
      return;
    }
    const cmdSN = pdu.bhs.readUInt32BE(24);
    if (serialLess(cmdSN, this.expCmdSN) || serialLess(this.maxCmdSN, cmdSN)) {
      if (pdu.placedIn) dataBuffers.give(pdu.placedIn);
      return; // silently ignored
    }
    if (cmdSN !== this.expCmdSN) {
      this.held.set(cmdSN, pdu);
      return;
    }
    this.expCmdSN = (this.expCmdSN + 1) >>> 0;
    this.execute(pdu);
    for (let next = this.held.get(this.expCmdSN); next; next = this.held.get(this.expCmdSN)) {
      this.held.delete(this.expCmdSN);
      this.expCmdSN = (this.expCmdSN + 1) >>> 0;
      this.execute(next);
    }
  }

  private execute(pdu: Pdu): void {
    switch (opcodeOf(pdu.bhs)) {
      case Opcode.SCSI_COMMAND:
        this.onScsiCommand(pdu);
        return;
      case Opcode.TASK_MGMT_REQUEST:
        this.onTaskManagement(pdu);
        return;
      case Opcode.TEXT_REQUEST:
        this.onText(pdu);
        return;
      case Opcode.LOGOUT_REQUEST:
        this.onLogout(pdu);
        return;
      case Opcode.NOP_OUT:
        this.onNopOut(pdu);
        return;
    }
  }

  // ---- login -----------------------------------------------------------------

  private onLogin(pdu: Pdu): void {
    const bhs = pdu.bhs;
    const itt = initiatorTaskTag(bhs);
    const first = this.loginText.length === 0 && this.login.isid === undefined;
    if (first) {
      this.statSN = bhs.readUInt32BE(28);
      this.expCmdSN = bhs.readUInt32BE(24);
    }
    let pairs: TextPairs;
    try {
      pairs = decodeText(pdu.data);
    } catch (e) {
      if (!(e instanceof TextFormatError)) throw e;
      this.sendLoginResponse(bhs, itt, LoginStatus.INITIATOR_ERROR, false, bhs[1] >> 2 & 3, 0, []);
      this.closeAfterFlush();
      return;
    }
    if (bhs[1] & 0x40) {
      // C bit: more text follows; acknowledge with an empty response (RFC 7143 §11.12.2).
      this.loginText.push(...pairs);
      this.sendLoginResponse(bhs, itt, LoginStatus.SUCCESS, false, (bhs[1] >> 2) & 3, 0, []);
      return;
    }
    pairs = [...this.loginText, ...pairs];
    this.loginText = [];
    const request: LoginRequest = {
      transit: (bhs[1] & 0x80) !== 0,
      csg: (bhs[1] >> 2) & 3,
      nsg: bhs[1] & 3,
      versionMax: bhs[2],
      versionMin: bhs[3],
      isid: bhs.subarray(8, 14),
      tsih: bhs.readUInt16BE(14),
      cid: bhs.readUInt16BE(20),
      pairs,
    };
    if (first && request.tsih !== 0) {
      // Adding a connection to an existing session needs MaxConnections > 1.
      this.sendLoginResponse(bhs, itt, LoginStatus.CANT_INCLUDE_IN_SESSION, false, request.csg, 0, []);
      this.closeAfterFlush();
      return;
    }
    const reply = this.login.handle(request);
    if (reply.status !== LoginStatus.SUCCESS) {
      this.sendLoginResponse(bhs, itt, reply.status, false, reply.csg, 0, []);
      this.closeAfterFlush();
      return;
    }
    if (reply.complete) {
      this.tsih = this.host.allocateTsih();
      this.params = this.login.params;
      this.targetParams = this.login.negotiatedTargetParams;
      this.maxCmdSN = (this.expCmdSN + this.targetParams.QueuedCommands - 1) >>> 0;
    }
    this.sendLoginResponse(bhs, itt, LoginStatus.SUCCESS, reply.transit, reply.csg, reply.nsg, reply.pairs);
    if (reply.complete) this.enterFullFeature();
  }

  private sendLoginResponse(req: Buffer, itt: number, status: number, transit: boolean, csg: number, nsg: number, pairs: TextPairs): void {
    const bhs = newHeader(Opcode.LOGIN_RESPONSE);
    bhs[1] = (transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0);
    bhs[2] = 0x00; // Version-max
    bhs[3] = 0x00; // Version-active
    req.copy(bhs, 8, 8, 14); // ISID
    bhs.writeUInt16BE(transit && nsg === 3 && status === LoginStatus.SUCCESS ? this.tsih : 0, 14);
    bhs.writeUInt32BE(itt, 16);
    bhs.writeUInt32BE(this.statSN, 24);
    this.statSN = (this.statSN + 1) >>> 0;
    bhs.writeUInt32BE(this.expCmdSN, 28);
    bhs.writeUInt32BE(status === LoginStatus.SUCCESS ? (this.maxCmdSN || this.expCmdSN) : this.expCmdSN, 32);
    bhs[36] = status >> 8;
    bhs[37] = status & 0xff;
    this.writePdu(bhs, pairs.length ? encodeText(pairs) : null);
  }

  private enterFullFeature(): void {
    this.phase = 'full';
    // Digests apply from the first PDU after the final Login Response.
    this.reader.limits = {
      headerDigest: this.params.headerDigest,
      dataDigest: this.params.dataDigest,
      maxDataSegmentLength: this.params.maxRecvDataSegmentLength,
    };
    const target = this.login.target;
    if (target) {
      this.nexus = {
        initiatorName: `${this.initiatorName},i,0x${this.isid}`,
        relativeTargetPortId: target.relativeTargetPortId,
        targetPortName: `${target.name},t,0x${target.portalGroupTag.toString(16).padStart(4, '0')}`,
      };
      this.record = target.openSession(
        {
          initiatorName: this.initiatorName,
          isid: this.isid,
          tsih: this.tsih,
          sid: (BigInt('0x' + this.isid) << 16n) | BigInt(this.tsih),
          initiatorAddress: this.socket.remoteAddress ?? '',
          initiatorPort: this.socket.remotePort ?? 0,
          targetAddress: this.socket.localAddress ?? '',
          negotiated: negotiatedValues(this.params),
        },
        { forceClose: () => this.close() },
      );
      this.host.sessionStarted(this);
    }
    this.armNopIn();
  }

  // ---- SCSI commands and data -------------------------------------------------

  private onScsiCommand(pdu: Pdu): void {
    const bhs = pdu.bhs;
    if (!this.nexus) {
      this.refuseCommand(pdu, RejectReason.PROTOCOL_ERROR); // discovery sessions carry no SCSI
      return;
    }
    const itt = initiatorTaskTag(bhs);
    if (this.tasks.has(itt)) {
      this.refuseCommand(pdu, RejectReason.TASK_IN_PROGRESS);
      return;
    }
    if (this.tasks.size >= 2 * this.targetParams.QueuedCommands + 16) {
      this.closeAfterFlush(); // the initiator ignores MaxCmdSN: a flood
      return;
    }
    const flags = bhs[1];
    const read = (flags & 0x40) !== 0;
    const write = (flags & 0x20) !== 0;
    const edtl = bhs.readUInt32BE(20);
    let cdb = bhs.subarray(32, 48);
    if (pdu.ahs && pdu.ahs.length >= 4 && pdu.ahs[2] === 0x01) {
      const ahsLength = pdu.ahs.readUInt16BE(0); // includes the reserved byte
      cdb = Buffer.concat([cdb, pdu.ahs.subarray(4, 4 + ahsLength - 1)]);
    }
    const task: Task = {
      itt,
      cmdSN: bhs.readUInt32BE(24),
      lun: decodeLun(bhs),
      lunField: bhs.subarray(8, 16),
      cdb,
      direction: read && write ? 'bidi' : write ? 'write' : read ? 'read' : 'none',
      edtl,
      buffer: null,
      firstBurst: null,
      received: 0,
      unsolicitedEnd: 0,
      unsolicitedNext: 0,
      unsolicitedDataSN: 0,
      nextR2tOffset: 0,
      r2tSN: 0,
      r2ts: null,
      executing: false,
      aborted: false,
    };
    const immediate = pdu.data;
    if (immediate.length > 0) {
      if (!write || !this.params.immediateData || immediate.length > Math.min(edtl, this.params.firstBurstLength)) {
        this.refuseCommand(pdu, RejectReason.PROTOCOL_ERROR);
        return;
      }
    }
    this.tasks.set(itt, task);
    if (!write || edtl === 0) {
      this.run(task, null);
      return;
    }
    if (edtl > MAX_TRANSFER_BYTES) {
      // More than any logical unit here accepts (Block Limits VPD): refused before a byte is gathered.
      task.executing = true;
      this.finish(task, checkCondition(Sense.INVALID_FIELD_IN_CDB));
      return;
    }
    const upfront = this.upfrontLength(bhs, immediate.length);
    // The buffer the immediate data was received into, if any, becomes the task's.
    let first = pdu.placedIn ?? null;
    if (!first && upfront > 0) {
      first = this.writeBuffer(edtl, upfront);
      immediate.copy(first, 0);
    }
    if (first?.length === edtl) task.buffer = first;
    else task.firstBurst = first;
    task.received = immediate.length;
    if (immediate.length === edtl) {
      this.run(task, task.buffer!);
      return;
    }
    task.unsolicitedNext = immediate.length;
    task.nextR2tOffset = upfront;
    if (upfront > immediate.length) task.unsolicitedEnd = upfront;
    if (!task.buffer) this.awaitGather(task);
    else if (task.unsolicitedEnd === 0) this.sendR2ts(task);
  }

  /** A Reject for a SCSI Command PDU; the buffer its immediate data was received into goes back. */
  private refuseCommand(pdu: Pdu, reason: number): void {
    if (pdu.placedIn) dataBuffers.give(pdu.placedIn);
    this.sendReject(reason, pdu.bhs);
  }

  /**
   * What the initiator may send of a write before any R2T: its immediate
   * data, and unless InitialR2T=Yes or the command's F bit ends it,
   * unsolicited Data-Out up to FirstBurstLength (RFC 7143 §4.2.5).
   */
  private upfrontLength(bhs: Buffer, immediateLength: number): number {
    const finalUnsolicited = (bhs[1] & 0x80) !== 0;
    if (this.params.initialR2T || finalUnsolicited) return immediateLength;
    return Math.max(immediateLength, Math.min(bhs.readUInt32BE(20), this.params.firstBurstLength));
  }

  /**
   * The gather buffer if the data-buffer budget has room for it now (or all
   * the data comes up front anyway); otherwise a buffer for the part that
   * comes before any R2T, and the gather buffer is waited for.
   */
  private writeBuffer(edtl: number, upfront: number): Buffer {
    if (upfront === edtl) return dataBuffers.take(edtl);
    return dataBuffers.tryTake(edtl) ?? dataBuffers.take(upfront);
  }

  /**
   * Waits for the task's gather buffer, moves what arrived up front into it
   * and solicits the rest. A Data-Out still arriving into the first-burst
   * buffer is copied over when it completes (onDataOut).
   */
  private awaitGather(task: Task): void {
    void Promise.resolve(dataBuffers.acquire(task.edtl)).then((gather) => {
      if (task.aborted || task.executing || this.tasks.get(task.itt) !== task) {
        dataBuffers.give(gather);
        return;
      }
      task.firstBurst?.copy(gather, 0, 0, task.received);
      task.buffer = gather;
      if (task.unsolicitedEnd === 0) this.sendR2ts(task);
    });
  }

  /** The task's data buffers go back to the pool: its logical unit is done with them, or never got them. */
  private releaseBuffers(task: Task): void {
    if (task.buffer) dataBuffers.give(task.buffer);
    if (task.firstBurst) dataBuffers.give(task.firstBurst);
    task.buffer = null;
    task.firstBurst = null;
  }

  private onDataOut(pdu: Pdu): void {
    const bhs = pdu.bhs;
    const task = this.tasks.get(initiatorTaskTag(bhs));
    const into = this.dataOutTarget(task);
    if (!task || !into) {
      return; // data of an aborted or finished task may still be in flight: dropped
    }
    const ttt = bhs.readUInt32BE(20);
    const dataSN = bhs.readUInt32BE(36);
    const offset = bhs.readUInt32BE(40);
    const length = pdu.data.length;
    if (ttt === RESERVED_TAG) {
      if (dataSN !== task.unsolicitedDataSN || offset !== task.unsolicitedNext || offset + length > task.unsolicitedEnd) {
        this.failDataPhase(task, dataSN !== task.unsolicitedDataSN ? Sense.DATA_PHASE_ERROR : Sense.DATA_OFFSET_ERROR);
        return;
      }
      task.unsolicitedNext += length;
      task.unsolicitedDataSN++;
      if (finalBit(bhs) || task.unsolicitedNext === task.unsolicitedEnd) {
        // An F bit may end the unsolicited data early: R2Ts ask for the rest from there.
        task.unsolicitedEnd = 0;
        task.nextR2tOffset = task.unsolicitedNext;
      }
    } else {
      const window = task.r2ts?.get(ttt);
      if (!window) {
        this.failDataPhase(task, Sense.INVALID_TARGET_PORT_TRANSFER_TAG);
        return;
      }
      if (dataSN !== window.dataSN || offset !== window.next || offset + length > window.offset + window.length) {
        this.failDataPhase(task, dataSN !== window.dataSN ? Sense.DATA_PHASE_ERROR : Sense.DATA_OFFSET_ERROR);
        return;
      }
      window.next += length;
      window.dataSN++;
      if (window.next === window.offset + window.length) task.r2ts!.delete(ttt);
    }
    if (pdu.placedIn !== into) pdu.data.copy(into, offset);
    task.received += length;
    if (task.received >= task.edtl) {
      this.run(task, task.buffer!);
      return;
    }
    if (task.unsolicitedEnd === 0) this.sendR2ts(task);
  }

  /**
   * A Data-Out out of sequence (wrong DataSN, offset or TTT): the command
   * ends with ABORTED COMMAND and the connection stays up, as iscsi-scst does
   * at ERL 0; later Data-Out PDUs of the task are dropped.
   */
  private failDataPhase(task: Task, code: SenseCode): void {
    task.executing = true;
    this.finish(task, checkCondition(code));
  }

  private sendR2ts(task: Task): void {
    if (!task.buffer) return; // solicited once the gather buffer is granted (awaitGather)
    task.r2ts ??= new Map();
    while (task.r2ts.size < this.params.maxOutstandingR2T && task.nextR2tOffset < task.edtl) {
      const length = Math.min(this.params.maxBurstLength, task.edtl - task.nextR2tOffset);
      const ttt = this.nextTtt;
      this.nextTtt = this.nextTtt === 0xfffffffe ? 1 : this.nextTtt + 1;
      task.r2ts.set(ttt, { offset: task.nextR2tOffset, length, next: task.nextR2tOffset, dataSN: 0 });
      const bhs = newHeader(Opcode.R2T);
      bhs[1] = 0x80;
      task.lunField.copy(bhs, 8);
      bhs.writeUInt32BE(task.itt, 16);
      bhs.writeUInt32BE(ttt, 20);
      this.stamp(bhs, false);
      bhs.writeUInt32BE(task.r2tSN++, 36);
      bhs.writeUInt32BE(task.nextR2tOffset, 40);
      bhs.writeUInt32BE(length, 44);
      task.nextR2tOffset += length;
      this.writePdu(bhs, null);
    }
  }

  private run(task: Task, dataOut: Buffer | null): void {
    task.executing = true;
    const lunMap = this.record ? this.record.lunMap() : undefined;
    const record = this.record;
    record?.commandStarted(task.direction, task.edtl);
    if (isReportLuns(task.cdb) && lunMap) {
      record?.commandFinished();
      this.finish(task, respondReportLuns(task.cdb, lunMap.luns()));
      return;
    }
    const lu: LogicalUnit | undefined = lunMap?.lookup(task.lun);
    if (!lu) {
      record?.commandFinished();
      this.finish(task, missingLunResponse(task.cdb));
      return;
    }
    lu.execute({ nexus: this.nexus!, cdb: task.cdb, expectedLength: task.edtl, direction: task.direction, dataOut }).then(
      (response) => {
        record?.commandFinished();
        this.finish(task, response, lu);
      },
      () => {
        record?.commandFinished();
        this.finish(task, internalErrorResponse());
      },
    );
  }

  private finish(task: Task, response: ScsiResponse, unit?: LogicalUnit): void {
    // The logical unit is done with the write data: its buffers serve the next command.
    this.releaseBuffers(task);
    if (task.aborted || this.phase !== 'full') {
      if (response.dataIn) unit?.recycle?.(response.dataIn);
      return;
    }
    this.tasks.delete(task.itt);
    const data = response.dataIn;
    const produced = data
      ? data.length
      : task.direction === 'write'
        ? (response.cdbTransferLength ?? task.edtl)
        : task.direction === 'none'
          ? 0
          : (response.cdbTransferLength ?? 0);
    let residualFlags = 0;
    let residual = 0;
    if (task.direction !== 'none' || task.edtl > 0) {
      if (produced > task.edtl) {
        residualFlags = 0x04; // O: overflow
        residual = produced - task.edtl;
      } else if (produced < task.edtl) {
        residualFlags = 0x02; // U: underflow
        residual = task.edtl - produced;
      }
    }
    let dataSN = 0;
    const sendLength = data ? Math.min(data.length, task.edtl) : 0;
    if (data && sendLength > 0) {
      const collapse = response.status === ScsiStatus.GOOD && !response.sense;
      dataSN = this.sendDataIn(task, data.subarray(0, sendLength), collapse, residualFlags, residual, response.status);
      // The pooled buffer goes back once the socket has taken the last byte of it.
      if (unit?.recycle) this.socket.write(EMPTY, () => unit.recycle!(data));
      if (collapse) return;
    } else if (data) unit?.recycle?.(data);
    const bhs = newHeader(Opcode.SCSI_RESPONSE);
    bhs[1] = 0x80 | residualFlags;
    bhs[2] = 0x00; // command completed at target
    bhs[3] = response.status;
    bhs.writeUInt32BE(task.itt, 16);
    this.stamp(bhs, true);
    bhs.writeUInt32BE(task.direction === 'write' ? task.r2tSN : dataSN, 36);
    bhs.writeUInt32BE(residual, 44);
    let senseSegment: Buffer | null = null;
    if (response.sense && response.sense.length) {
      senseSegment = Buffer.allocUnsafe(2 + response.sense.length);
      senseSegment.writeUInt16BE(response.sense.length, 0);
      response.sense.copy(senseSegment, 2);
    }
    this.writePdu(bhs, senseSegment);
  }

  /** Sends read data in PDUs of at most MaxRecvDataSegmentLength (the initiator's), bursts of MaxBurstLength. */
  private sendDataIn(task: Task, data: Buffer, withStatus: boolean, residualFlags: number, residual: number, status: number): number {
    const segment = this.params.maxXmitDataSegmentLength;
    const burst = this.params.maxBurstLength;
    let dataSN = 0;
    for (let offset = 0; offset < data.length; ) {
      const burstEnd = Math.min(data.length, offset - (offset % burst) + burst);
      const length = Math.min(segment, burstEnd - offset);
      const last = offset + length === data.length;
      const bhs = newHeader(Opcode.SCSI_DATA_IN);
      bhs[1] = offset + length === burstEnd ? 0x80 : 0;
      if (last && withStatus) {
        bhs[1] |= 0x01 | residualFlags;
        bhs[3] = status;
      }
      task.lunField.copy(bhs, 8);
      bhs.writeUInt32BE(task.itt, 16);
      bhs.writeUInt32BE(RESERVED_TAG, 20);
      this.stamp(bhs, last && withStatus);
      bhs.writeUInt32BE(dataSN++, 36);
      bhs.writeUInt32BE(offset, 40);
      if (last && withStatus) bhs.writeUInt32BE(residual, 44);
      this.writePdu(bhs, data.subarray(offset, offset + length));
      offset += length;
    }
    return dataSN;
  }

  // ---- task management, NOP, text, logout --------------------------------------

  private onTaskManagement(pdu: Pdu): void {
    const bhs = pdu.bhs;
    const fn = bhs[1] & 0x7f;
    const lun = decodeLun(bhs);
    let response: number = TmfResponse.COMPLETE;
    switch (fn) {
      case TmfFunction.ABORT_TASK: {
        const task = this.tasks.get(bhs.readUInt32BE(20));
        if (task && task.lun === lun) this.abort(task);
        else response = TmfResponse.NO_TASK;
        break;
      }
      case TmfFunction.ABORT_TASK_SET:
      case TmfFunction.CLEAR_TASK_SET:
      case TmfFunction.LOGICAL_UNIT_RESET:
        if (!this.record?.lunMap().lookup(lun)) {
          response = TmfResponse.NO_LUN;
          break;
        }
        for (const task of [...this.tasks.values()]) if (task.lun === lun) this.abort(task);
        if (fn === TmfFunction.LOGICAL_UNIT_RESET) this.record.lunMap().lookup(lun)?.reset?.('lun', this.nexus!);
        break;
      case TmfFunction.TARGET_WARM_RESET:
      case TmfFunction.TARGET_COLD_RESET: {
        for (const task of [...this.tasks.values()]) this.abort(task);
        const lunMap = this.record?.lunMap();
        for (const n of lunMap?.luns() ?? []) lunMap?.lookup(n)?.reset?.('target', this.nexus!);
        break;
      }
      case TmfFunction.TASK_REASSIGN:
        response = TmfResponse.REASSIGN_UNSUPPORTED; // ERL 0
        break;
      default:
        response = TmfResponse.NOT_SUPPORTED;
    }
    const reply = newHeader(Opcode.TASK_MGMT_RESPONSE);
    reply[1] = 0x80;
    reply[2] = response;
    reply.writeUInt32BE(initiatorTaskTag(bhs), 16);
    this.stamp(reply, true);
    this.writePdu(reply, null);
    if (fn === TmfFunction.TARGET_COLD_RESET) this.closeAfterFlush();
  }

  private abort(task: Task): void {
    task.aborted = true;
    this.tasks.delete(task.itt);
    if (!task.executing) this.releaseBuffers(task); // an executing one's logical unit still holds them: finish()
  }

  private onNopOut(pdu: Pdu): void {
    const reply = newHeader(Opcode.NOP_IN);
    reply[1] = 0x80;
    pdu.bhs.copy(reply, 8, 8, 16); // LUN
    reply.writeUInt32BE(initiatorTaskTag(pdu.bhs), 16);
    reply.writeUInt32BE(RESERVED_TAG, 20);
    this.stamp(reply, true);
    this.writePdu(reply, pdu.data.length ? Buffer.from(pdu.data) : null);
  }

  /** NOP-In pings every NopInInterval seconds; no answer within NopInTimeout ends the connection. */
  private armNopIn(): void {
    const interval = this.targetParams.NopInInterval;
    if (interval <= 0) return;
    this.nopTimer = setTimeout(() => {
      if (this.phase !== 'full') return;
      const ping = newHeader(Opcode.NOP_IN);
      ping[1] = 0x80;
      ping.writeUInt32BE(RESERVED_TAG, 16);
      ping.writeUInt32BE(this.nextTtt, 20);
      this.nextTtt = this.nextTtt === 0xfffffffe ? 1 : this.nextTtt + 1;
      this.stamp(ping, false);
      this.writePdu(ping, null);
      this.nopDeadline = setTimeout(() => this.close(), this.targetParams.NopInTimeout * 1000);
      this.nopDeadline.unref();
    }, interval * 1000);
    this.nopTimer.unref();
  }

  private onNopReply(): void {
    clearTimeout(this.nopDeadline);
    this.armNopIn();
  }

  private onText(pdu: Pdu): void {
    const bhs = pdu.bhs;
    const itt = initiatorTaskTag(bhs);
    const ttt = bhs.readUInt32BE(20);
    let body: Buffer;
    if (ttt !== RESERVED_TAG && this.pendingText?.ttt === ttt) body = this.pendingText.rest;
    else {
      let pairs: TextPairs;
      try {
        pairs = decodeText(pdu.data);
      } catch (e) {
        if (!(e instanceof TextFormatError)) throw e;
        this.sendReject(RejectReason.PROTOCOL_ERROR, bhs);
        return;
      }
      body = encodeText(this.answerText(pairs));
    }
    this.pendingText = undefined;
    const limit = this.params.maxXmitDataSegmentLength;
    const reply = newHeader(Opcode.TEXT_RESPONSE);
    reply.writeUInt32BE(itt, 16);
    if (body.length > limit) {
      // Continue in the next Text Request carrying our Target Transfer Tag (RFC 7143 §11.11.2).
      const tag = this.nextTtt;
      this.nextTtt = this.nextTtt === 0xfffffffe ? 1 : this.nextTtt + 1;
      this.pendingText = { ttt: tag, rest: body.subarray(limit) };
      reply[1] = 0x40;
      reply.writeUInt32BE(tag, 20);
      body = body.subarray(0, limit);
    } else {
      reply[1] = 0x80;
      reply.writeUInt32BE(RESERVED_TAG, 20);
    }
    this.stamp(reply, true);
    this.writePdu(reply, body.length ? body : null);
  }

  private answerText(pairs: TextPairs): TextPairs {
    const answers: TextPairs = [];
    for (const [key, value] of pairs) {
      if (key === 'SendTargets') answers.push(...this.sendTargets(value));
      else if (key.startsWith('X-') || key.startsWith('X#')) answers.push([key, 'NotUnderstood']);
      else answers.push([key, 'Reject']); // renegotiation in the full-feature phase is not offered
    }
    return answers;
  }

  /** SendTargets: targets this initiator may log in to through this portal. */
  private sendTargets(value: string): TextPairs {
    const local = this.socket.localAddress ?? this.host.portalHost;
    const port = this.socket.localPort ?? this.host.portalPort;
    const answers: TextPairs = [];
    const discovery = this.login.kind === 'discovery';
    if (!discovery && value !== '' && value !== this.targetName) return answers;
    if (discovery && value !== 'All') {
      const target = this.host.backend.target(value);
      if (target && target.enabled && portalAllowed(target, local)) {
        answers.push(['TargetName', target.name], ['TargetAddress', targetAddress(local, port, target.portalGroupTag)]);
      }
      return answers;
    }
    for (const target of this.host.backend.targets()) {
      if (!target.enabled || !portalAllowed(target, local)) continue;
      if (!discovery && target.name !== this.targetName) continue;
      answers.push(['TargetName', target.name], ['TargetAddress', targetAddress(local, port, target.portalGroupTag)]);
    }
    return answers;
  }

  private onLogout(pdu: Pdu): void {
    const bhs = pdu.bhs;
    const reason = bhs[1] & 0x7f;
    let response = 0;
    if (reason === 2) response = 2; // connection recovery is not supported at ERL 0
    else if (reason === 1 && bhs.readUInt16BE(20) !== this.login.cid) response = 1;
    const reply = newHeader(Opcode.LOGOUT_RESPONSE);
    reply[1] = 0x80;
    reply[2] = response;
    reply.writeUInt32BE(initiatorTaskTag(bhs), 16);
    this.stamp(reply, true);
    this.writePdu(reply, null);
    if (response === 0) this.closeAfterFlush();
  }

  // ---- sending -------------------------------------------------------------------

  /**
   * Everything sent during one turn of the event loop (several completions,
   * all Data-In PDUs of a read) leaves in one writev instead of a syscall per PDU.
   */
  private batchWrites(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  /** StatSN/ExpCmdSN/MaxCmdSN of a target PDU; status-bearing PDUs advance StatSN. */
  private stamp(bhs: Buffer, status: boolean): void {
    bhs.writeUInt32BE(this.statSN, 24);
    if (status) this.statSN = (this.statSN + 1) >>> 0;
    const window = Math.max(1, this.targetParams.QueuedCommands - this.tasks.size);
    const max = (this.expCmdSN + window - 1) >>> 0;
    if (serialLess(this.maxCmdSN, max)) this.maxCmdSN = max; // MaxCmdSN never moves back
    bhs.writeUInt32BE(this.expCmdSN, 28);
    bhs.writeUInt32BE(this.maxCmdSN, 32);
  }

  private sendReject(reason: number, offending: Buffer): void {
    const bhs = newHeader(Opcode.REJECT);
    bhs[1] = 0x80;
    bhs[2] = reason;
    bhs.writeUInt32BE(RESERVED_TAG, 16);
    if (this.phase === 'full') this.stamp(bhs, true);
    this.writePdu(bhs, Buffer.from(offending.subarray(0, 48)));
  }

  private writePdu(bhs: Buffer, data: Buffer | null): void {
    if (this.socket.destroyed) return;
    this.batchWrites();
    const length = data ? data.length : 0;
    setDataSegmentLength(bhs, length);
    const digests = this.phase === 'full' || this.phase === 'closed';
    const headerDigest = digests && this.params?.headerDigest;
    const dataDigest = digests && this.params?.dataDigest;
    this.socket.write(bhs);
    if (headerDigest) this.socket.write(digestOf(bhs, 0, bhs.length));
    if (data && length > 0) {
      this.socket.write(data);
      const pad = pad4(length);
      if (pad) this.socket.write(PADDING.subarray(0, pad));
      if (dataDigest) {
        const digest = Buffer.allocUnsafe(4);
        digest.writeUInt32LE(crc32cUpdate(crc32c(data), PADDING, 0, pad), 0);
        this.socket.write(digest);
      }
    }
  }
}

function digestOf(data: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32LE(crc32c(data, start, end), 0);
  return out;
}

/** RFC 1982 serial-number comparison on 32 bits: a < b. */
function serialLess(a: number, b: number): boolean {
  return a !== b && ((b - a) >>> 0) < 0x80000000;
}

function negotiatedValues(p: SessionParams): Record<string, string> {
  const yesNo = (b: boolean): string => (b ? 'Yes' : 'No');
  return {
    InitialR2T: yesNo(p.initialR2T),
    ImmediateData: yesNo(p.immediateData),
    MaxRecvDataSegmentLength: String(p.maxRecvDataSegmentLength),
    MaxXmitDataSegmentLength: String(p.maxXmitDataSegmentLength),
    MaxBurstLength: String(p.maxBurstLength),
    FirstBurstLength: String(p.firstBurstLength),
    MaxOutstandingR2T: String(p.maxOutstandingR2T),
    HeaderDigest: p.headerDigest ? 'CRC32C' : 'None',
    DataDigest: p.dataDigest ? 'CRC32C' : 'None',
  };
}
