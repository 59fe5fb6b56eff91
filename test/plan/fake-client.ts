/**
 * An in-memory SCST for the planner tests: a LiveScst that applies
 * Operations to itself the way the kernel does (objects get the kernel's
 * default attributes, del_device drops the device's LUNs and device-group
 * memberships), logs every operation, and can be told to fail some.
 */
import type { LiveAttribute, LiveAttributeMap, LiveScst, LiveTarget } from '../../src/model/live.js';
import type { Operation } from '../../src/model/operations.js';
import { applyOperation, cloneLive } from '../../src/plan/index.js';
import { ScstOperationError, type ScstClient } from '../../src/sysfs/client-api.js';
import { SysfsError, type SysfsTree } from '../../src/sysfs/tree.js';

export function attr(value: string, options: { key?: boolean; readOnly?: boolean } = {}): LiveAttribute {
  return { values: [value], key: options.key ?? false, readOnly: options.readOnly ?? false, writeOnly: false };
}

export function keyAttr(...values: string[]): LiveAttribute {
  return { values, key: true, readOnly: false, writeOnly: false };
}

export function attrs(entries: Record<string, LiveAttribute>): LiveAttributeMap {
  return new Map(Object.entries(entries));
}

/** The attributes a fresh object of each kind shows (non-key defaults), keyed by handler/driver. */
const DEVICE_DEFAULTS: Record<string, Record<string, string>> = {
  vdisk_fileio: { blocksize: '512', nv_cache: '0', read_only: '0', t10_dev_id: '', threads_num: '1' },
  vdisk_blockio: { blocksize: '512', nv_cache: '0', read_only: '0', t10_dev_id: '' },
  vdisk_nullio: { blocksize: '512', dummy: '0', read_only: '0', t10_dev_id: '' },
};
const TARGET_DEFAULTS: Record<string, Record<string, string>> = {
  iscsi: { enabled: '0', rel_tgt_id: '0', HeaderDigest: 'None' },
  qla2x00t: { enabled: '0', rel_tgt_id: '0' },
};

function addDefaults(into: LiveAttributeMap, defaults: Record<string, string>, substitute: string): void {
  for (const [name, value] of Object.entries(defaults)) {
    if (!into.has(name)) into.set(name, attr(name === 't10_dev_id' ? substitute : value));
  }
}

/** A tree with nothing in it: the planner tests never read sysfs directly. */
const EMPTY_TREE: SysfsTree = {
  readdir: async (path) => Promise.reject(new SysfsError('ENOENT', path)),
  lstat: async (path) => Promise.reject(new SysfsError('ENOENT', path)),
  stat: async (path) => Promise.reject(new SysfsError('ENOENT', path)),
  read: async (path) => Promise.reject(new SysfsError('ENOENT', path)),
  write: async (path) => Promise.reject(new SysfsError('ENOENT', path)),
  readlink: async (path) => Promise.reject(new SysfsError('ENOENT', path)),
};

export class FakeScstClient implements ScstClient {
  readonly tree = EMPTY_TREE;
  readonly log: Operation[] = [];
  /** Return an error to make an operation fail (nothing is changed then). */
  failOn: (op: Operation) => ScstOperationError | undefined = () => undefined;
  reads = 0;

  constructor(public state: LiveScst) {}

  async readLive(): Promise<LiveScst> {
    this.reads += 1;
    return cloneLive(this.state);
  }

  async perform(op: Operation): Promise<void> {
    this.log.push(op);
    const failure = this.failOn(op) ?? this.refuse(op);
    if (failure) throw failure;
    applyOperation(this.state, op);
    this.addKernelDefaults(op);
  }

  /** The few kernel refusals the tests rely on (sysfs.md errnos, SCST.pm codes §3.6). */
  private refuse(op: Operation): ScstOperationError | undefined {
    if (op.op === 'openDevice' && this.state.devices.has(op.device))
      return new ScstOperationError(21, 'EEXIST', 'Device already exists.');
    if ((op.op === 'addLun' || op.op === 'replaceLun') && !this.state.devices.has(op.device))
      return new ScstOperationError(48, 'EINVAL', 'Failed to add LUN to target. See "dmesg" for more information.');
    if (op.op === 'replaceLun') {
      const t = this.target(op.driver, op.target);
      const luns = op.group === undefined ? t?.luns : t?.groups.get(op.group)?.luns;
      if (luns?.get(op.lun)?.device === op.device) return new ScstOperationError(91, undefined, 'Device already exists for LUN.');
    }
    if (op.op === 'addTarget' && this.state.drivers.get(op.driver)?.targets.has(op.target))
      return new ScstOperationError(41, 'EEXIST', 'Target already exists.');
    return undefined;
  }

  private target(driver: string, target: string): LiveTarget | undefined {
    return this.state.drivers.get(driver)?.targets.get(target);
  }

  private addKernelDefaults(op: Operation): void {
    switch (op.op) {
      case 'openDevice': {
        const device = this.state.devices.get(op.device);
        if (device) addDefaults(device.attributes, DEVICE_DEFAULTS[op.handler] ?? {}, op.device);
        return;
      }
      case 'addTarget': {
        const t = this.target(op.driver, op.target);
        if (t) addDefaults(t.attributes, TARGET_DEFAULTS[op.driver] ?? {}, op.target);
        return;
      }
      case 'addLun':
      case 'replaceLun': {
        const t = this.target(op.driver, op.target);
        const lun = (op.group === undefined ? t?.luns : t?.groups.get(op.group)?.luns)?.get(op.lun);
        if (lun) addDefaults(lun.attributes, { read_only: '0' }, '');
        return;
      }
      case 'addTargetGroup': {
        const tg = this.state.deviceGroups.get(op.deviceGroup)?.targetGroups.get(op.targetGroup);
        if (tg) addDefaults(tg.attributes, { group_id: '0', preferred: '0', state: 'active' }, '');
        return;
      }
      case 'addTargetGroupTarget': {
        const member = this.state.deviceGroups.get(op.deviceGroup)?.targetGroups.get(op.targetGroup)?.targets.get(op.target);
        if (member && !member.local) addDefaults(member.attributes, { rel_tgt_id: '0' }, '');
        return;
      }
      default:
        return;
    }
  }
}

/**
 * The live state right after loading the modules (like fixtures/real-kernel/S0):
 * vdisk handlers, copy_manager, iscsi (no targets), scst_local, no devices.
 */
export function freshLive(): LiveScst {
  const handler = (createParams: string[]) => ({
    attributes: attrs({ type: attr('0', { readOnly: true }) }),
    devices: [] as string[],
    virtual: true,
    deviceCreateParams: createParams,
  });
  return {
    version: '3.11.0-pre',
    attributes: attrs({
      setup_id: attr('0x0'),
      threads: attr('8'),
      max_tasklet_cmd: attr('10'),
      suspend: attr('0'),
      version: attr('3.11.0-pre', { readOnly: true }),
    }),
    handlers: new Map([
      ['vdisk_blockio', handler(['blocksize', 'filename', 'nv_cache', 'read_only', 'cluster_mode'])],
      ['vdisk_fileio', handler(['blocksize', 'filename', 'nv_cache', 'read_only', 'cluster_mode'])],
      ['vdisk_nullio', handler(['blocksize', 'dummy', 'read_only', 'size'])],
    ]),
    devices: new Map(),
    drivers: new Map([
      [
        'copy_manager',
        {
          attributes: attrs({}),
          virtualCapable: false,
          targetCreateParams: [],
          driverDynamicAttributes: [],
          targetDynamicAttributes: [],
          targets: new Map([
            [
              'copy_manager_tgt',
              {
                attributes: attrs({}),
                hardware: true,
                luns: new Map(),
                lunCreateParams: ['read_only'],
                groups: new Map(),
                sessions: new Map(),
              },
            ],
          ]),
        },
      ],
      [
        'iscsi',
        {
          attributes: attrs({ enabled: attr('0') }),
          virtualCapable: true,
          targetCreateParams: [],
          driverDynamicAttributes: ['IncomingUser', 'OutgoingUser', 'iSNSServer'],
          targetDynamicAttributes: ['IncomingUser', 'OutgoingUser', 'allowed_portal'],
          targets: new Map(),
        },
      ],
      [
        'scst_local',
        {
          attributes: attrs({}),
          virtualCapable: true,
          targetCreateParams: ['session_name'],
          driverDynamicAttributes: [],
          targetDynamicAttributes: [],
          targets: new Map(),
        },
      ],
    ]),
    alua: { attributes: attrs({}) },
    deviceGroups: new Map(),
  };
}
