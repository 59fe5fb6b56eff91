/**
 * Test doubles for the iSCSI driver tests: a RAM disk logical unit that
 * answers the handful of commands initiators need to log in and move data,
 * and an in-memory IscsiBackend.
 */
import type { LogicalUnit, LunMap, ScsiCommand, ScsiResponse } from '../../src/engine/scsi/types.js';
import type {
  ChapAccount,
  IscsiBackend,
  IscsiSessionInfo,
  IscsiTargetView,
  SessionControl,
  SessionRecord,
} from '../../src/iscsi/backend.js';
import { DEFAULT_TARGET_PARAMS, type TargetParams } from '../../src/iscsi/params.js';

const GOOD: Omit<ScsiResponse, 'dataIn'> = { status: 0, sense: null };

function illegalRequest(asc: number): ScsiResponse {
  const sense = Buffer.alloc(18);
  sense[0] = 0x70;
  sense[2] = 0x05;
  sense[7] = 10;
  sense[12] = asc;
  return { status: 2, sense, dataIn: null };
}

export class RamDisk implements LogicalUnit {
  readonly data: Buffer;
  constructor(
    readonly blocks = 2048,
    readonly blockSize = 512,
  ) {
    this.data = Buffer.alloc(blocks * blockSize);
  }

  async execute(cmd: ScsiCommand): Promise<ScsiResponse> {
    const cdb = cmd.cdb;
    switch (cdb[0]) {
      case 0x00: // TEST UNIT READY
        return { ...GOOD, dataIn: null };
      case 0x12: {
        // INQUIRY (standard only)
        if (cdb[1] & 1) return illegalRequest(0x24);
        const inq = Buffer.alloc(36, 0x20);
        inq.fill(0, 0, 8);
        inq[2] = 6;
        inq[3] = 2;
        inq[4] = 31;
        inq.write('RAMDISK', 8, 'latin1');
        return { ...GOOD, dataIn: inq.subarray(0, Math.min(cdb.readUInt16BE(3), 36)) };
      }
      case 0x25: {
        const cap = Buffer.alloc(8);
        cap.writeUInt32BE(this.blocks - 1, 0);
        cap.writeUInt32BE(this.blockSize, 4);
        return { ...GOOD, dataIn: cap };
      }
      case 0x9e: {
        const cap = Buffer.alloc(32);
        cap.writeBigUInt64BE(BigInt(this.blocks - 1), 0);
        cap.writeUInt32BE(this.blockSize, 8);
        return { ...GOOD, dataIn: cap.subarray(0, Math.min(cdb.readUInt32BE(10), 32)) };
      }
      case 0x28:
      case 0x2a: {
        const lba = cdb.readUInt32BE(2);
        const count = cdb.readUInt16BE(7);
        return this.io(cdb[0] === 0x2a, lba, count, cmd);
      }
      case 0x88:
      case 0x8a: {
        const lba = Number(cdb.readBigUInt64BE(2));
        const count = cdb.readUInt32BE(10);
        return this.io(cdb[0] === 0x8a, lba, count, cmd);
      }
      default:
        return illegalRequest(0x20);
    }
  }

  private io(write: boolean, lba: number, count: number, cmd: ScsiCommand): ScsiResponse {
    if (lba + count > this.blocks) return illegalRequest(0x21);
    const start = lba * this.blockSize;
    const length = count * this.blockSize;
    if (write) {
      cmd.dataOut?.copy(this.data, start, 0, Math.min(length, cmd.dataOut.length));
      return { ...GOOD, dataIn: null, cdbTransferLength: length };
    }
    return { ...GOOD, dataIn: Buffer.from(this.data.subarray(start, start + length)) };
  }
}

export class FixedLunMap implements LunMap {
  constructor(private readonly units: Map<number, LogicalUnit>) {}
  lookup(lun: number): LogicalUnit | undefined {
    return this.units.get(lun);
  }
  luns(): number[] {
    return [...this.units.keys()].sort((a, b) => a - b);
  }
}

export interface OpenedSession {
  info: IscsiSessionInfo;
  control: SessionControl;
  closed: boolean;
  commands: number;
  active: number;
}

export class FakeTarget implements IscsiTargetView {
  enabled = true;
  alias = '';
  portalGroupTag = 1;
  relativeTargetPortId = 1;
  params: TargetParams = { ...DEFAULT_TARGET_PARAMS };
  incomingUsers: ChapAccount[] = [];
  outgoingUser: ChapAccount | undefined;
  allowedPortals: string[] = [];
  readonly sessions: OpenedSession[] = [];

  constructor(
    readonly name: string,
    readonly lunMaps: (initiator: string) => LunMap,
  ) {}

  openSession(info: IscsiSessionInfo, control: SessionControl): SessionRecord {
    const opened: OpenedSession = { info, control, closed: false, commands: 0, active: 0 };
    this.sessions.push(opened);
    return {
      commandStarted: () => {
        opened.commands++;
        opened.active++;
      },
      commandFinished: () => {
        opened.active--;
      },
      lunMap: () => this.lunMaps(info.initiatorName),
      closed: () => {
        opened.closed = true;
      },
    };
  }
}

export class FakeBackend implements IscsiBackend {
  enabled = true;
  discoveryUsers: ChapAccount[] = [];
  readonly byName = new Map<string, FakeTarget>();

  add(target: FakeTarget): FakeTarget {
    this.byName.set(target.name, target);
    return target;
  }
  driverEnabled(): boolean {
    return this.enabled;
  }
  targets(): Iterable<IscsiTargetView> {
    return this.byName.values();
  }
  target(name: string): IscsiTargetView | undefined {
    return this.byName.get(name);
  }
  discoveryIncomingUsers(): ChapAccount[] {
    return this.discoveryUsers;
  }
  discoveryOutgoingUser(): ChapAccount | undefined {
    return undefined;
  }
}
