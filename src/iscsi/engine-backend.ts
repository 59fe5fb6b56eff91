/**
 * The engine's `iscsi` target driver as the iSCSI transport sees it: its
 * targets, their iscsi-scst attributes (sysfs.md §8.10), their LUN sets
 * through the engine's data path, and the sessions it creates, which appear
 * under targets/iscsi/<target>/sessions/ with iscsi-scst's session files.
 */
import type { DataPath } from '../engine/data-path.js';
import type { ScstEngine } from '../engine/engine.js';
import { IscsiDriver, type IscsiTarget } from '../engine/drivers/iscsi.js';
import { dir, ro, type Entries } from '../engine/nodes.js';
import type { Session } from '../engine/session.js';
import type { DataDirection } from '../engine/scsi/types.js';
import type {
  ChapAccount,
  IscsiBackend,
  IscsiSessionInfo,
  IscsiTargetView,
  SessionControl,
  SessionRecord,
} from './backend.js';
import type { TargetParams } from './params.js';

/** iscsi-scst's target portal group tag (one portal group per target). */
const PORTAL_GROUP_TAG = 1;

export class EngineIscsiBackend implements IscsiBackend {
  constructor(
    private readonly engine: ScstEngine,
    private readonly dataPath: DataPath,
  ) {}

  private get driver(): IscsiDriver | undefined {
    const driver = this.engine.getDriver('iscsi');
    return driver instanceof IscsiDriver ? driver : undefined;
  }

  driverEnabled(): boolean {
    return this.driver?.enabled ?? false;
  }

  *targets(): Iterable<IscsiTargetView> {
    const driver = this.driver;
    if (!driver) return;
    for (const target of driver.targets.values()) yield this.view(target as IscsiTarget);
  }

  target(name: string): IscsiTargetView | undefined {
    const target = this.driver?.getTarget(name);
    return target && this.view(target);
  }

  discoveryIncomingUsers(): ChapAccount[] {
    return accounts(this.driver?.accounts.incoming ?? []);
  }

  discoveryOutgoingUser(): ChapAccount | undefined {
    return accounts(this.driver?.accounts.outgoing ?? [])[0];
  }

  private view(target: IscsiTarget): IscsiTargetView {
    const dataPath = this.dataPath;
    return {
      name: target.name,
      enabled: target.enabled,
      alias: target.alias,
      portalGroupTag: PORTAL_GROUP_TAG,
      relativeTargetPortId: target.relTgtId,
      params: targetParams(target),
      incomingUsers: accounts(target.accounts.incoming),
      outgoingUser: accounts(target.accounts.outgoing)[0],
      allowedPortals: target.portals.map((p) => p.pattern),
      openSession(info: IscsiSessionInfo, control: SessionControl): SessionRecord {
        const session = target.addSession(info.initiatorName, {
          entries: () => sessionEntries(info),
          onForceClose: () => control.forceClose(),
        });
        return {
          commandStarted: (direction, bytes) => countCommand(session, direction, bytes),
          commandFinished: () => {
            session.activeCommands--;
            session.commands--;
          },
          lunMap: () => dataPath.lunMap(session.lunSet()),
          closed: () => target.removeSession(session),
        };
      },
    };
  }
}

function accounts(list: ReadonlyArray<{ user: string; secret: string }>): ChapAccount[] {
  return list.map((a) => ({ user: a.user, secret: a.secret }));
}

/** The negotiable limits a target is configured with (its iscsi-scst attributes). */
function targetParams(target: IscsiTarget): TargetParams {
  const n = (name: string): number => Number(target.param(name));
  const yes = (name: string): boolean => target.param(name) === 'Yes';
  const digests = (name: string): string[] => target.param(name).split(',');
  return {
    InitialR2T: yes('InitialR2T'),
    ImmediateData: yes('ImmediateData'),
    MaxRecvDataSegmentLength: n('MaxRecvDataSegmentLength'),
    MaxXmitDataSegmentLength: n('MaxXmitDataSegmentLength'),
    MaxBurstLength: n('MaxBurstLength'),
    FirstBurstLength: n('FirstBurstLength'),
    MaxOutstandingR2T: n('MaxOutstandingR2T'),
    HeaderDigest: digests('HeaderDigest'),
    DataDigest: digests('DataDigest'),
    QueuedCommands: n('QueuedCommands'),
    NopInInterval: n('NopInInterval'),
    NopInTimeout: n('NopInTimeout'),
    RspTimeout: n('RspTimeout'),
    MaxSessions: n('MaxSessions'),
  };
}

/** Per-direction counters of the session directory (sysfs.md §8.8). */
function countCommand(session: Session, direction: DataDirection, bytes: number): void {
  session.commands++;
  session.activeCommands++;
  if (direction === 'none') session.noneCmdCount++;
  else {
    const c = session.counters[direction];
    c.cmds++;
    c.bytes += bytes;
  }
}

/** iscsi-scst's session files (sysfs.md §8.10): negotiated values, sid, and one directory per connection. */
function sessionEntries(info: IscsiSessionInfo): Entries {
  const e: Entries = Object.entries(info.negotiated).map(([name, value]) => [name, ro(() => `${value}\n`)]);
  e.push(['sid', ro(() => `${info.sid.toString(16)}\n`)]);
  e.push(['reinstating', ro(() => '0\n')]);
  e.push(['thread_pid', ro(() => `${process.pid}\n`)]);
  const connection = dir(() => [
    ['cid', ro(() => '0')],
    ['ip', ro(() => info.initiatorAddress)],
    ['target_ip', ro(() => info.targetAddress)],
    ['transport', ro(() => 'iSCSI-TCP\n')],
    ['state', ro(() => 'established idle ')],
  ]);
  e.push([info.initiatorAddress.includes(':') ? `[${info.initiatorAddress}]` : info.initiatorAddress, connection]);
  return e;
}
