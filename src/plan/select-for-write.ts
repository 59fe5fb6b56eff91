/**
 * `-write_config` attribute selection (scstadmin.md §7.2): which live
 * attributes become configuration statements. The layout is the writer's job
 * (conf/writer.ts); `writeConfig(selectForWrite(live, …))` is scstadmin's file.
 */
import type {
  AttributeMap,
  DeviceGroupConfig,
  DriverConfig,
  HandlerConfig,
  IniGroupConfig,
  LunConfig,
  ScstConfig,
  TargetConfig,
  TargetGroupConfig,
} from '../model/config.js';
import type { LiveAttributeMap, LiveLun, LiveScst } from '../model/live.js';
import { byteCompare, numericLunOrder, sortedKeys } from './compare.js';

export interface SelectOptions {
  /** `-nonkey`: also non-key attributes (written after `# Non-key attributes`). */
  nonkey: boolean;
}

/** Written whatever their key state (§7.2), never as non-key ones. */
const ALWAYS_WRITTEN = new Set(['enabled', 'hw_target']);
const NEVER_NONKEY = new Set(['dif_checks_failed', 'enabled', 'hw_target']);

/** K(attrs, filter) of §7.2. */
export function keySelection(attrs: LiveAttributeMap, filter: readonly string[] = []): AttributeMap {
  const out: AttributeMap = new Map();
  for (const name of sortedKeys(attrs)) {
    const attr = attrs.get(name)!;
    if (attr.allowedValues) continue;
    if (attr.readOnly && !filter.includes(name)) continue;
    if (attr.key) {
      if (attr.values.length > 0) out.set(name, [...attr.values].sort(byteCompare));
    } else if (ALWAYS_WRITTEN.has(name) && attr.values.length > 0) {
      out.set(name, [attr.values[0]!]);
    }
  }
  return out;
}

/** N(attrs, filter) of §7.2. */
export function nonKeySelection(attrs: LiveAttributeMap, filter: readonly string[] = []): AttributeMap {
  const out: AttributeMap = new Map();
  for (const name of sortedKeys(attrs)) {
    const attr = attrs.get(name)!;
    if (attr.allowedValues || attr.key || NEVER_NONKEY.has(name)) continue;
    if (attr.readOnly && !filter.includes(name)) continue;
    if (attr.writeOnly || attr.values.length === 0) continue;
    out.set(name, [attr.values[0]!]);
  }
  return out;
}

export function selectForWrite(live: LiveScst, options: SelectOptions): ScstConfig {
  const node = (attrs: LiveAttributeMap, filter: readonly string[] = []) => ({
    attributes: keySelection(attrs, filter),
    ...(options.nonkey ? { nonKeyAttributes: nonKeySelection(attrs, filter) } : {}),
  });

  const handlers = new Map<string, HandlerConfig>();
  for (const h of sortedKeys(live.handlers)) {
    const handler = live.handlers.get(h)!;
    const devices = new Map<string, ReturnType<typeof node>>();
    for (const d of [...handler.devices].sort(byteCompare)) {
      const device = live.devices.get(d);
      devices.set(d, node(device?.attributes ?? new Map(), handler.deviceCreateParams));
    }
    // device links read as empty attributes stay (§15 item 31 kept: `-nonkey` output is byte-identical)
    handlers.set(h, { ...node(handler.attributes), devices });
  }

  const drivers = new Map<string, DriverConfig>();
  for (const d of sortedKeys(live.drivers)) {
    const driver = live.drivers.get(d)!;
    const targets = new Map<string, TargetConfig>();
    const targetFilter = driver.virtualCapable ? driver.targetCreateParams : [];
    for (const t of sortedKeys(driver.targets)) {
      const target = driver.targets.get(t)!;
      const luns = (set: Map<string, LiveLun>, createParams: string[]) => {
        const out = new Map<string, LunConfig>();
        for (const n of [...set.keys()].sort(numericLunOrder)) {
          const lun = set.get(n)!;
          out.set(n, { device: lun.device, ...node(lun.attributes, createParams) });
        }
        return out;
      };
      const groups = new Map<string, IniGroupConfig>();
      for (const g of sortedKeys(target.groups)) {
        const group = target.groups.get(g)!;
        groups.set(g, {
          ...node(group.attributes),
          luns: luns(group.luns, group.lunCreateParams ?? target.lunCreateParams),
          initiators: new Map([...group.initiators].sort(byteCompare).map((i) => [i, { attributes: new Map() }])),
        });
      }
      targets.set(t, {
        ...node(target.attributes, targetFilter),
        hwTarget: target.attributes.get('hw_target')?.values[0] === '1',
        luns: luns(target.luns, target.lunCreateParams),
        groups,
      });
    }
    drivers.set(d, { ...node(driver.attributes), targets });
  }

  const deviceGroups = new Map<string, DeviceGroupConfig>();
  for (const dg of sortedKeys(live.deviceGroups)) {
    const group = live.deviceGroups.get(dg)!;
    const targetGroups = new Map<string, TargetGroupConfig>();
    for (const tg of sortedKeys(group.targetGroups)) {
      const targetGroup = group.targetGroups.get(tg)!;
      const targets = new Map<string, ReturnType<typeof node>>();
      for (const t of sortedKeys(targetGroup.targets)) {
        const member = targetGroup.targets.get(t)!;
        // a local target (symlink) has no attributes of its own here (§7.3)
        targets.set(t, member.local ? { attributes: new Map() } : node(member.attributes));
      }
      targetGroups.set(tg, { ...node(targetGroup.attributes), targets });
    }
    // member devices stay in directory order (§7.3)
    deviceGroups.set(dg, { ...node(group.attributes), devices: [...group.devices], targetGroups });
  }

  return {
    ...node(live.attributes),
    handlers,
    drivers,
    alua: node(live.alua.attributes),
    deviceGroups,
  };
}
