/**
 * Turns parsed statements into the ScstConfig model, section by section
 * (scstadmin.md §4.2), and reports what Perl scstadmin would silently lose or
 * misread (§4.1 table, §4.3, §15.1 items 7, 8 and 11).
 */
import type {
  AttributedNode,
  DeviceGroupConfig,
  DriverConfig,
  HandlerConfig,
  IniGroupConfig,
  LunConfig,
  ScstConfig,
  SourceLocation,
  TargetConfig,
  TargetGroupConfig,
} from '../model/config.js';
import { emptyConfig } from '../model/config.js';
import { type DiagnosticSink, formatLocation } from './diagnostics.js';
import { isKeyword, KEYWORD_HOME, type Keyword } from './keywords.js';
import type { Position } from './lexer.js';
import type { Statement } from './syntax.js';

type KeywordHandlers = Partial<Record<Keyword, (statement: Statement) => void>>;

const newNode = (): AttributedNode => ({ attributes: new Map() });
const newHandler = (): HandlerConfig => ({ attributes: new Map(), devices: new Map() });
const newDriver = (): DriverConfig => ({ attributes: new Map(), targets: new Map() });
const newTarget = (): TargetConfig => ({ attributes: new Map(), hwTarget: false, luns: new Map(), groups: new Map() });
const newGroup = (): IniGroupConfig => ({ attributes: new Map(), luns: new Map(), initiators: new Map() });
const newDeviceGroup = (): DeviceGroupConfig => ({ attributes: new Map(), devices: [], targetGroups: new Map() });
const newTargetGroup = (): TargetGroupConfig => ({ attributes: new Map(), targets: new Map() });

/** `LUN 007` and `LUN 7` are the same LUN to SCST. */
function lunValue(digits: string): string {
  return digits.replace(/^0+(?=\d)/, '');
}

function statementsOf(statement: Statement): Statement[] {
  return statement.block?.statements ?? [];
}

function hasContent(statement: Statement): boolean {
  return statementsOf(statement).length > 0;
}

/** A hint for `Device x { … }` and the like: keywords are case-sensitive. */
function keywordHint(name: string): string {
  const upper = name.toUpperCase();
  return upper !== name && isKeyword(upper) ? ` (keywords are case-sensitive: did you mean ${upper}?)` : '';
}

export function buildConfig(statements: Statement[], sink: DiagnosticSink): ScstConfig {
  return new ConfigBuilder(sink).build(statements);
}

class ConfigBuilder {
  /** Nodes whose block had statements: declaring them again would lose data. */
  private readonly nodesWithContent = new WeakSet<object>();
  /** Per LUN set: LUN value (leading zeros dropped) → key as first written. */
  private readonly lunKeys = new WeakMap<Map<string, LunConfig>, Map<string, string>>();
  /** First location of each attribute value, per attribute map. */
  private readonly valueOrigins = new WeakMap<Map<string, string[]>, Map<string, Map<string, SourceLocation>>>();

  constructor(private readonly sink: DiagnosticSink) {}

  build(statements: Statement[]): ScstConfig {
    const config = emptyConfig();
    config.origin = { file: this.sink.file, line: 1, column: 1 };
    this.topLevel(config, statements);
    this.checkDeviceNamesAreGlobal(config);
    return config;
  }

  private location(position: Position): SourceLocation {
    return { file: this.sink.file, line: position.line, column: position.column };
  }

  // ---- generic section walking -------------------------------------------

  private section(statements: Statement[], where: string, node: AttributedNode, handlers: KeywordHandlers): void {
    for (const statement of statements) {
      const head = statement.words[0];
      if (!isKeyword(head.text)) {
        this.attribute(node, statement);
        continue;
      }
      const handle = handlers[head.text];
      if (handle) {
        handle(statement);
      } else {
        this.sink.error(head, `'${head.text}' is not allowed ${where}: ${head.text} belongs ${KEYWORD_HOME[head.text]}`);
        // Still read it in its usual place, detached, so errors inside are reported too.
        this.misplaced(head.text, statement);
      }
    }
  }

  private misplaced(keyword: Keyword, statement: Statement): void {
    const handlers: Record<Keyword, () => void> = {
      HANDLER: () => this.handler(emptyConfig(), statement),
      TARGET_DRIVER: () => this.driver(emptyConfig(), statement),
      DEVICE_GROUP: () => this.deviceGroup(emptyConfig(), statement),
      ALUA: () => this.alua(emptyConfig(), statement),
      DEVICE: () => this.handlerDevice(newHandler(), '', statement),
      TARGET: () => this.target(newDriver(), '', statement),
      HW_TARGET: () => this.hwTarget(newTarget(), statement),
      LUN: () => this.lun(new Map(), '', statement),
      GROUP: () => this.group(newTarget(), '', statement),
      INITIATOR: () => this.initiator(newGroup(), '', statement),
      TARGET_GROUP: () => this.targetGroup(newDeviceGroup(), '', statement),
    };
    handlers[keyword]();
  }

  private attribute(node: AttributedNode, statement: Statement): void {
    const [nameWord, ...valueWords] = statement.words;
    const name = nameWord.text;
    if (statement.block) {
      this.sink.error(
        nameWord,
        `attribute '${name}' has an invalid value: an attribute cannot have a '{ … }' block${keywordHint(name)}`,
      );
      return;
    }
    if (valueWords.length > 1) {
      const joined = valueWords.map((w) => w.text).join(' ');
      this.sink.error(
        nameWord,
        `attribute '${name}' has an invalid value: expected one value, found ${valueWords.length}; ` +
          `quote a value that contains blanks: ${name} "${joined}"${keywordHint(name)}`,
      );
      return;
    }
    const value = valueWords[0]?.text ?? '';
    const seen = this.valueOriginsOf(node.attributes, name);
    const first = seen.get(value);
    if (first) {
      this.sink.warning(nameWord, `duplicate line for attribute '${name}' with the same value ignored (first at ${formatLocation(first)})`);
      return;
    }
    seen.set(value, this.location(nameWord));
    node.attributes.set(name, [...(node.attributes.get(name) ?? []), value]);
    node.attributeOrigins ??= new Map();
    if (!node.attributeOrigins.has(name)) node.attributeOrigins.set(name, this.location(nameWord));
  }

  private valueOriginsOf(attributes: Map<string, string[]>, name: string): Map<string, SourceLocation> {
    let byName = this.valueOrigins.get(attributes);
    if (!byName) {
      byName = new Map();
      this.valueOrigins.set(attributes, byName);
    }
    let byValue = byName.get(name);
    if (!byValue) {
      byValue = new Map();
      byName.set(name, byValue);
    }
    return byValue;
  }

  /**
   * The words after the keyword: exactly `count` of them. Missing ones are an
   * error (undefined is returned); extra ones are an error too (Perl ignores a
   * fourth token, §4.1 step 6) but the statement is still read.
   */
  private header(statement: Statement, usage: string, need: string, count: number): string[] | undefined {
    const [keyword, ...args] = statement.words;
    if (args.length < count) {
      this.sink.error(keyword, `${keyword.text} needs ${need}: expected '${usage}'`);
      return undefined;
    }
    if (args.length > count) {
      const given = statement.words.slice(0, count + 1).map((w) => w.text).join(' ');
      this.sink.error(args[count], `unexpected '${args[count].text}' after '${given}': expected '${usage}'`);
    }
    return args.slice(0, count).map((w) => w.text);
  }

  /**
   * Adds a named object to its parent's map. Perl replaces an object declared
   * twice (§15.1 item 8): an error when either declaration has a block with
   * content, a warning when both are bare (nothing can be lost). Returns the
   * node whose block is to be read (a detached one after an error), or
   * undefined when there is nothing more to read.
   */
  private declare<T extends AttributedNode>(
    map: Map<string, T>,
    name: string,
    statement: Statement,
    what: string,
    where: string,
    create: () => T,
  ): T | undefined {
    const keyword = statement.words[0];
    const existing = map.get(name);
    if (!existing) {
      const node = create();
      node.origin = this.location(keyword);
      map.set(name, node);
      if (hasContent(statement)) this.nodesWithContent.add(node);
      return node;
    }
    const first = existing.origin ? ` (first at ${formatLocation(existing.origin)})` : '';
    const place = where ? ` ${where}` : '';
    if (hasContent(statement) || this.nodesWithContent.has(existing)) {
      this.sink.error(keyword, `${what} is declared twice${place}${first}; write it once with all its settings`);
      return create();
    }
    this.sink.warning(keyword, `duplicate ${what}${place} ignored${first}`);
    return undefined;
  }

  // ---- top level ----------------------------------------------------------

  private topLevel(config: ScstConfig, statements: Statement[]): void {
    this.section(statements, 'at the top level', config, {
      HANDLER: (s) => this.handler(config, s),
      TARGET_DRIVER: (s) => this.driver(config, s),
      DEVICE_GROUP: (s) => this.deviceGroup(config, s),
      ALUA: (s) => this.alua(config, s),
    });
  }

  private handler(config: ScstConfig, statement: Statement): void {
    const [name] = this.header(statement, 'HANDLER <name>', 'a name', 1) ?? [];
    const handler =
      name === undefined
        ? newHandler()
        : this.declare(config.handlers, name, statement, `HANDLER '${name}'`, '', newHandler);
    if (!handler) return;
    const label = `HANDLER '${name ?? ''}'`;
    this.section(statementsOf(statement), `inside ${label}`, handler, {
      DEVICE: (s) => this.handlerDevice(handler, label, s),
    });
  }

  private handlerDevice(handler: HandlerConfig, handlerLabel: string, statement: Statement): void {
    const [name] = this.header(statement, 'DEVICE <name>', 'a name', 1) ?? [];
    const device =
      name === undefined
        ? newNode()
        : this.declare(handler.devices, name, statement, `DEVICE '${name}'`, `in ${handlerLabel}`, newNode);
    if (!device) return;
    this.section(statementsOf(statement), `inside DEVICE '${name ?? ''}'`, device, {});
  }

  /** SCST device names are global: the same name in two handlers cannot be applied. */
  private checkDeviceNamesAreGlobal(config: ScstConfig): void {
    const seen = new Map<string, { handler: string; origin?: SourceLocation }>();
    const all = [...config.handlers].flatMap(([handler, h]) =>
      [...h.devices].map(([device, d]) => ({ handler, device, origin: d.origin })),
    );
    all.sort((a, b) => (a.origin?.line ?? 0) - (b.origin?.line ?? 0) || (a.origin?.column ?? 0) - (b.origin?.column ?? 0));
    for (const entry of all) {
      const first = seen.get(entry.device);
      if (!first) {
        seen.set(entry.device, entry);
        continue;
      }
      const at = first.origin ? ` (at ${formatLocation(first.origin)})` : '';
      this.sink.error(
        entry.origin ?? { line: 1, column: 1 },
        `DEVICE '${entry.device}' is already defined in HANDLER '${first.handler}'${at}; device names are global in SCST`,
      );
    }
  }

  private alua(config: ScstConfig, statement: Statement): void {
    const [keyword, extra] = statement.words;
    if (extra) this.sink.error(extra, `unexpected '${extra.text}' after 'ALUA': expected 'ALUA { … }'`);
    let node: AttributedNode = config.alua;
    if (config.alua.origin) {
      const first = ` (first at ${formatLocation(config.alua.origin)})`;
      if (!hasContent(statement) && !this.nodesWithContent.has(config.alua)) {
        this.sink.warning(keyword, `duplicate ALUA ignored${first}`);
        return;
      }
      this.sink.error(keyword, `ALUA is declared twice${first}; write it once with all its settings`);
      node = newNode();
    } else {
      config.alua.origin = this.location(keyword);
      if (hasContent(statement)) this.nodesWithContent.add(config.alua);
    }
    this.section(statementsOf(statement), 'inside ALUA', node, {});
  }

  // ---- target drivers -----------------------------------------------------

  private driver(config: ScstConfig, statement: Statement): void {
    const [name] = this.header(statement, 'TARGET_DRIVER <name>', 'a name', 1) ?? [];
    const driver =
      name === undefined
        ? newDriver()
        : this.declare(config.drivers, name, statement, `TARGET_DRIVER '${name}'`, '', newDriver);
    if (!driver) return;
    const label = `TARGET_DRIVER '${name ?? ''}'`;
    this.section(statementsOf(statement), `inside ${label}`, driver, {
      TARGET: (s) => this.target(driver, label, s),
    });
  }

  private target(driver: DriverConfig, driverLabel: string, statement: Statement): void {
    const [name] = this.header(statement, 'TARGET <name>', 'a name', 1) ?? [];
    const target =
      name === undefined
        ? newTarget()
        : this.declare(driver.targets, name, statement, `TARGET '${name}'`, `in ${driverLabel}`, newTarget);
    if (!target) return;
    const label = `TARGET '${name ?? ''}'`;
    this.section(statementsOf(statement), `inside ${label}`, target, {
      HW_TARGET: (s) => this.hwTarget(target, s),
      LUN: (s) => this.lun(target.luns, label, s),
      GROUP: (s) => this.group(target, label, s),
    });
  }

  private hwTarget(target: TargetConfig, statement: Statement): void {
    const [keyword, extra] = statement.words;
    if (extra) this.sink.error(extra, `unexpected '${extra.text}' after 'HW_TARGET': HW_TARGET takes no value`);
    if (statement.block) this.sink.error(keyword, `HW_TARGET cannot have a '{ … }' block`);
    if (target.hwTarget) this.sink.warning(keyword, `duplicate HW_TARGET ignored`);
    target.hwTarget = true;
  }

  /** `LUN <n> <device> [{ … }]` in a target's default LUN set or a group's. */
  private lun(luns: Map<string, LunConfig>, ownerLabel: string, statement: Statement): void {
    const args = this.header(statement, 'LUN <number> <device>', 'a number and a device', 2);
    const lun = args ? this.declareLun(luns, ownerLabel, statement, args[0], args[1]) : { attributes: new Map(), device: '' };
    if (!lun) return;
    this.section(statementsOf(statement), `inside LUN ${args?.[0] ?? ''}`, lun, {});
  }

  private declareLun(
    luns: Map<string, LunConfig>,
    ownerLabel: string,
    statement: Statement,
    number: string,
    device: string,
  ): LunConfig | undefined {
    const [keyword, numberWord] = statement.words;
    const detached = (): LunConfig => ({ attributes: new Map(), device });
    if (!/^[0-9]+$/.test(number)) {
      this.sink.error(numberWord, `LUN number '${number}' is not a number: expected 'LUN <number> <device>'`);
      return detached();
    }
    let keys = this.lunKeys.get(luns);
    if (!keys) {
      keys = new Map();
      this.lunKeys.set(luns, keys);
    }
    const key = keys.get(lunValue(number)) ?? number;
    const existing = luns.get(key);
    if (existing && existing.device !== device) {
      const at = existing.origin ? ` (at ${formatLocation(existing.origin)})` : '';
      this.sink.error(
        keyword,
        `LUN ${key} in ${ownerLabel} already maps device '${existing.device}'${at}; one LUN number cannot map two devices`,
      );
      return detached();
    }
    keys.set(lunValue(number), key);
    return this.declare(luns, key, statement, `LUN ${key}`, `in ${ownerLabel}`, detached);
  }

  private group(target: TargetConfig, targetLabel: string, statement: Statement): void {
    const [name] = this.header(statement, 'GROUP <name>', 'a name', 1) ?? [];
    const group =
      name === undefined
        ? newGroup()
        : this.declare(target.groups, name, statement, `GROUP '${name}'`, `in ${targetLabel}`, newGroup);
    if (!group) return;
    const label = `GROUP '${name ?? ''}'`;
    this.section(statementsOf(statement), `inside ${label}`, group, {
      LUN: (s) => this.lun(group.luns, label, s),
      INITIATOR: (s) => this.initiator(group, label, s),
    });
  }

  private initiator(group: IniGroupConfig, groupLabel: string, statement: Statement): void {
    const [name] = this.header(statement, 'INITIATOR <name>', 'a name', 1) ?? [];
    const initiator =
      name === undefined
        ? newNode()
        : this.declare(group.initiators, name, statement, `INITIATOR '${name}'`, `in ${groupLabel}`, newNode);
    if (!initiator) return;
    this.section(statementsOf(statement), `inside INITIATOR '${name ?? ''}'`, initiator, {});
  }

  // ---- ALUA device groups -------------------------------------------------

  private deviceGroup(config: ScstConfig, statement: Statement): void {
    const [name] = this.header(statement, 'DEVICE_GROUP <name>', 'a name', 1) ?? [];
    const deviceGroup =
      name === undefined
        ? newDeviceGroup()
        : this.declare(config.deviceGroups, name, statement, `DEVICE_GROUP '${name}'`, '', newDeviceGroup);
    if (!deviceGroup) return;
    const label = `DEVICE_GROUP '${name ?? ''}'`;
    this.section(statementsOf(statement), `inside ${label}`, deviceGroup, {
      DEVICE: (s) => this.deviceGroupMember(deviceGroup, label, s),
      TARGET_GROUP: (s) => this.targetGroup(deviceGroup, label, s),
    });
  }

  private deviceGroupMember(deviceGroup: DeviceGroupConfig, groupLabel: string, statement: Statement): void {
    const [name] = this.header(statement, 'DEVICE <name>', 'a name', 1) ?? [];
    if (hasContent(statement)) {
      this.sink.error(
        statement.words[0],
        `DEVICE '${name ?? ''}' in ${groupLabel} is a member reference and cannot have attributes; set them in its HANDLER`,
      );
      return;
    }
    if (name === undefined) return;
    deviceGroup.deviceOrigins ??= new Map();
    const first = deviceGroup.deviceOrigins.get(name);
    if (first) {
      this.sink.warning(statement.words[0], `duplicate DEVICE '${name}' in ${groupLabel} ignored (first at ${formatLocation(first)})`);
      return;
    }
    deviceGroup.deviceOrigins.set(name, this.location(statement.words[0]));
    deviceGroup.devices.push(name);
  }

  private targetGroup(deviceGroup: DeviceGroupConfig, groupLabel: string, statement: Statement): void {
    const [name] = this.header(statement, 'TARGET_GROUP <name>', 'a name', 1) ?? [];
    const targetGroup =
      name === undefined
        ? newTargetGroup()
        : this.declare(deviceGroup.targetGroups, name, statement, `TARGET_GROUP '${name}'`, `in ${groupLabel}`, newTargetGroup);
    if (!targetGroup) return;
    const label = `TARGET_GROUP '${name ?? ''}'`;
    this.section(statementsOf(statement), `inside ${label}`, targetGroup, {
      TARGET: (s) => this.targetGroupMember(targetGroup, label, s),
    });
  }

  private targetGroupMember(targetGroup: TargetGroupConfig, groupLabel: string, statement: Statement): void {
    const [name] = this.header(statement, 'TARGET <name>', 'a name', 1) ?? [];
    const member =
      name === undefined
        ? newNode()
        : this.declare(targetGroup.targets, name, statement, `TARGET '${name}'`, `in ${groupLabel}`, newNode);
    if (!member) return;
    this.section(statementsOf(statement), `inside TARGET '${name ?? ''}'`, member, {});
  }
}

