/**
 * A minimal IscsiBackend for the data-path benchmark: enabled targets with
 * a fixed LUN map and no authentication, so the measurement covers the
 * iSCSI transport and the SCSI logical units, not the configuration engine.
 */
import type { LogicalUnit, LunMap } from '../../src/engine/scsi/types.js';
import {
  DEFAULT_TARGET_PARAMS,
  type ChapAccount,
  type IscsiBackend,
  type IscsiSessionInfo,
  type IscsiTargetView,
  type SessionControl,
  type SessionRecord,
  type TargetParams,
} from '../../src/iscsi/index.js';

export class SingleLunMap implements LunMap {
  constructor(
    private readonly lun: number,
    private readonly unit: LogicalUnit,
  ) {}
  lookup(lun: number): LogicalUnit | undefined {
    return lun === this.lun ? this.unit : undefined;
  }
  luns(): number[] {
    return [this.lun];
  }
}

export class BenchTarget implements IscsiTargetView {
  readonly enabled = true;
  readonly alias = '';
  readonly portalGroupTag = 1;
  readonly relativeTargetPortId = 1;
  readonly params: TargetParams = { ...DEFAULT_TARGET_PARAMS };
  readonly incomingUsers: ChapAccount[] = [];
  readonly outgoingUser = undefined;
  readonly allowedPortals: string[] = [];

  constructor(
    readonly name: string,
    private readonly luns: LunMap,
  ) {}

  openSession(_info: IscsiSessionInfo, _control: SessionControl): SessionRecord {
    // No sysfs to show counters in: the benchmark reads its own figures.
    return {
      commandStarted: () => undefined,
      commandFinished: () => undefined,
      lunMap: () => this.luns,
      closed: () => undefined,
    };
  }
}

export class BenchBackend implements IscsiBackend {
  private readonly byName = new Map<string, BenchTarget>();

  add(target: BenchTarget): void {
    this.byName.set(target.name, target);
  }
  driverEnabled(): boolean {
    return true;
  }
  targets(): Iterable<IscsiTargetView> {
    return this.byName.values();
  }
  target(name: string): IscsiTargetView | undefined {
    return this.byName.get(name);
  }
  discoveryIncomingUsers(): ChapAccount[] {
    return [];
  }
  discoveryOutgoingUser(): ChapAccount | undefined {
    return undefined;
  }
}
