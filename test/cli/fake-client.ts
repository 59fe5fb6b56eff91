/**
 * A fake ScstClient over a hand-built LiveScst: operations are applied to
 * the model (the way the kernel would change the tree) and recorded, so CLI
 * transcripts can be checked without a sysfs tree. Scenario tests take a
 * `ClientFactory` so the lead can run the same scenarios against the
 * emulator.
 */
import type { LiveAttribute, LiveScst, LiveTarget } from '../../src/model/live.js';
import type { Operation } from '../../src/model/operations.js';
import { ScstOperationError, type ScstClient } from '../../src/sysfs/client-api.js';
import { SysfsError, type NodeStat, type SysfsTree } from '../../src/sysfs/tree.js';
import type { Connector } from '../../src/cli/main.js';

export function attr(value: string, options: Partial<Omit<LiveAttribute, 'values'>> = {}): LiveAttribute {
  return { values: [value], key: false, readOnly: false, writeOnly: false, ...options };
}

export function keyAttr(...values: string[]): LiveAttribute {
  return { values, key: true, readOnly: false, writeOnly: false };
}

function emptyTarget(): LiveTarget {
  return { attributes: new Map(), hardware: false, luns: new Map(), lunCreateParams: ['read_only'], groups: new Map(), sessions: new Map() };
}

/** The t/07 system of scstadmin.md §9 (handlers, devices, iscsi/scst_local targets, one group). */
export function t07Live(): LiveScst {
  const live: LiveScst = {
    version: '3.11.0-pre',
    attributes: new Map([
      ['setup_id', attr('0x0')],
      ['threads', attr('4')],
      ['version', attr('3.11.0-pre', { readOnly: true })],
    ]),
    handlers: new Map(),
    devices: new Map(),
    drivers: new Map(),
    alua: { attributes: new Map() },
    deviceGroups: new Map(),
  };
  for (const name of ['vcdrom', 'vdisk_blockio', 'vdisk_fileio', 'vdisk_nullio']) {
    live.handlers.set(name, {
      attributes: new Map([['type', attr('0', { readOnly: true })]]),
      devices: [],
      virtual: true,
      deviceCreateParams: name === 'vdisk_fileio' ? ['filename', 'read_only', 'blocksize'] : [],
    });
  }
  const addDevice = (handler: string, device: string, attributes: Map<string, LiveAttribute>) => {
    live.handlers.get(handler)!.devices.push(device);
    live.devices.set(device, { handler, attributes, exports: [] });
  };
  addDevice('vdisk_fileio', 'disk1', new Map([['filename', { ...keyAttr('/dev/disk1') }], ['size', { ...keyAttr('1048576'), readOnly: true }]]));
  addDevice(
    'vdisk_fileio',
    'disk0',
    new Map([
      ['filename', keyAttr('/dev/scstadmin-regression-test-vdisk')],
      ['read_only', { ...keyAttr('1'), readOnly: true }],
      ['size', { ...keyAttr('1048576'), readOnly: true }],
      ['t10_dev_id', attr('disk0')],
      ['resync_size', attr('', { writeOnly: true })],
    ]),
  );
  addDevice('vdisk_nullio', 'nodev', new Map([['dummy', attr('0')]]));

  const copyManager = emptyTarget();
  copyManager.hardware = true;
  live.drivers.set('copy_manager', {
    attributes: new Map(),
    virtualCapable: false,
    targetCreateParams: [],
    driverDynamicAttributes: [],
    targetDynamicAttributes: [],
    targets: new Map([['copy_manager_tgt', copyManager]]),
  });
  const tgt = emptyTarget();
  tgt.attributes.set('enabled', attr('0'));
  tgt.attributes.set('rel_tgt_id', attr('0'));
  const tgt2 = emptyTarget();
  tgt2.attributes.set('enabled', attr('1'));
  tgt2.attributes.set('IncomingUser', keyAttr('joe secret', 'ann pass'));
  live.drivers.set('iscsi', {
    attributes: new Map([['enabled', attr('1')], ['iSNSServer', attr('')]]),
    virtualCapable: true,
    targetCreateParams: [],
    driverDynamicAttributes: ['IncomingUser', 'OutgoingUser', 'iSNSServer'],
    targetDynamicAttributes: ['IncomingUser', 'OutgoingUser', 'allowed_portal'],
    targets: new Map([
      ['iqn.2006-10.net.vlnb:tgt', tgt],
      ['iqn.2006-10.net.vlnb:tgt2', tgt2],
    ]),
  });
  const local = emptyTarget();
  live.drivers.set('scst_local', {
    attributes: new Map(),
    virtualCapable: true,
    targetCreateParams: ['session_name'],
    driverDynamicAttributes: [],
    targetDynamicAttributes: [],
    targets: new Map([['local', local]]),
  });
  const addLun = (driver: string, target: string, group: string | undefined, lun: string, device: string) => {
    const t = live.drivers.get(driver)!.targets.get(target)!;
    const luns = group === undefined ? t.luns : t.groups.get(group)!.luns;
    luns.set(lun, { device, attributes: new Map([['read_only', { ...keyAttr('0'), key: false, readOnly: true }]]) });
    live.devices.get(device)!.exports.push({ driver, target, ...(group !== undefined ? { group } : {}), lun });
  };
  addLun('scst_local', 'local', undefined, '0', 'nodev');
  local.groups.set('ig', { attributes: new Map(), luns: new Map(), initiators: ['ini1', 'ini2'] });
  addLun('scst_local', 'local', 'ig', '0', 'disk0');
  addLun('scst_local', 'local', 'ig', '1', 'disk1');
  return live;
}

/** A tree that only knows the version file (LIP lookups find nothing). */
class VersionTree implements SysfsTree {
  constructor(private readonly version: () => string | undefined) {}
  async readdir(path: string): Promise<string[]> {
    throw new SysfsError('ENOENT', path);
  }
  async lstat(path: string): Promise<NodeStat> {
    throw new SysfsError('ENOENT', path);
  }
  async stat(path: string): Promise<NodeStat> {
    throw new SysfsError('ENOENT', path);
  }
  async read(path: string): Promise<string> {
    const version = this.version();
    if (path === 'version' && version !== undefined) return `${version}\n`;
    throw new SysfsError('ENOENT', path);
  }
  async write(path: string): Promise<void> {
    throw new SysfsError('EACCES', path);
  }
  async readlink(path: string): Promise<string> {
    throw new SysfsError('EINVAL', path);
  }
}

const fail = (code: number, text: string): never => {
  throw new ScstOperationError(code, undefined, text);
};

export class FakeScstClient implements ScstClient {
  readonly performed: Operation[] = [];
  readonly tree: SysfsTree;
  /** Operations (by `op` name) that fail with this result code. */
  readonly failures = new Map<string, number>();
  dryRun = false;

  constructor(public state: LiveScst, version: string | undefined = state.version) {
    this.tree = new VersionTree(() => version);
  }

  async readLive(): Promise<LiveScst> {
    return structuredClone(this.state);
  }

  private target(driver: string, target: string): LiveTarget {
    const t = this.state.drivers.get(driver)?.targets.get(target);
    return t ?? fail(40, 'No such target exists.');
  }

  async perform(op: Operation): Promise<void> {
    this.performed.push(op);
    const code = this.failures.get(op.op);
    if (code !== undefined) fail(code, `failure ${code}`);
    if (this.dryRun) return;
    const s = this.state;
    switch (op.op) {
      case 'openDevice': {
        if (s.devices.has(op.device)) fail(21, 'Device already exists.');
        s.handlers.get(op.handler)!.devices.push(op.device);
        s.devices.set(op.device, { handler: op.handler, attributes: new Map(op.params.map(([k, v]) => [k, keyAttr(v)])), exports: [] });
        return;
      }
      case 'closeDevice': {
        if (!s.devices.has(op.device)) fail(20, 'No such device exists.');
        const handler = s.handlers.get(op.handler)!;
        handler.devices = handler.devices.filter((d) => d !== op.device);
        s.devices.delete(op.device);
        return;
      }
      case 'setDeviceAttribute': {
        const a = s.devices.get(op.device)?.attributes.get(op.name);
        if (!a) return fail(27, 'Bad attributes given for device.');
        if (!a.writeOnly) a.values = [op.value];
        return;
      }
      case 'setScstAttribute': {
        const a = s.attributes.get(op.name) ?? fail(7, 'Bad attributes given for SCST.');
        a.values = [op.value];
        return;
      }
      case 'addTarget': {
        const driver = s.drivers.get(op.driver) ?? fail(30, 'No such driver exists.');
        if (driver.targets.has(op.target)) fail(41, 'Target already exists.');
        driver.targets.set(op.target, emptyTarget());
        return;
      }
      case 'removeTarget': {
        const driver = s.drivers.get(op.driver) ?? fail(30, 'No such driver exists.');
        if (!driver.targets.delete(op.target)) fail(40, 'No such target exists.');
        return;
      }
      case 'setTargetAttribute': {
        const a = this.target(op.driver, op.target).attributes.get(op.name) ?? fail(50, 'Bad attributes given for target.');
        a.values = [op.value];
        return;
      }
      case 'addTargetDynamicAttribute': {
        const attributes = this.target(op.driver, op.target).attributes;
        const a = attributes.get(op.name);
        if (a) a.values.push(op.value);
        else attributes.set(op.name, keyAttr(op.value));
        return;
      }
      case 'removeTargetDynamicAttribute': {
        const a = this.target(op.driver, op.target).attributes.get(op.name) ?? fail(46, 'x');
        a.values = a.values.filter((v) => v !== op.value);
        return;
      }
      case 'addGroup': {
        const t = this.target(op.driver, op.target);
        if (t.groups.has(op.group)) fail(61, 'Group already exists.');
        t.groups.set(op.group, { attributes: new Map(), luns: new Map(), initiators: [] });
        return;
      }
      case 'removeGroup': {
        if (!this.target(op.driver, op.target).groups.delete(op.group)) fail(60, 'No such group exists.');
        return;
      }
      case 'addInitiator': {
        const g = this.target(op.driver, op.target).groups.get(op.group) ?? fail(60, 'No such group exists.');
        g.initiators.push(op.initiator);
        return;
      }
      case 'removeInitiator': {
        const g = this.target(op.driver, op.target).groups.get(op.group) ?? fail(60, 'No such group exists.');
        if (!g.initiators.includes(op.initiator)) fail(80, 'No such initiator exists.');
        g.initiators = g.initiators.filter((i) => i !== op.initiator);
        return;
      }
      case 'addLun': {
        const t = this.target(op.driver, op.target);
        const luns = op.group === undefined ? t.luns : (t.groups.get(op.group) ?? fail(60, 'No such group exists.')).luns;
        if (luns.has(op.lun)) fail(op.group === undefined ? 49 : 71, 'LUN already exists.');
        if (!s.devices.has(op.device)) fail(20, 'No such device exists.');
        luns.set(op.lun, { device: op.device, attributes: new Map() });
        s.devices.get(op.device)!.exports.push({ driver: op.driver, target: op.target, ...(op.group ? { group: op.group } : {}), lun: op.lun });
        return;
      }
      case 'removeLun': {
        const t = this.target(op.driver, op.target);
        const luns = op.group === undefined ? t.luns : (t.groups.get(op.group) ?? fail(60, 'No such group exists.')).luns;
        if (!luns.delete(op.lun)) fail(op.group === undefined ? 47 : 70, 'No such LUN exists.');
        return;
      }
      case 'addDeviceGroup': {
        if (s.deviceGroups.has(op.deviceGroup)) fail(121, 'Device group already exists.');
        s.deviceGroups.set(op.deviceGroup, { attributes: new Map(), devices: [], targetGroups: new Map() });
        return;
      }
      case 'addDeviceGroupDevice': {
        const dg = s.deviceGroups.get(op.deviceGroup) ?? fail(120, 'No such device group exists.');
        dg.devices.push(op.device);
        return;
      }
      case 'addTargetGroup': {
        const dg = s.deviceGroups.get(op.deviceGroup) ?? fail(120, 'No such device group exists.');
        dg.targetGroups.set(op.targetGroup, { attributes: new Map(), targets: new Map() });
        return;
      }
      case 'addTargetGroupTarget': {
        const tg = s.deviceGroups.get(op.deviceGroup)?.targetGroups.get(op.targetGroup) ?? fail(136, 'x');
        tg.targets.set(op.target, { attributes: new Map(), local: true });
        return;
      }
      case 'removeDeviceGroup': {
        if (!s.deviceGroups.delete(op.deviceGroup)) fail(120, 'No such device group exists.');
        return;
      }
      default:
        return;
    }
  }
}

/** Builds the client a scenario runs against; the emulator can provide the same. */
export type ClientFactory = () => Promise<{ connect: Connector; client: ScstClient; performed(): Operation[] }>;

export const fakeFactory =
  (live: () => LiveScst = t07Live): ClientFactory =>
  async () => {
    const client = new FakeScstClient(live());
    const connect: Connector = async (_target, options) => {
      client.dryRun = options.dryRun ?? false;
      return {
        client: {
          tree: client.tree,
          readLive: () => client.readLive(),
          perform: async (op) => {
            if (options.dryRun) options.onWrite?.({ path: op.op, data: JSON.stringify(op), debugText: `${op.op}` });
            await client.perform(op);
          },
        },
      };
    };
    return { connect, client, performed: () => client.performed };
  };
