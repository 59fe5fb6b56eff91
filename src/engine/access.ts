/**
 * Attributes shared by targets and initiator groups (sysfs.md §8.3, §8.6):
 * addr_method, io_grouping_type, black_hole, cpu_mask.
 */
import { EngineError } from './node.js';
import { rw, type Entries } from './nodes.js';
import { keyed, kstrtolNumber, matchPrefixKeyword } from './parse.js';
import type { ScstEngine } from './engine.js';

export type AddrMethod = 'PERIPHERAL' | 'FLAT' | 'LUN';

/** io_grouping_type: 0 auto, -1 this_group_only, -2 never, > 0 a group number. */
export const IO_GROUPING_AUTO = 0;
const IO_GROUPING_NAMES: Record<number, string> = { 0: 'auto', [-1]: 'this_group_only', [-2]: 'never' };

export interface AccessSettings {
  addrMethod: AddrMethod;
  ioGroupingType: number;
  blackHole: number;
  /** Bit i = CPU i. */
  cpuMask: bigint;
}

export interface AccessState {
  addrMethod: AddrMethod;
  ioGroupingType: number;
  blackHole: number;
  cpuMask: string;
}

export function defaultAccess(cpus: number): AccessSettings {
  return { addrMethod: 'PERIPHERAL', ioGroupingType: IO_GROUPING_AUTO, blackHole: 0, cpuMask: allCpus(cpus) };
}

export function allCpus(cpus: number): bigint {
  return (1n << BigInt(cpus)) - 1n;
}

export function accessToState(a: AccessSettings): AccessState {
  return { ...a, cpuMask: a.cpuMask.toString(16) };
}

export function accessFromState(s: AccessState): AccessSettings {
  return { ...s, cpuMask: BigInt(`0x${s.cpuMask}`) };
}

/** The kernel's cpumask "%*pb" format: 32-bit hex groups, most significant first. */
export function formatCpuMask(mask: bigint, cpus: number): string {
  const groups = Math.max(1, Math.ceil(cpus / 32));
  const parts: string[] = [];
  for (let g = groups - 1; g >= 0; g--) {
    const word = (mask >> BigInt(32 * g)) & 0xffffffffn;
    parts.push(g === groups - 1 ? word.toString(16) : word.toString(16).padStart(8, '0'));
  }
  return parts.join(',');
}

/** bitmap_parse(): comma-separated hex groups of up to 8 digits; bits beyond the CPU count → EOVERFLOW. */
export function parseCpuMask(text: string, cpus: number): bigint {
  const s = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (s === '') throw new EngineError('EINVAL', 'cpu_mask: empty mask');
  let mask = 0n;
  for (const group of s.split(',')) {
    if (!/^[0-9a-fA-F]{1,8}$/.test(group)) throw new EngineError('EINVAL', `cpu_mask: invalid group "${group}"`);
    mask = (mask << 32n) | BigInt(`0x${group}`);
  }
  if (mask >> BigInt(cpus) !== 0n) throw new EngineError('EOVERFLOW', `cpu_mask: bits beyond CPU ${cpus - 1}`);
  return mask;
}

/** Entries for the four shared attributes of `a` (a target or a group). */
export function accessEntries(engine: ScstEngine, a: AccessSettings): Entries {
  return [
    ['addr_method', rw(() => keyed(a.addrMethod, a.addrMethod !== 'PERIPHERAL'), (d) => {
      const m = matchPrefixKeyword(d, ['FLAT', 'PERIPHERAL', 'LUN'] as const);
      if (!m) throw new EngineError('EINVAL', `addr_method: unknown method ${JSON.stringify(d)}`);
      a.addrMethod = m;
    })],
    ['io_grouping_type', rw(() => keyed(IO_GROUPING_NAMES[a.ioGroupingType] ?? String(a.ioGroupingType), a.ioGroupingType !== IO_GROUPING_AUTO), (d) => {
      const k = matchPrefixKeyword(d, ['auto', 'this_group_only', 'never'] as const);
      let v: number;
      if (k) v = k === 'auto' ? 0 : k === 'this_group_only' ? -1 : -2;
      else {
        v = kstrtolNumber(d, 'io_grouping_type');
        if (v <= 0) throw new EngineError('EINVAL', `io_grouping_type must be > 0: ${v}`);
      }
      if (v === a.ioGroupingType) return;
      engine.queued(() => {
        a.ioGroupingType = v;
      });
    })],
    ['black_hole', rw(() => `${a.blackHole}\n`, (d) => {
      const c = d.charCodeAt(0) - 48;
      if (!(c >= 0 && c <= 4)) throw new EngineError('EINVAL', `black_hole: invalid value ${JSON.stringify(d)}`);
      a.blackHole = c;
    })],
    ['cpu_mask', rw(() => keyed(formatCpuMask(a.cpuMask, engine.cpus), a.cpuMask !== allCpus(engine.cpus)), (d) => {
      const m = parseCpuMask(d, engine.cpus);
      if (m === a.cpuMask) return;
      engine.queued(() => {
        a.cpuMask = m;
      });
    })],
  ];
}
