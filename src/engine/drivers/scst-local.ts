/** scst_local: local SCSI hosts as targets (sysfs.md §8.11). */
import { EngineError } from '../node.js';
import { link, ro, rw, type Entries } from '../nodes.js';
import { Lexer, checkObjectName, keyed, kstrtoul } from '../parse.js';
import { TraceLevel } from '../trace-level.js';
import { ScstTarget, TargetDriver, parseTargetCommand, type DriverMgmt } from '../target.js';
import type { Session, SessionOptions } from '../session.js';
import type { ScstEngine } from '../engine.js';

const USAGE =
  'Usage: echo "add_target target_name [parameters]" >mgmt\n' +
  '       echo "del_target target_name" >mgmt\n' +
  '       echo "add_session target_name session_name" >mgmt\n' +
  '       echo "del_session target_name session_name" >mgmt\n\n' +
  "where parameters are one or more param_name=value pairs separated by ';'\n\n\n" +
  'The following parameters available: session_name\n\n';

/** Default scsi_transport_version shown while unset (SAS). */
const DEFAULT_SCSI_TRANSPORT_VERSION = 0xbe0n;

export class LocalTarget extends ScstTarget {
  /** 0 = unset (shows the default 0xbe0). */
  scsiTransportVersion = 0n;
  physTransportVersion = 0n;
}

interface LocalSessionInfo {
  hostNo: number;
  transportId: string;
}

interface LocalTargetState {
  scsiTransportVersion: string;
  physTransportVersion: string;
  sessions: Record<string, LocalSessionInfo>;
}

export class ScstLocalDriver extends TargetDriver {
  readonly supportsEnable = false;
  readonly canCloseSessions = true;
  readonly sgTablesize = 65535;
  override readonly trace = new TraceLevel('plain');
  /** SCSI host numbers handed to local hosts (the emulated machine has hosts 0-1 of its own). */
  private nextHostNo = 2;
  private readonly sessionInfo = new WeakMap<Session, LocalSessionInfo>();

  constructor(engine: ScstEngine) {
    super(engine, 'scst_local');
  }

  override mgmt(): DriverMgmt {
    return { usage: () => USAGE, command: (d) => this.command(d) };
  }

  override driverEntries(): Entries {
    return [
      ['version', ro(() => '3.11.0-pre/20110901\nTRACING\n')],
      ['stats', ro(() => 'Aborts: 0, Device Resets: 0, Target Resets: 0\n')],
    ];
  }

  override targetEntries(target: ScstTarget): Entries {
    const t = target as LocalTarget;
    return [
      ['scsi_transport_version', rw(() => (t.scsiTransportVersion === 0n ? `0x${DEFAULT_SCSI_TRANSPORT_VERSION.toString(16)}\n` : keyed(`0x${t.scsiTransportVersion.toString(16)}`, true)), (d) => {
        t.scsiTransportVersion = kstrtoul(d, 'scsi_transport_version') & 0xffffn;
      })],
      ['phys_transport_version', rw(() => keyed(`0x${t.physTransportVersion.toString(16)}`, t.physTransportVersion !== 0n), (d) => {
        t.physTransportVersion = kstrtoul(d, 'phys_transport_version') & 0xffffn;
      })],
    ];
  }

  override sessionEntries(session: Session): Entries {
    const info = this.infoOf(session);
    return [
      ['host_no', ro(() => `${info.hostNo}\n`)],
      ['transport_id', rw(() => info.transportId, (d) => (info.transportId = d))],
      // The local SCSI host lives outside /sys/kernel/scst_tgt, under the
      // scst_local root device, in an adapter device named after the session.
      ['host', link(() => `../../devices/scst_local/${session.dirName}/host${info.hostNo}`)],
    ];
  }

  private infoOf(session: Session): LocalSessionInfo {
    let info = this.sessionInfo.get(session);
    if (!info) {
      info = { hostNo: this.nextHostNo++, transportId: sasTransportId(session.initiatorName) };
      this.sessionInfo.set(session, info);
    }
    return info;
  }

  /** Opens a local session (a new local SCSI host). */
  addLocalSession(target: ScstTarget, name: string): Session {
    const s = target.addSession(name, { persistent: true });
    this.infoOf(s);
    return s;
  }

  private command(data: string): void {
    const { cmd, name, lexer } = parseTargetCommand(data, this.name);
    if (cmd === 'add_target') {
      if (this.targets.has(name)) throw new EngineError('EFAULT', `scst_local: target "${name}" already exists`);
      // A bad parameter removes the new target again: validating first is equivalent.
      const sessions = parseSessionParams(lexer.rest());
      const target = new LocalTarget(this.engine, this, name);
      this.register(target);
      for (const s of sessions) this.addLocalSession(target, s);
      return;
    }
    if (cmd === 'del_target') {
      const target = this.targets.get(name);
      if (!target) throw new EngineError('ENOENT', `scst_local: no target "${name}"`);
      this.unregister(target);
      return;
    }
    const tgtName = lexer.next();
    const sessName = lexer.next();
    if (tgtName === '' || sessName === '') throw new EngineError('EINVAL', `scst_local: ${cmd} needs a target and a session name`);
    const target = this.targets.get(tgtName);
    if (!target) throw new EngineError('EINVAL', `scst_local: no target "${tgtName}"`);
    if (cmd === 'add_session') {
      checkObjectName(sessName, 'session');
      this.addLocalSession(target, sessName);
    } else if (cmd === 'del_session') {
      const s = [...target.sessions.values()].find((x) => x.initiatorName === sessName);
      if (!s) throw new EngineError('EINVAL', `scst_local: no session "${sessName}" on "${tgtName}"`);
      target.removeSession(s);
    }
    // Any other keyword with valid names is silently accepted, as the driver does.
  }

  restoreTarget(name: string): ScstTarget {
    return new LocalTarget(this.engine, this, name);
  }

  override targetState(target: ScstTarget): LocalTargetState {
    const t = target as LocalTarget;
    const sessions: LocalTargetState['sessions'] = {};
    for (const s of t.sessions.values()) sessions[s.dirName] = { ...this.infoOf(s) };
    return { scsiTransportVersion: t.scsiTransportVersion.toString(), physTransportVersion: t.physTransportVersion.toString(), sessions };
  }

  override applyTargetState(target: ScstTarget, state: unknown): void {
    const t = target as LocalTarget;
    const s = state as LocalTargetState;
    t.scsiTransportVersion = BigInt(s.scsiTransportVersion);
    t.physTransportVersion = BigInt(s.physTransportVersion);
    for (const session of t.sessions.values()) {
      const info = s.sessions[session.dirName];
      if (info) this.sessionInfo.set(session, { ...info });
    }
  }

  override toState(): unknown {
    return { nextHostNo: this.nextHostNo };
  }

  override restoreState(state: unknown): void {
    const s = state as { nextHostNo?: number } | null;
    if (s?.nextHostNo !== undefined) this.nextHostNo = s.nextHostNo;
  }

  override sessionOptionsForRestore(): SessionOptions {
    return { persistent: true };
  }
}

/** add_target parameters: only session_name=<s>; an empty or blank segment ends the list (§8.11). */
function parseSessionParams(text: string): string[] {
  const lexer = new Lexer(text);
  const names: string[] = [];
  for (let seg = lexer.nextParam(); seg !== null; seg = lexer.nextParam()) {
    const parts = new Lexer(seg);
    const key = parts.next();
    // A blank segment (e.g. after a trailing "; ") ends the list without error.
    if (key === '') break;
    const value = parts.next();
    if (key.toLowerCase() !== 'session_name') throw new EngineError('EINVAL', `scst_local: unknown parameter "${key}"`);
    if (value === '') throw new EngineError('EINVAL', 'scst_local: session_name without value');
    checkObjectName(value, 'session');
    names.push(value);
  }
  return names;
}

/** A 24-byte SAS TransportID (protocol 6) with an address derived from the session name. */
function sasTransportId(name: string): string {
  const bytes = Buffer.alloc(24);
  bytes[0] = 0x06;
  let h = 0x5000000000000000n;
  for (const ch of Buffer.from(name)) h = (h * 31n + BigInt(ch)) & 0x0fffffffffffffffn;
  bytes.writeBigUInt64BE(0x5000000000000000n | h, 4);
  return bytes.toString('latin1');
}
