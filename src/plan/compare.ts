/**
 * Value comparisons of the planner (scstadmin.md §6.4, §6.8), with the
 * normalisation scstadmin lacks (§15 item 16): the kernel trims values it
 * stores (e.g. `t10_dev_id` padding, clients.md §6 item 14), so surrounding
 * whitespace never makes two values differ; multi-valued attributes compare
 * as sets.
 */
import type { AttributeMap } from '../model/config.js';
import type { LiveAttribute, LiveAttributeMap, LiveScst } from '../model/live.js';
import type { AttributeOwner, DeferredAttributeCheck } from './types.js';

export function sameValue(a: string, b: string): boolean {
  return a.trim() === b.trim();
}

/** Dynamic attribute values (`IncomingUser "joe  secret"`) are tokenised by the target driver. */
export function sameDynamicValue(a: string, b: string): boolean {
  return a.trim().split(/\s+/).join(' ') === b.trim().split(/\s+/).join(' ');
}

/** §6.4: the configured value is already live (write-only attributes read as ""). */
export function liveHasValue(live: LiveAttribute, value: string): boolean {
  if (live.writeOnly) return sameValue(value, '');
  return live.values.some((v) => sameValue(v, value));
}

/** §6.8: a live value that cannot be read equals a configured "0" or "". */
function unreadableEquals(value: string): boolean {
  const v = value.trim();
  return v === '' || v === '0';
}

/**
 * §6.8 "configured differently": every configured name must match the live
 * value (sets for multi-valued), and no live *key* attribute among
 * `liveNames` may be missing from the configuration.
 */
export function attributesDiffer(
  configured: Map<string, string[]>,
  live: LiveAttributeMap,
  liveNames: (name: string) => boolean,
): boolean {
  for (const [name, values] of configured) {
    const attr = live.get(name);
    if (!attr || attr.writeOnly || attr.values.length === 0) {
      if (!(values.length === 1 && unreadableEquals(values[0]!))) return true;
      continue;
    }
    const want = new Set(values.map((v) => v.trim()));
    const have = new Set(attr.values.map((v) => v.trim()));
    if (want.size !== have.size || [...want].some((v) => !have.has(v))) return true;
  }
  for (const [name, attr] of live) {
    if (attr.key && liveNames(name) && !configured.has(name)) return true;
  }
  return false;
}

/** The configured attributes whose names pass `keep`, in byte order. */
export function pick(attrs: AttributeMap, keep: (name: string) => boolean): Map<string, string[]> {
  return new Map([...attrs].filter(([n]) => keep(n)).sort(([a], [b]) => byteCompare(a, b)));
}

export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedKeys<T>(m: Map<string, T> | Iterable<string>): string[] {
  const keys = m instanceof Map ? [...m.keys()] : [...m];
  return keys.sort(byteCompare);
}

/** §7.3: LUNs in numeric order (`-write_config`). */
export function numericLunOrder(a: string, b: string): number {
  const d = Number(a) - Number(b);
  return Number.isNaN(d) || d === 0 ? byteCompare(a, b) : d;
}

/** The live attribute map of an owner, if the object exists. */
export function liveAttributesOf(live: LiveScst, owner: AttributeOwner): LiveAttributeMap | undefined {
  switch (owner.kind) {
    case 'scst':
      return live.attributes;
    case 'handler':
      return live.handlers.get(owner.handler)?.attributes;
    case 'device':
      return live.devices.get(owner.device)?.attributes;
    case 'driver':
      return live.drivers.get(owner.driver)?.attributes;
    case 'target':
      return live.drivers.get(owner.driver)?.targets.get(owner.target)?.attributes;
    case 'group':
      return live.drivers.get(owner.driver)?.targets.get(owner.target)?.groups.get(owner.group)?.attributes;
    case 'alua':
      return live.alua.attributes;
    case 'deviceGroup':
      return live.deviceGroups.get(owner.deviceGroup)?.attributes;
    case 'targetGroup':
      return live.deviceGroups.get(owner.deviceGroup)?.targetGroups.get(owner.targetGroup)?.attributes;
    case 'targetGroupTarget':
      return live.deviceGroups.get(owner.deviceGroup)?.targetGroups.get(owner.targetGroup)?.targets.get(owner.target)
        ?.attributes;
  }
}

export type DeferredDecision = 'perform' | 'unchanged' | 'lacks';

/**
 * Decides a deferred attribute write against the live state read at apply
 * time: scstadmin's per-object re-read before setting (§6.4, §6.6).
 */
export function decideDeferred(live: LiveScst, check: DeferredAttributeCheck): DeferredDecision {
  return decideOnAttributes(liveAttributesOf(live, check.owner), check);
}

/** decideDeferred against the owner's attribute map itself (undefined: the owner does not exist). */
export function decideOnAttributes(attributes: LiveAttributeMap | undefined, check: DeferredAttributeCheck): DeferredDecision {
  const attr = attributes?.get(check.name);
  if (!attr || attr.readOnly || attr.directory) return 'lacks';
  if (check.name === 'enabled') {
    return Number(attr.values[0] ?? 0) === Number(check.value) ? 'unchanged' : 'perform';
  }
  return liveHasValue(attr, check.value) ? 'unchanged' : 'perform';
}
