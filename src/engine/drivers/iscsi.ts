/**
 * iscsi-scst's sysfs face (sysfs.md §8.10). The attributes the real
 * user-space daemon serves are kept here; the emulated daemon is always
 * connected (`open_state` "open").
 */
import { isIP } from 'node:net';
import { EngineError } from '../node.js';
import { attrWithMode, ro, rw, type Entries } from '../nodes.js';
import { Lexer, keyed, kstrtoul } from '../parse.js';
import { TraceLevel } from '../trace-level.js';
import { ScstTarget, TargetDriver, parseTargetCommand, type DriverMgmt } from '../target.js';
import type { IniGroup } from '../ini-group.js';
import type { ScstEngine } from '../engine.js';
import { ISCSI_PARAMS, findParam, normaliseParamValue, parseParamWrite } from './iscsi-params.js';

const USAGE =
  'Usage: echo "add_target target_name [parameters]" >mgmt\n' +
  '       echo "del_target target_name" >mgmt\n' +
  '       echo "add_attribute <attribute> <value>" >mgmt\n' +
  '       echo "del_attribute <attribute> <value>" >mgmt\n' +
  '       echo "add_target_attribute target_name <attribute> <value>" >mgmt\n' +
  '       echo "del_target_attribute target_name <attribute> <value>" >mgmt\n\n' +
  "where parameters are one or more param_name=value pairs separated by ';'\n\n" +
  'The following target driver attributes available: IncomingUser, OutgoingUser\n' +
  'The following target attributes available: IncomingUser, OutgoingUser, allowed_portal\n\n';

const MIN_SECRET_LENGTH = 12;
const ACCOUNT_MODE = 0o600;

export interface IscsiAccount {
  /** sysfs file name: `IncomingUser`, `IncomingUser1`, … */
  file: string;
  user: string;
  secret: string;
}

export interface PortalPattern {
  file: string;
  pattern: string;
}

/** Incoming and outgoing CHAP accounts of the discovery scope or of one target. */
export class AccountLists {
  incoming: IscsiAccount[] = [];
  outgoing: IscsiAccount[] = [];

  list(stem: 'IncomingUser' | 'OutgoingUser'): IscsiAccount[] {
    return stem === 'IncomingUser' ? this.incoming : this.outgoing;
  }

  add(stem: 'IncomingUser' | 'OutgoingUser', user: string, secret: string): void {
    const list = this.list(stem);
    if (user === '' || secret === '') throw new EngineError('EINVAL', `${stem}: user and secret required`);
    if (secret.length < MIN_SECRET_LENGTH) throw new EngineError('EINVAL', `${stem}: secret shorter than ${MIN_SECRET_LENGTH} characters`);
    if (list.some((a) => a.user === user)) throw new EngineError('EINVAL', `${stem}: user "${user}" already present`);
    // Only one outgoing account per list is supported (lenient variant of §8.10).
    if (stem === 'OutgoingUser' && list.length > 0) throw new EngineError('EEXIST', 'only one OutgoingUser is supported');
    list.push({ file: freeName(stem, list.map((a) => a.file)), user, secret });
  }

  remove(stem: 'IncomingUser' | 'OutgoingUser', user: string): void {
    const list = this.list(stem);
    const i = list.findIndex((a) => a.user === user);
    if (i < 0) throw new EngineError('ENOENT', `${stem}: no account "${user}"`);
    list.splice(i, 1);
  }

  entries(): Entries {
    const e: Entries = [];
    for (const stem of ['IncomingUser', 'OutgoingUser'] as const) {
      for (const acc of this.list(stem)) {
        e.push([acc.file, attrWithMode(ACCOUNT_MODE, () => `${acc.user} ${acc.secret}\n[key]\n\n`, (d) => {
          const lexer = new Lexer(d);
          const user = lexer.next();
          const secret = lexer.next();
          if (user === '' || secret === '') throw new EngineError('EINVAL', `${acc.file}: user and secret required`);
          if (secret.length < MIN_SECRET_LENGTH) throw new EngineError('EINVAL', `${acc.file}: secret shorter than ${MIN_SECRET_LENGTH} characters`);
          if (this.list(stem).some((a) => a !== acc && a.user === user)) throw new EngineError('EEXIST', `${acc.file}: user "${user}" already present`);
          acc.user = user;
          acc.secret = secret;
        })]);
      }
    }
    return e;
  }
}

/** Dynamic attribute naming: the stem if free, else stem1, stem2, … (§8.10). */
function freeName(stem: string, taken: string[]): string {
  if (!taken.includes(stem)) return stem;
  for (let n = 1; ; n++) if (!taken.includes(`${stem}${n}`)) return `${stem}${n}`;
}

/** Matches an attribute name of a command: stem plus optional digits, case-insensitive. */
function attributeStem(name: string): 'IncomingUser' | 'OutgoingUser' | 'allowed_portal' | undefined {
  const m = /^([a-z_]+?)\d*$/i.exec(name);
  const stem = m?.[1]?.toLowerCase();
  if (stem === 'incominguser') return 'IncomingUser';
  if (stem === 'outgoinguser') return 'OutgoingUser';
  if (stem === 'allowed_portal') return 'allowed_portal';
  return undefined;
}

export interface Redirect {
  address: string;
  port: number;
  type: 'temp' | 'perm';
}

export class IscsiTarget extends ScstTarget {
  tid = 0;
  /** Non-default parameter values (display form), by canonical name. */
  readonly params = new Map<string, string>();
  readonly accounts = new AccountLists();
  readonly portals: PortalPattern[] = [];
  perPortalAcl = false;
  alias = '';
  redirect: Redirect | null = null;

  /** Current value (display form) of an iSCSI parameter. */
  param(name: string): string {
    const spec = findParam(name);
    if (!spec) throw new Error(`unknown iSCSI parameter ${name}`);
    return this.params.get(spec.name) ?? spec.def;
  }

  setParam(name: string, value: string): void {
    const spec = findParam(name)!;
    if (value === spec.def) this.params.delete(spec.name);
    else this.params.set(spec.name, value);
  }
}

interface IscsiTargetState {
  tid: number;
  params: Record<string, string>;
  accounts: { incoming: IscsiAccount[]; outgoing: IscsiAccount[] };
  portals: PortalPattern[];
  perPortalAcl: boolean;
  alias: string;
  redirect: Redirect | null;
}

interface IscsiDriverState {
  enabled: boolean;
  isnsServer: string;
  isnsAccessControl: boolean;
  isnsEntityName: string;
  linkLocal: boolean;
  internalPortal: string;
  accounts: { incoming: IscsiAccount[]; outgoing: IscsiAccount[] };
  tidCounter: number;
}

export class IscsiDriver extends TargetDriver {
  readonly supportsEnable = true;
  readonly canCloseSessions = true;
  readonly sgTablesize = 65535;
  override readonly trace = new TraceLevel('iscsi');
  enabled = false;
  isnsServer = '';
  isnsAccessControl = false;
  isnsEntityName = '';
  linkLocal = true;
  internalPortal = '';
  /** Discovery-session accounts (driver level). */
  readonly accounts = new AccountLists();
  private tidCounter = 1;
  /**
   * The running iSCSI portal (src/iscsi), if any: it listens only while the
   * driver is enabled, and disabling a target ends its sessions, as iscsi-scst does.
   */
  transport: { targetDisabled(target: IscsiTarget): void; driverEnabledChanged(): void } | undefined;

  override setEnabled(target: ScstTarget, enabled: boolean): void {
    super.setEnabled(target, enabled);
    if (!enabled) this.transport?.targetDisabled(target as IscsiTarget);
  }

  constructor(engine: ScstEngine) {
    super(engine, 'iscsi');
  }

  override mgmt(): DriverMgmt {
    return { usage: () => USAGE, command: (d) => this.command(d) };
  }

  getTarget(name: string): IscsiTarget | undefined {
    return this.targets.get(name) as IscsiTarget | undefined;
  }

  override driverEntries(): Entries {
    const token01 = (d: string, what: string): boolean => {
      const v = new Lexer(d).next();
      if (v !== '0' && v !== '1') throw new EngineError('EINVAL', `iscsi ${what}: expected 0 or 1`);
      return v === '1';
    };
    return [
      ['version', ro(() => '3.11.0-pre\nTRACING\n')],
      ['open_state', ro(() => 'open\n')],
      ['enabled', rw(() => `${this.enabled ? 1 : 0}\n\n`, (d) => {
        this.enabled = token01(d, 'enabled');
        this.transport?.driverEnabledChanged();
      })],
      ['iSNSServer', rw(() => (this.isnsServer === '' ? '\n\n' : `${this.isnsServer} ${this.isnsAccessControl ? 'AccessControl' : ''}\n[key]\n\n`), (d) => this.storeIsns(d))],
      ['isns_entity_name', rw(() => `${this.isnsEntityName}\n`, (d) => (this.isnsEntityName = new Lexer(d).next()))],
      ['link_local', rw(() => (this.linkLocal ? '1\n\n' : '0\n[key]\n\n'), (d) => (this.linkLocal = token01(d, 'link_local')))],
      ['internal_portal', rw(() => (this.internalPortal === '' ? '\n\n' : `${this.internalPortal}\n[key]\n\n`), (d) => this.storeInternalPortal(d))],
      ...this.accounts.entries(),
    ];
  }

  private storeIsns(d: string): void {
    const lexer = new Lexer(d);
    const server = lexer.next();
    if (server === '') {
      this.isnsServer = '';
      this.isnsAccessControl = false;
      return;
    }
    const second = lexer.next();
    if (second !== '' && second !== 'AccessControl') throw new EngineError('EINVAL', `iSNSServer: unexpected "${second}"`);
    const third = lexer.next();
    this.isnsServer = server;
    this.isnsAccessControl = second === 'AccessControl' && third !== 'No';
  }

  private storeInternalPortal(d: string): void {
    const addrs: string[] = [];
    const lexer = new Lexer(d);
    for (let a = lexer.next(); a !== ''; a = lexer.next()) {
      if (isIP(a) === 0) throw new EngineError('EINVAL', `internal_portal: invalid address "${a}"`);
      addrs.push(a);
    }
    this.internalPortal = addrs.join(' ');
  }

  override targetEntries(target: ScstTarget): Entries {
    const t = target as IscsiTarget;
    const e: Entries = [
      ['tid', ro(() => `${t.tid}\n`)],
      ['per_portal_acl', rw(() => (t.perPortalAcl ? '1\n[key]\n\n' : '0\n\n'), (d) => {
        const v = new Lexer(d).next();
        if (v !== '0' && v !== '1') throw new EngineError('EINVAL', 'per_portal_acl: expected 0 or 1');
        t.perPortalAcl = v === '1';
      })],
      ['redirect', rw(() => (t.redirect ? `${formatRedirect(t.redirect)}\n[key]\n\n` : '\n'), (d) => (t.redirect = parseRedirect(d)))],
      ['alias', rw(() => (t.alias === '' ? '\n' : `${t.alias}\n[key]\n\n`), (d) => (t.alias = d.trim()))],
    ];
    for (const spec of ISCSI_PARAMS) {
      if (!spec.shown) continue;
      e.push([spec.name, rw(() => {
        const v = t.param(spec.name);
        return v === spec.def ? `${v}\n` : `${v}\n[key]\n\n`;
      }, (d) => t.setParam(spec.name, parseParamWrite(spec, d)))]);
    }
    e.push(...t.accounts.entries());
    for (const portal of t.portals) {
      e.push([portal.file, rw(() => `${portal.pattern}\n[key]\n\n`, (d) => {
        const lexer = new Lexer(d);
        const pattern = lexer.next();
        if (pattern === '' || lexer.next() !== '') throw new EngineError('EINVAL', `${portal.file}: exactly one pattern expected`);
        if (t.portals.some((p) => p !== portal && p.pattern === pattern)) throw new EngineError('EEXIST', `${portal.file}: duplicate pattern`);
        portal.pattern = pattern;
      })]);
    }
    return e;
  }

  override groupEntries(group: IniGroup): Entries {
    return [['per_sess_dedicated_tgt_threads', rw(() => keyed(group.perSessDedicatedTgtThreads ? '1' : '0', group.perSessDedicatedTgtThreads), (d) => {
      group.perSessDedicatedTgtThreads = kstrtoul(d, 'per_sess_dedicated_tgt_threads') !== 0n;
    })]];
  }

  private allocateTid(): number {
    const inUse = new Set([...this.targets.values()].map((t) => (t as IscsiTarget).tid));
    let tid = this.tidCounter;
    while (inUse.has(tid) || tid === 0) tid = tid >= 0xffffffff ? 1 : tid + 1;
    this.tidCounter = tid >= 0xffffffff ? 1 : tid + 1;
    return tid;
  }

  private command(data: string): void {
    const { cmd, name, lexer } = parseTargetCommand(data, this.name);
    switch (cmd) {
      case 'add_target': {
        if (this.targets.has(name)) throw new EngineError('EEXIST', `iscsi: target "${name}" already exists`);
        const target = new IscsiTarget(this.engine, this, name);
        applyCreationParams(target, lexer.rest());
        target.tid = this.allocateTid();
        this.register(target);
        return;
      }
      case 'del_target': {
        const target = this.targets.get(name);
        if (!target) throw new EngineError('ENOENT', `iscsi: no target "${name}"`);
        if (target.sessions.size > 0) throw new EngineError('EBUSY', `iscsi: target "${name}" has sessions`);
        this.unregister(target);
        return;
      }
      case 'add_attribute':
      case 'del_attribute':
        this.attributeCommand(cmd === 'add_attribute', lexer, this.accounts, null);
        return;
      case 'add_target_attribute':
      case 'del_target_attribute': {
        const tgtName = lexer.next();
        const target = this.getTarget(tgtName);
        if (!target) throw new EngineError('ENOENT', `iscsi: no target "${tgtName}"`);
        this.attributeCommand(cmd === 'add_target_attribute', lexer, target.accounts, target);
        return;
      }
      default:
        throw new EngineError('EINVAL', `iscsi: unknown command "${cmd}"`);
    }
  }

  private attributeCommand(add: boolean, lexer: Lexer, accounts: AccountLists, target: IscsiTarget | null): void {
    const attr = lexer.next();
    const stem = attributeStem(attr);
    if (!stem || (stem === 'allowed_portal' && !target)) throw new EngineError('EINVAL', `iscsi: unknown attribute "${attr}"`);
    if (stem === 'allowed_portal') {
      const t = target!;
      const pattern = lexer.next();
      if (pattern === '' || lexer.next() !== '') throw new EngineError('EINVAL', 'allowed_portal: exactly one pattern expected');
      const i = t.portals.findIndex((p) => p.pattern === pattern);
      if (add) {
        if (i >= 0) throw new EngineError('EINVAL', `allowed_portal: duplicate pattern "${pattern}"`);
        t.portals.push({ file: freeName('allowed_portal', t.portals.map((p) => p.file)), pattern });
      } else {
        if (i < 0) throw new EngineError('EINVAL', `allowed_portal: no pattern "${pattern}"`);
        t.portals.splice(i, 1);
      }
      return;
    }
    const user = lexer.next();
    if (add) accounts.add(stem, user, lexer.next());
    else {
      if (user === '') throw new EngineError('EINVAL', `${stem}: user missing`);
      accounts.remove(stem, user);
    }
  }

  restoreTarget(name: string): ScstTarget {
    return new IscsiTarget(this.engine, this, name);
  }

  override targetState(target: ScstTarget): IscsiTargetState {
    const t = target as IscsiTarget;
    return {
      tid: t.tid,
      params: Object.fromEntries(t.params),
      accounts: { incoming: t.accounts.incoming.map((a) => ({ ...a })), outgoing: t.accounts.outgoing.map((a) => ({ ...a })) },
      portals: t.portals.map((p) => ({ ...p })),
      perPortalAcl: t.perPortalAcl,
      alias: t.alias,
      redirect: t.redirect ? { ...t.redirect } : null,
    };
  }

  override applyTargetState(target: ScstTarget, state: unknown): void {
    const t = target as IscsiTarget;
    const s = state as IscsiTargetState;
    t.tid = s.tid;
    for (const [k, v] of Object.entries(s.params)) t.params.set(k, v);
    t.accounts.incoming = s.accounts.incoming.map((a) => ({ ...a }));
    t.accounts.outgoing = s.accounts.outgoing.map((a) => ({ ...a }));
    t.portals.push(...s.portals.map((p) => ({ ...p })));
    t.perPortalAcl = s.perPortalAcl;
    t.alias = s.alias;
    t.redirect = s.redirect;
  }

  override toState(): IscsiDriverState {
    return {
      enabled: this.enabled,
      isnsServer: this.isnsServer,
      isnsAccessControl: this.isnsAccessControl,
      isnsEntityName: this.isnsEntityName,
      linkLocal: this.linkLocal,
      internalPortal: this.internalPortal,
      accounts: { incoming: this.accounts.incoming.map((a) => ({ ...a })), outgoing: this.accounts.outgoing.map((a) => ({ ...a })) },
      tidCounter: this.tidCounter,
    };
  }

  override restoreState(state: unknown): void {
    const s = state as IscsiDriverState;
    this.enabled = s.enabled;
    this.isnsServer = s.isnsServer;
    this.isnsAccessControl = s.isnsAccessControl;
    this.isnsEntityName = s.isnsEntityName;
    this.linkLocal = s.linkLocal;
    this.internalPortal = s.internalPortal;
    this.accounts.incoming = s.accounts.incoming.map((a) => ({ ...a }));
    this.accounts.outgoing = s.accounts.outgoing.map((a) => ({ ...a }));
    this.tidCounter = s.tidCounter;
  }
}

/** add_target parameters: `Name=Value`/`Name Value` segments; accounts take user and secret (§8.10). */
function applyCreationParams(target: IscsiTarget, text: string): void {
  const lexer = new Lexer(text);
  for (let seg = lexer.nextParam(); seg !== null; seg = lexer.nextParam()) {
    const parts = new Lexer(seg);
    const name = parts.next();
    if (name === '') throw new EngineError('EINVAL', `iscsi add_target: empty parameter in "${seg}"`);
    const stem = attributeStem(name);
    if (stem === 'IncomingUser' || stem === 'OutgoingUser') {
      const user = parts.next();
      const secret = parts.next();
      if (parts.next() !== '') throw new EngineError('EINVAL', `iscsi add_target: extra value for ${name}`);
      target.accounts.add(stem, user, secret);
      continue;
    }
    if (name.toLowerCase() === 'alias') continue;
    const spec = findParam(name);
    if (!spec) throw new EngineError('EINVAL', `iscsi add_target: unknown parameter "${name}"`);
    const value = parts.next();
    if (value === '' || parts.next() !== '') throw new EngineError('EINVAL', `iscsi add_target: ${name} needs exactly one value`);
    target.setParam(spec.name, normaliseParamValue(spec, value));
  }
}

function formatRedirect(r: Redirect): string {
  const addr = r.address.includes(':') ? `[${r.address}]` : r.address;
  return `${addr}${r.port !== 3260 ? `:${r.port}` : ''} ${r.type}`;
}

/** `redirect` write: `<addr>[:port] temp|perm`, empty clears. */
function parseRedirect(d: string): Redirect | null {
  const lexer = new Lexer(d);
  const target = lexer.next();
  if (target === '') return null;
  const type = lexer.next();
  if (type === '') throw new EngineError('EINVAL', 'redirect: type (temp|perm) missing');
  if (lexer.next() !== '') throw new EngineError('EINVAL', 'redirect: extra token');
  if (type !== 'temp' && type !== 'perm') throw new EngineError('EINVAL', `redirect: unknown type "${type}"`);
  let address = target;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(target);
  if (v6) {
    address = v6[1]!;
    portText = v6[2];
  } else if (target.split(':').length === 2) {
    [address, portText] = target.split(':') as [string, string];
  }
  if (address.length > 63) throw new EngineError('ERANGE', 'redirect: address too long');
  if (isIP(address) === 0) throw new EngineError('EINVAL', `redirect: invalid address "${address}"`);
  let port = 3260;
  if (portText !== undefined) {
    if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw new EngineError('EINVAL', `redirect: invalid port "${portText}"`);
    port = Number(portText);
  }
  return { address, port, type };
}
