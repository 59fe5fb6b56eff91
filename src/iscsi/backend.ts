/**
 * What the iSCSI target driver needs from the engine: the configured
 * targets (their iscsi-scst attributes, sysfs.md §8.10), their LUN maps per
 * initiator (SCST's ini-group matching), and a place to report sessions so
 * they show up under targets/iscsi/<tgt>/sessions/. The engine implements it;
 * tests use small doubles.
 */
import type { DataDirection, LunMap } from '../engine/scsi/types.js';
import type { TargetParams } from './params.js';

export interface ChapAccount {
  user: string;
  secret: string;
}

export interface IscsiSessionInfo {
  initiatorName: string;
  /** ISID as 12 hex digits. */
  isid: string;
  tsih: number;
  /** 64-bit session id as iscsi-scst shows it in `sid` (ISID << 16 | TSIH). */
  sid: bigint;
  initiatorAddress: string;
  initiatorPort: number;
  targetAddress: string;
  /** Negotiated values, shown read-only in the session directory. */
  negotiated: Record<string, string>;
}

/** The engine's record of one session; the transport keeps it up to date. */
export interface SessionRecord {
  /** A command started: the engine counts it per direction (sysfs.md §8.8 `*_cmd_count`, `*_io_count_kb`). */
  commandStarted(direction: DataDirection, bytes: number): void;
  commandFinished(): void;
  /** The LUN set the session sees (re-evaluated by the engine on ACL changes). */
  lunMap(): LunMap;
  /** Called by the transport when the session ends (logout, connection loss, reinstatement). */
  closed(): void;
}

/** Asks the transport to end a session (force_close, target disable, target deletion). */
export interface SessionControl {
  forceClose(): void;
}

export interface IscsiTargetView {
  readonly name: string;
  readonly enabled: boolean;
  readonly alias: string;
  /** TargetPortalGroupTag sent at login (iscsi-scst uses 1). */
  readonly portalGroupTag: number;
  readonly relativeTargetPortId: number;
  readonly params: TargetParams;
  /** Accounts an initiator may authenticate as (one-way CHAP). Empty: AuthMethod=None. */
  readonly incomingUsers: ChapAccount[];
  /** The target's own account for mutual CHAP. */
  readonly outgoingUser: ChapAccount | undefined;
  /** allowed_portal patterns (wildcards); empty allows every portal. */
  readonly allowedPortals: string[];
  /** Registers a logged-in session; `control` lets the engine force-close it. */
  openSession(info: IscsiSessionInfo, control: SessionControl): SessionRecord;
}

export interface IscsiBackend {
  /** `targets/iscsi/enabled`: the driver accepts logins only when enabled. */
  driverEnabled(): boolean;
  targets(): Iterable<IscsiTargetView>;
  target(name: string): IscsiTargetView | undefined;
  /** Driver-level IncomingUser accounts: authentication of discovery sessions. */
  discoveryIncomingUsers(): ChapAccount[];
  discoveryOutgoingUser(): ChapAccount | undefined;
}
