import type {
  LiveAttribute,
  LiveAttributeMap,
  LiveDevice,
  LiveDeviceGroup,
  LiveDriver,
  LiveHandler,
  LiveIniGroup,
  LiveLun,
  LiveScst,
  LiveSession,
  LiveTarget,
  LiveTargetGroup,
  LiveTargetGroupMember,
  LunRef,
} from '../model/live.js';
import {
  AttributeCollector,
  availableList,
  CREATE_PARAMS_LINE,
  DRIVER_DYNAMIC_LINE,
  hasKeyMarker,
  splitFirstLine,
  TARGET_DYNAMIC_LINE,
  traceLevelTokens,
} from './attribute-text.js';
import type { AttributeOwner } from '../plan/types.js';
import { basenameOf, scstPaths } from './paths.js';
import { joinPath, SysfsError, type NodeStat, type SysfsTree } from './tree.js';

/** The kinds of SCST objects whose directories SCST.pm reads as attribute tables. */
export type AttributeObjectKind =
  | 'scst'
  | 'handler'
  | 'device'
  | 'driver'
  | 'target'
  | 'group'
  | 'lun'
  | 'alua'
  | 'deviceGroup'
  | 'targetGroup'
  | 'targetGroupTarget';

/** Per-object reading rules of SCST.pm (scstadmin.md §3.1 table, sysfs.md §14.1). */
interface TableRules {
  /** Entry names never looked at. */
  skip: ReadonlySet<string>;
  /** Sub-directories: skipped, or ([quirk]) read as attributes with value ''. */
  directories: 'skip' | 'emptyValue';
  /** Symlinks reported as static attributes holding the link's basename. */
  linkBasenames?: ReadonlySet<string>;
  /** Attributes never "static" whatever their mode. */
  neverStatic?: ReadonlySet<string>;
  /** `trace_level` is parsed for its allowed-token set. */
  traceLevel?: boolean;
  /** `type` is split on ` - ` into `type` and a static `type_string`. */
  splitType?: boolean;
  /** KEY marker searched in the whole text after line 1 (device reader), not line 2 only. */
  keyInWholeRemainder?: boolean;
}

const set = (...names: string[]): ReadonlySet<string> => new Set(names);

const RULES: Record<AttributeObjectKind, TableRules> = {
  scst: { skip: set('mgmt'), directories: 'skip', traceLevel: true },
  handler: { skip: set('mgmt', 'uevent', 'module'), directories: 'emptyValue', traceLevel: true, splitType: true },
  device: {
    skip: set('mgmt', 'uevent', 'exported'),
    directories: 'emptyValue',
    linkBasenames: set('handler', 'scsi_device'),
    neverStatic: set('cpu_mask', 'filename', 'threads_num', 'threads_pool_type'),
    splitType: true,
    keyInWholeRemainder: true,
  },
  driver: { skip: set('mgmt'), directories: 'skip', traceLevel: true },
  target: { skip: set('mgmt', 'uevent'), directories: 'skip', linkBasenames: set('host'), neverStatic: set('enabled', 'cpu_mask') },
  group: { skip: set('mgmt'), directories: 'skip', neverStatic: set('cpu_mask') },
  lun: { skip: set('mgmt'), directories: 'skip', linkBasenames: set('device') },
  alua: { skip: set('mgmt', 'uevent'), directories: 'emptyValue' },
  deviceGroup: { skip: set('mgmt'), directories: 'skip' },
  targetGroup: { skip: set('mgmt'), directories: 'skip' },
  targetGroupTarget: { skip: set('mgmt'), directories: 'skip' },
};

export interface AttributeTable {
  attributes: LiveAttributeMap;
  /** Entries that are directories (links followed), in directory order. */
  directories: string[];
}

type EntryResult =
  | { kind: 'attributes'; attributes: Array<[string, LiveAttribute]> }
  | { kind: 'attribute'; name: string; attribute: LiveAttribute }
  | { kind: 'key'; name: string; value: string; readOnly: boolean }
  | { kind: 'directory'; name: string; attribute?: LiveAttribute }
  | { kind: 'none' };

export interface LiveReaderOptions {
  /** Objects (devices, targets, …) read in parallel; each one's files go through the tree's own limit. */
  objectConcurrency?: number;
  /** EAGAIN on a read is retried every pollIntervalMs up to timeoutMs (SCST.pm's _sysread). */
  pollIntervalMs: number;
  timeoutMs: number;
}

const EXPORT_IN_GROUP = /^(\.\.\/)*targets\/([^/]+)\/([^/]+)\/ini_groups\/([^/]+)\/luns\/(\d+)$/;
const EXPORT_IN_TARGET = /^(\.\.\/)*targets\/([^/]+)\/([^/]+)\/luns\/(\d+)$/;
const SESSION_GROUP_LINK = /\.\.\/\.\.\/ini_groups\/(.*)\/luns/;

/**
 * Reads the live configuration the way SCST.pm interprets it, touching every
 * file at most once and every mgmt usage text once.
 */
export class LiveReader {
  private readonly objectConcurrency: number;

  constructor(
    private readonly io: SysfsTree,
    private readonly options: LiveReaderOptions,
  ) {
    this.objectConcurrency = Math.max(1, options.objectConcurrency ?? 16);
  }

  async readLive(): Promise<LiveScst> {
    const rootEntries = await this.io.readdir('');
    const [root, handlersAndDevices, drivers, alua] = await Promise.all([
      this.readAttributeTable('scst', '', rootEntries),
      this.readHandlersAndDevices(),
      this.readDrivers(),
      this.readAlua(),
    ]);
    const versionLine = root.attributes.get('version')?.values[0] ?? '';
    return {
      attributes: root.attributes,
      version: versionLine.replace(/^SCST version:\s*/, ''),
      handlers: handlersAndDevices.handlers,
      devices: handlersAndDevices.devices,
      drivers,
      alua: { attributes: alua.attributes },
      deviceGroups: alua.deviceGroups,
    };
  }

  /**
   * The attribute map of one object exactly as readLive() would show it, read
   * fresh from its own directory only; undefined when the object does not exist.
   */
  async readAttributesOf(owner: AttributeOwner): Promise<LiveAttributeMap | undefined> {
    const table = (kind: AttributeObjectKind, dir: string) =>
      this.io.readdir(dir).then(
        async (entries) => (await this.readAttributeTable(kind, dir, entries)).attributes,
        () => undefined,
      );
    switch (owner.kind) {
      case 'scst':
        return table('scst', '');
      case 'handler':
        return table('handler', scstPaths.handler(owner.handler));
      case 'device':
        return table('device', scstPaths.device(owner.device));
      case 'driver':
        return table('driver', scstPaths.driver(owner.driver));
      case 'target': {
        const dir = scstPaths.target(owner);
        const entries = await this.io.readdir(dir).catch(() => undefined);
        return entries && this.readTargetAttributes(owner.driver, dir, entries);
      }
      case 'group':
        return table('group', scstPaths.group(owner));
      case 'alua':
        return table('alua', scstPaths.alua);
      case 'deviceGroup':
        return table('deviceGroup', scstPaths.deviceGroup(owner.deviceGroup));
      case 'targetGroup':
        return table('targetGroup', scstPaths.targetGroup(owner));
      case 'targetGroupTarget':
        return this.readTargetGroupMember(joinPath(scstPaths.targetGroup(owner), owner.target)).then(
          (member) => member.attributes,
          () => undefined,
        );
    }
  }

  /**
   * One object directory as an attribute table, following the object kind's
   * SCST.pm rules. `entries` may be passed when the directory was already listed.
   */
  async readAttributeTable(kind: AttributeObjectKind, dir: string, entries?: string[]): Promise<AttributeTable> {
    const rules = RULES[kind];
    const names = (entries ?? (await this.io.readdir(dir))).filter((name) => !rules.skip.has(name));
    const results = await Promise.all(names.map((name) => this.readEntry(rules, dir, name)));
    const collector = new AttributeCollector();
    const directories: string[] = [];
    for (const result of results) {
      if (result.kind === 'attribute') collector.set(result.name, result.attribute);
      else if (result.kind === 'attributes') result.attributes.forEach(([name, attribute]) => collector.set(name, attribute));
      else if (result.kind === 'key') collector.setKey(result.name, result.value, result.readOnly);
      else if (result.kind === 'directory') {
        directories.push(result.name);
        if (result.attribute) collector.set(result.name, result.attribute);
      }
    }
    return { attributes: collector.finish(), directories };
  }

  private async readEntry(rules: TableRules, dir: string, name: string): Promise<EntryResult> {
    const path = joinPath(dir, name);
    if (rules.linkBasenames?.has(name)) {
      const target = await this.io.readlink(path).catch(() => '');
      return { kind: 'attribute', name, attribute: { values: [basenameOf(target)], key: false, readOnly: true, writeOnly: false } };
    }
    const stat = await this.statOrUndefined(path);
    if (!stat) return { kind: 'none' }; // dangling link or entry gone meanwhile
    if (stat.type === 'dir') {
      if (rules.directories === 'skip') return { kind: 'directory', name };
      const attribute: LiveAttribute = { values: [''], key: false, readOnly: (stat.mode & 0o200) === 0, writeOnly: false, directory: true };
      return { kind: 'directory', name, attribute };
    }
    if ((stat.mode & 0o400) === 0) {
      return { kind: 'attribute', name, attribute: { values: [], key: false, readOnly: false, writeOnly: true } };
    }
    const readOnly = (stat.mode & 0o200) === 0 && !rules.neverStatic?.has(name);
    const { value, rest } = splitFirstLine((await this.readText(path)) ?? '');
    if (rules.traceLevel && name === 'trace_level') {
      return { kind: 'attribute', name, attribute: { values: [value], key: false, readOnly, writeOnly: false, allowedValues: traceLevelTokens(rest) } };
    }
    const key = hasKeyMarker(rest, rules.keyInWholeRemainder ?? false);
    if (rules.splitType && name === 'type') return splitType(value, readOnly);
    if (key) return { kind: 'key', name, value, readOnly };
    return { kind: 'attribute', name, attribute: { values: [value], key: false, readOnly, writeOnly: false } };
  }

  /** Whole content of a file; EAGAIN retried (sysfs.md §3.2); other failures → undefined (an empty value for SCST.pm). */
  async readText(path: string): Promise<string | undefined> {
    const started = Date.now();
    for (;;) {
      try {
        return await this.io.read(path);
      } catch (error) {
        if (!(error instanceof SysfsError) || error.code !== 'EAGAIN' || Date.now() - started >= this.options.timeoutMs) return undefined;
        await sleep(this.options.pollIntervalMs);
      }
    }
  }

  private async statOrUndefined(path: string): Promise<NodeStat | undefined> {
    return this.io.stat(path).catch(() => undefined);
  }

  private async readdirOrEmpty(path: string): Promise<string[]> {
    return this.io.readdir(path).catch(() => []);
  }

  /** Names among `entries` of `dir` that are directories (links followed). */
  private async directoriesAmong(dir: string, entries: string[]): Promise<string[]> {
    const stats = await Promise.all(entries.map((name) => this.statOrUndefined(joinPath(dir, name))));
    return entries.filter((_, i) => stats[i]?.type === 'dir');
  }

  // ---------------------------------------------------------------- handlers, devices

  private async readHandlersAndDevices(): Promise<{ handlers: Map<string, LiveHandler>; devices: Map<string, LiveDevice> }> {
    const [handlerNames, deviceNames] = await Promise.all([
      this.readdirOrEmpty(scstPaths.handlers).then((names) => this.directoriesAmong(scstPaths.handlers, names)),
      this.readdirOrEmpty(scstPaths.devices),
    ]);
    const [handlerReads, deviceReads] = await Promise.all([
      mapConcurrent(handlerNames.sort(byteOrder), this.objectConcurrency, (name) => this.readHandler(name)),
      mapConcurrent(deviceNames, this.objectConcurrency, (name) => this.readDevice(name)),
    ]);
    const devices = new Map<string, LiveDevice>();
    deviceReads.forEach((device, i) => device && devices.set(deviceNames[i]!, device));
    const handlers = new Map<string, LiveHandler>();
    handlerReads.forEach(({ handler, entries }, i) => {
      const name = handlerNames[i]!;
      // SCST.pm's devices(h): entries of handlers/<h> that are devices whose handler link names <h>.
      handler.devices = entries.filter((entry) => devices.get(entry)?.handler === name);
      handlers.set(name, handler);
    });
    return { handlers, devices };
  }

  private async readHandler(name: string): Promise<{ handler: LiveHandler; entries: string[] }> {
    const dir = scstPaths.handler(name);
    const entries = await this.io.readdir(dir);
    const hasMgmt = entries.includes('mgmt');
    const [table, mgmt] = await Promise.all([
      this.readAttributeTable('handler', dir, entries),
      hasMgmt ? this.readText(joinPath(dir, 'mgmt')) : Promise.resolve(undefined),
    ]);
    const handler: LiveHandler = {
      attributes: table.attributes,
      devices: [],
      virtual: hasMgmt,
      deviceCreateParams: mgmt ? availableList(mgmt, CREATE_PARAMS_LINE) : [],
    };
    return { handler, entries };
  }

  private async readDevice(name: string): Promise<LiveDevice | undefined> {
    const dir = scstPaths.device(name);
    let entries: string[];
    try {
      entries = await this.io.readdir(dir);
    } catch {
      return undefined; // not a directory: not a device
    }
    const [table, exports] = await Promise.all([
      this.readAttributeTable('device', dir, entries),
      entries.includes('exported') ? this.readExports(joinPath(dir, 'exported')) : Promise.resolve([]),
    ]);
    return { attributes: table.attributes, handler: table.attributes.get('handler')?.values[0] ?? '', exports };
  }

  /** `exported/export<N>` links → LUN references, copy_manager skipped (sysfs.md §7.4). */
  private async readExports(dir: string): Promise<LunRef[]> {
    const names = await this.readdirOrEmpty(dir);
    const texts = await Promise.all(names.map((name) => this.io.readlink(joinPath(dir, name)).catch(() => '')));
    const exports: LunRef[] = [];
    for (const text of texts) {
      let ref: LunRef | undefined;
      const inGroup = text.match(EXPORT_IN_GROUP);
      const inTarget = inGroup ? null : text.match(EXPORT_IN_TARGET);
      if (inGroup) ref = { driver: inGroup[2]!, target: inGroup[3]!, group: inGroup[4]!, lun: inGroup[5]! };
      else if (inTarget) ref = { driver: inTarget[2]!, target: inTarget[3]!, lun: inTarget[4]! };
      if (ref && ref.driver !== 'copy_manager') exports.push(ref);
    }
    return exports;
  }

  // ---------------------------------------------------------------- drivers, targets

  private async readDrivers(): Promise<Map<string, LiveDriver>> {
    const names = await this.directoriesAmong(scstPaths.drivers, await this.readdirOrEmpty(scstPaths.drivers));
    names.sort(byteOrder);
    const drivers = await Promise.all(names.map((name) => this.readDriver(name)));
    return new Map(names.map((name, i) => [name, drivers[i]!]));
  }

  private async readDriver(name: string): Promise<LiveDriver> {
    const dir = scstPaths.driver(name);
    const entries = await this.io.readdir(dir);
    const mgmtPath = joinPath(dir, 'mgmt');
    const [table, mgmtStat] = await Promise.all([
      this.readAttributeTable('driver', dir, entries),
      entries.includes('mgmt') ? this.statOrUndefined(mgmtPath) : Promise.resolve(undefined),
    ]);
    const virtualCapable = mgmtStat !== undefined && (mgmtStat.mode & 0o200) !== 0;
    const mgmt = mgmtStat && (mgmtStat.mode & 0o400) !== 0 ? await this.readText(mgmtPath) : undefined;
    const targetNames = table.directories.filter((target) => target !== 'module').sort(byteOrder);
    const targets = await mapConcurrent(targetNames, this.objectConcurrency, (target) => this.readTarget(name, target, virtualCapable));
    return {
      attributes: table.attributes,
      virtualCapable,
      targetCreateParams: mgmt ? availableList(mgmt, CREATE_PARAMS_LINE) : [],
      driverDynamicAttributes: mgmt ? availableList(mgmt, DRIVER_DYNAMIC_LINE) : [],
      targetDynamicAttributes: mgmt ? availableList(mgmt, TARGET_DYNAMIC_LINE) : [],
      targets: new Map(targetNames.map((target, i) => [target, targets[i]!])),
    };
  }

  private async readTarget(driver: string, name: string, driverVirtualCapable: boolean): Promise<LiveTarget> {
    const address = { driver, target: name };
    const dir = scstPaths.target(address);
    const entries = await this.io.readdir(dir);
    const sessionNames = entries.includes('sessions') ? await this.readdirOrEmpty(scstPaths.sessions(address)) : [];
    const [attributes, lunSet, groups, sessions] = await Promise.all([
      this.readTargetAttributes(driver, dir, entries, sessionNames),
      this.readLunSet(scstPaths.lunSet(address)),
      this.readGroups(scstPaths.groups(address)),
      this.readSessions(scstPaths.sessions(address), sessionNames),
    ]);
    const hwTarget = attributes.get('hw_target')?.values[0];
    return {
      attributes,
      hardware: !driverVirtualCapable || (hwTarget !== undefined && hwTarget.trim() !== '' && Number(hwTarget) === 1),
      luns: lunSet.luns,
      lunCreateParams: lunSet.createParams,
      groups,
      sessions,
    };
  }

  /**
   * A target's attribute table; for scst_local the session directories become
   * the KEY attribute session_name (SCST.pm's targetAttributes, sysfs.md §8.11).
   */
  async readTargetAttributes(driver: string, dir: string, entries?: string[], sessionNames?: string[]): Promise<LiveAttributeMap> {
    const names = entries ?? (await this.io.readdir(dir));
    const { attributes } = await this.readAttributeTable('target', dir, names);
    if (driver === 'scst_local' && names.includes('sessions')) {
      const values = sessionNames ?? (await this.readdirOrEmpty(joinPath(dir, 'sessions')));
      attributes.set('session_name', { values, key: true, readOnly: false, writeOnly: false });
    }
    return attributes;
  }

  /** A LUN set: LUN directories (each with its `device` link) and the luns/mgmt creation parameters. */
  private async readLunSet(dir: string): Promise<{ luns: Map<string, LiveLun>; createParams: string[] }> {
    const entries = await this.readdirOrEmpty(dir);
    const hasMgmt = entries.includes('mgmt');
    const [lunNames, mgmt] = await Promise.all([
      this.directoriesAmong(dir, entries.filter((name) => name !== 'mgmt')),
      hasMgmt ? this.readText(joinPath(dir, 'mgmt')) : Promise.resolve(undefined),
    ]);
    const tables = await Promise.all(lunNames.map((lun) => this.readAttributeTable('lun', joinPath(dir, lun))));
    const luns = new Map<string, LiveLun>();
    lunNames.forEach((lun, i) => {
      const attributes = tables[i]!.attributes;
      luns.set(lun, { attributes, device: attributes.get('device')?.values[0] ?? '' });
    });
    return { luns, createParams: mgmt ? availableList(mgmt, CREATE_PARAMS_LINE) : [] };
  }

  private async readGroups(dir: string): Promise<Map<string, LiveIniGroup>> {
    const names = (await this.directoriesAmong(dir, await this.readdirOrEmpty(dir))).sort(byteOrder);
    const groups = await Promise.all(names.map((name) => this.readGroup(joinPath(dir, name))));
    return new Map(names.map((name, i) => [name, groups[i]!]));
  }

  private async readGroup(dir: string): Promise<LiveIniGroup> {
    const initiatorsDir = joinPath(dir, 'initiators');
    const [table, lunSet, initiatorEntries] = await Promise.all([
      this.readAttributeTable('group', dir),
      this.readLunSet(joinPath(dir, 'luns')),
      this.readdirOrEmpty(initiatorsDir),
    ]);
    const mgmt = initiatorEntries.includes('mgmt') ? await this.readText(joinPath(initiatorsDir, 'mgmt')) : undefined;
    return {
      attributes: table.attributes,
      luns: lunSet.luns,
      initiators: initiatorEntries.filter((name) => name !== 'mgmt'),
      lunCreateParams: lunSet.createParams,
      initiatorCreateParams: mgmt ? availableList(mgmt, CREATE_PARAMS_LINE) : [],
    };
  }

  /** Sessions in directory order; first line of every file, no KEY parsing (sysfs.md §8.8). */
  private async readSessions(dir: string, names: string[]): Promise<Map<string, LiveSession>> {
    const sessions = await Promise.all(names.map((name) => this.readSession(joinPath(dir, name))));
    const result = new Map<string, LiveSession>();
    names.forEach((name, i) => sessions[i] && result.set(name, sessions[i]!));
    return result;
  }

  private async readSession(dir: string): Promise<LiveSession | undefined> {
    const entries = await this.io.readdir(dir).catch(() => undefined);
    if (!entries) return undefined;
    const session: LiveSession = { attributes: new Map() };
    const writeOnly: string[] = [];
    const values = await Promise.all(
      entries.map(async (name): Promise<string | undefined> => {
        const path = joinPath(dir, name);
        if (name === 'mgmt') return undefined;
        if (name === 'luns') {
          const group = (await this.io.readlink(path).catch(() => '')).match(SESSION_GROUP_LINK)?.[1];
          if (group !== undefined) session.group = group;
          return undefined;
        }
        const stat = await this.statOrUndefined(path);
        if (!stat || stat.type === 'dir') return undefined;
        if ((stat.mode & 0o400) === 0) {
          writeOnly.push(name);
          return '';
        }
        return splitFirstLine((await this.readText(path)) ?? '').value;
      }),
    );
    entries.forEach((name, i) => values[i] !== undefined && session.attributes.set(name, values[i]!));
    if (writeOnly.length > 0) session.writeOnly = entries.filter((name) => writeOnly.includes(name));
    return session;
  }

  // ---------------------------------------------------------------- ALUA

  private async readAlua(): Promise<{ attributes: LiveAttributeMap; deviceGroups: Map<string, LiveDeviceGroup> }> {
    const entries = await this.readdirOrEmpty(scstPaths.alua);
    const table = await this.readAttributeTable('alua', scstPaths.alua, entries);
    const names = [...table.directories].sort(byteOrder);
    const groups = await Promise.all(names.map((name) => this.readDeviceGroup(name)));
    return { attributes: table.attributes, deviceGroups: new Map(names.map((name, i) => [name, groups[i]!])) };
  }

  private async readDeviceGroup(name: string): Promise<LiveDeviceGroup> {
    const devicesDir = scstPaths.deviceGroupDevices(name);
    const targetGroupsDir = scstPaths.targetGroups(name);
    const [table, devices, targetGroupNames] = await Promise.all([
      this.readAttributeTable('deviceGroup', scstPaths.deviceGroup(name)),
      this.readdirOrEmpty(devicesDir).then((entries) => this.directoriesAmong(devicesDir, entries)),
      this.readdirOrEmpty(targetGroupsDir).then((entries) => this.directoriesAmong(targetGroupsDir, entries)),
    ]);
    const targetGroups = await Promise.all(
      targetGroupNames.map((targetGroup) => this.readTargetGroup(scstPaths.targetGroup({ deviceGroup: name, targetGroup }))),
    );
    return {
      attributes: table.attributes,
      devices,
      targetGroups: new Map(targetGroupNames.map((targetGroup, i) => [targetGroup, targetGroups[i]!])),
    };
  }

  private async readTargetGroup(dir: string): Promise<LiveTargetGroup> {
    const table = await this.readAttributeTable('targetGroup', dir);
    const memberNames = [...table.directories].sort(byteOrder);
    const members = await Promise.all(memberNames.map((member) => this.readTargetGroupMember(joinPath(dir, member))));
    return { attributes: table.attributes, targets: new Map(memberNames.map((member, i) => [member, members[i]!])) };
  }

  /** A local member is a symlink to the real target and has no attributes of its own here. */
  private async readTargetGroupMember(path: string): Promise<LiveTargetGroupMember> {
    const stat = await this.io.lstat(path);
    if (stat.type === 'link') return { attributes: new Map(), local: true };
    return { attributes: (await this.readAttributeTable('targetGroupTarget', path)).attributes, local: false };
  }
}

/** `<n> - <text>` → `type` and a static `type_string` (SCST.pm splits on `\s-\s`, sysfs.md §2.5). */
function splitType(value: string, readOnly: boolean): EntryResult {
  const match = value.match(/\s-\s/);
  const attributes: Array<[string, LiveAttribute]> = [
    ['type', { values: [match ? value.slice(0, match.index) : value], key: false, readOnly, writeOnly: false }],
  ];
  if (match) attributes.push(['type_string', { values: [value.slice(match.index! + 3)], key: false, readOnly: true, writeOnly: false }]);
  return { kind: 'attributes', attributes };
}

/** Perl's default `sort`: byte order of the strings. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Maps with at most `limit` calls in flight, results in input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resume) => setTimeout(resume, ms));
}
