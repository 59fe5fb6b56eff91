/**
 * The seam between a transport (the iSCSI target driver) and the SCSI
 * service of the engine, like SCST's split between target drivers and
 * device handlers: a transport turns PDUs into ScsiCommands, finds the
 * LogicalUnit through the session's LunMap and sends back the ScsiResponse.
 */

export type DataDirection = 'none' | 'read' | 'write' | 'bidi';

/** SAM status codes. */
export const ScsiStatus = {
  GOOD: 0x00,
  CHECK_CONDITION: 0x02,
  CONDITION_MET: 0x04,
  BUSY: 0x08,
  RESERVATION_CONFLICT: 0x18,
  TASK_SET_FULL: 0x28,
  ACA_ACTIVE: 0x30,
  TASK_ABORTED: 0x40,
} as const;

/** The I_T nexus a command arrives on (unit attentions are per nexus). */
export interface Nexus {
  /** Initiator port name, e.g. `iqn.1994-05.com.redhat:host,i,0x…`. */
  readonly initiatorName: string;
  /** Relative target port identifier (the target's rel_tgt_id). */
  readonly relativeTargetPortId: number;
  /** Target port name (e.g. the target IQN), for VPD 0x83. */
  readonly targetPortName: string;
}

export interface ScsiCommand {
  nexus: Nexus;
  /** The CDB as received (6 to 16 bytes; a transport may pass a larger slice). */
  cdb: Buffer;
  /** Expected Data Transfer Length announced by the transport. */
  expectedLength: number;
  direction: DataDirection;
  /** Data-Out payload (write data), fully gathered, or null. */
  dataOut: Buffer | null;
  /**
   * The session's LUN set, so a logical unit can answer REPORT LUNS itself.
   * Optional: a transport may answer REPORT LUNS before reaching any LU
   * (it must for an unmapped LUN; see respondReportLuns()).
   */
  lunMap?: LunMap;
  /**
   * Set when the command came through a read_only LUN: the unit treats it
   * as write-protected (DATA PROTECT, WP bit in MODE SENSE), while other
   * LUNs of the same device may write (SCST's per-LUN read_only).
   */
  lunReadOnly?: boolean;
}

export interface ScsiResponse {
  status: number;
  /** Sense data (fixed or descriptor format) for CHECK CONDITION, else null. */
  sense: Buffer | null;
  /**
   * Data-In payload, or null. Its length may differ from expectedLength;
   * the transport reports the under/overflow residual.
   */
  dataIn: Buffer | null;
  /**
   * Bytes the CDB itself asks to transfer, when the command has a data
   * phase. The transport compares it with the Expected Data Transfer Length
   * to report residual over/underflow (needed for writes, where dataIn is
   * null). Absent: the transport uses dataIn's length.
   */
  cdbTransferLength?: number;
}

/** One addressable logical unit behind a LUN of some LUN set. */
export interface LogicalUnit {
  execute(cmd: ScsiCommand): Promise<ScsiResponse>;
  /**
   * A LOGICAL UNIT RESET or target reset arrived on `nexus` (task management):
   * the unit raises the reset unit attention for every other nexus.
   */
  reset?(scope: 'lun' | 'target', nexus: Nexus): void;
  /**
   * Optional: the I_T nexus ended (logout, connection loss, session
   * reinstatement). Its unit attentions and medium-removal prevention are
   * dropped; a later login is a new nexus (power-on unit attention again).
   */
  nexusLost?(nexus: Nexus): void;
  /**
   * Optional: hands a response's dataIn back once the transport has sent it,
   * so READ buffers are reused instead of allocated per command.
   */
  recycle?(dataIn: Buffer): void;
}

/** The LUN set a session sees (target default LUNs or its initiator group's). */
export interface LunMap {
  lookup(lun: number): LogicalUnit | undefined;
  /** LUN numbers in ascending order (REPORT LUNS). */
  luns(): number[];
}
