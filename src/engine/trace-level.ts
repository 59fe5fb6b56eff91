/** `trace_level` attributes of the root, dev handlers and target drivers (sysfs.md §2.6). */
import { EngineError } from './node.js';
import { Lexer, kstrtoul } from './parse.js';
import { rw } from './nodes.js';
import type { AttrNode } from './node.js';

/** The generic trace flags in the kernel's table order (scst_debug.h). */
const GENERIC_TOKENS: ReadonlyArray<[string, number]> = [
  ['out_of_mem', 0x1], ['minor', 0x2], ['sg', 0x4], ['mem', 0x8], ['buff', 0x10],
  ['entryexit', 0x20], ['pid', 0x40], ['line', 0x80], ['function', 0x100], ['debug', 0x200],
  ['special', 0x400], ['scsi', 0x800], ['mgmt', 0x1000], ['mgmt_dbg', 0x2000],
  ['flow_control', 0x4000], ['pr', 0x8000],
];

/** Component-local trace flags, shown after the generic ones. */
export type TraceComponent = 'root' | 'vdisk' | 'iscsi' | 'plain';

const LOCAL_TOKENS: Record<TraceComponent, ReadonlyArray<[string, number]>> = {
  root: [['retry', 0x80000000], ['scsi_serializing', 0x40000000], ['data_send', 0x20000000],
    ['data_received', 0x10000000], ['block', 0x08000000]],
  vdisk: [['order', 0x80000000]],
  iscsi: [['d_write', 0x80000000], ['conn', 0x40000000], ['conn_dbg', 0x20000000],
    ['iov', 0x10000000], ['pdu', 0x08000000], ['net_page', 0x04000000]],
  plain: [],
};

/** `<extra>` of the release-build usage line. */
const USAGE_EXTRA: Record<TraceComponent, string> = {
  root: '', plain: '', vdisk: ', order', iscsi: ', d_write, conn, conn_dbg, iov, pdu, net_page',
};

/** out_of_mem | pid | special | mgmt: the release-build default of every component here. */
export const DEFAULT_TRACE_FLAGS = 0x1 | 0x40 | 0x400 | 0x1000;
const TRACE_ALL = 0xffffffff;

export class TraceLevel {
  flags = DEFAULT_TRACE_FLAGS;

  constructor(readonly component: TraceComponent) {}

  private tokens(): ReadonlyArray<[string, number]> {
    return [...GENERIC_TOKENS, ...LOCAL_TOKENS[this.component]];
  }

  show(): string {
    const names = this.tokens().filter(([, bit]) => (this.flags & bit) !== 0).map(([n]) => n);
    return (
      `${names.join(' | ')}\n\n\nUsage:\n` +
      '\techo "all|none|default" >trace_level\n' +
      '\techo "value DEC|0xHEX|0OCT" >trace_level\n' +
      '\techo "add|del TOKEN" >trace_level\n\n' +
      'where TOKEN is one of [function, line, pid, out_of_mem, special, scsi, mgmt, minor, ' +
      `scsi_serializing, retry, pr${USAGE_EXTRA[this.component]}]\n`
    );
  }

  /** Parses and applies a write synchronously (never a queued command). */
  store(data: string): void {
    const lexer = new Lexer(data);
    const action = lexer.next().toLowerCase();
    switch (action) {
      case 'all':
        this.flags = TRACE_ALL;
        return;
      case 'none':
      case 'null':
        this.flags = 0;
        return;
      case 'default':
        this.flags = DEFAULT_TRACE_FLAGS;
        return;
      case 'add':
      case 'del': {
        const name = lexer.next().toLowerCase();
        const token = this.tokens().find(([n]) => n === name);
        if (!token) throw new EngineError('EINVAL', `trace_level: unknown token "${name}"`);
        this.flags = action === 'add' ? (this.flags | token[1]) >>> 0 : (this.flags & ~token[1]) >>> 0;
        return;
      }
      case 'value': {
        const value = kstrtoul(lexer.next(), 'trace_level value');
        this.flags = Number(value & 0xffffffffn);
        return;
      }
      default:
        throw new EngineError('EINVAL', `trace_level: unknown action "${action}"`);
    }
  }

  node(): AttrNode {
    return rw(() => this.show(), (d) => this.store(d));
  }
}
