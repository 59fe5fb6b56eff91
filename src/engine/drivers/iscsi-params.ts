/** iSCSI target and session parameters as iscsi-scstd validates them (sysfs.md §8.10). */
import { EngineError } from '../node.js';
import { Lexer } from '../parse.js';

export type IscsiParamKind = 'bool' | 'number' | 'digest';

export interface IscsiParamSpec {
  name: string;
  kind: IscsiParamKind;
  /** Display form of the default. */
  def: string;
  min?: number;
  max?: number;
  /** Shown as a target attribute in sysfs. */
  shown: boolean;
}

const num = (name: string, def: number, min: number, max: number, shown = true): IscsiParamSpec => ({ name, kind: 'number', def: String(def), min, max, shown });
const bool = (name: string, def: 'Yes' | 'No', shown = true): IscsiParamSpec => ({ name, kind: 'bool', def, shown });
const digest = (name: string): IscsiParamSpec => ({ name, kind: 'digest', def: 'None', shown: true });

/** Values for x86_64 with 4 KiB pages. */
export const ISCSI_PARAMS: readonly IscsiParamSpec[] = [
  bool('InitialR2T', 'No'),
  bool('ImmediateData', 'Yes'),
  num('MaxRecvDataSegmentLength', 1048576, 512, 1048576),
  num('MaxXmitDataSegmentLength', 1048576, 512, 1048576),
  num('MaxBurstLength', 1048576, 512, 1048576),
  num('FirstBurstLength', 65536, 512, 1048576),
  num('MaxOutstandingR2T', 32, 1, 65535),
  digest('HeaderDigest'),
  digest('DataDigest'),
  bool('RDMAExtensions', 'No'),
  num('QueuedCommands', 32, 1, 2048),
  num('RspTimeout', 90, 2, 65535),
  num('NopInInterval', 30, 0, 65535),
  num('NopInTimeout', 30, 2, 65535),
  num('MaxSessions', 0, 0, 65535),
  // Accepted by add_target but not shown in sysfs.
  num('MaxConnections', 1, 1, 65535, false),
  num('DefaultTime2Wait', 2, 0, 3600, false),
  num('DefaultTime2Retain', 20, 0, 3600, false),
  num('ErrorRecoveryLevel', 0, 0, 0, false),
  bool('DataPDUInOrder', 'Yes', false),
  bool('DataSequenceInOrder', 'Yes', false),
  bool('IFMarker', 'No', false),
  bool('OFMarker', 'No', false),
  num('IFMarkInt', 2048, 1, 65535, false),
  num('OFMarkInt', 2048, 1, 65535, false),
];

export function findParam(name: string): IscsiParamSpec | undefined {
  return ISCSI_PARAMS.find((p) => p.name.toLowerCase() === name.toLowerCase());
}

/** C strtol with base 0: leading blanks, sign, 0x/0 prefixes, stops at the first non-digit. */
function lenientStrtol(s: string): number {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?/.exec(s)!;
  const digits = m[2];
  if (!digits) return 0;
  const v = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits.startsWith('0') ? parseInt(digits, 8) : parseInt(digits, 10);
  return m[1] === '-' ? -v : v;
}

/** Validates one value for `spec`, returning its display form; `:default:` resets. */
export function normaliseParamValue(spec: IscsiParamSpec, value: string): string {
  if (value === ':default:') return spec.def;
  switch (spec.kind) {
    case 'bool':
      if (value !== 'Yes' && value !== 'No') throw new EngineError('EINVAL', `${spec.name}: expected Yes or No, got "${value}"`);
      return value;
    case 'number': {
      const v = lenientStrtol(value);
      if (v < spec.min! || v > spec.max!) throw new EngineError('EINVAL', `${spec.name}: ${v} is outside ${spec.min}..${spec.max}`);
      return String(v);
    }
    case 'digest': {
      let none = false;
      let crc = false;
      for (const t of value.split(',')) {
        if (t.toLowerCase() === 'none') none = true;
        else if (t.toLowerCase() === 'crc32c') crc = true;
        else throw new EngineError('EINVAL', `${spec.name}: unknown digest "${t}"`);
      }
      return [none ? 'None' : '', crc ? 'CRC32C' : ''].filter((x) => x !== '').join(',');
    }
  }
}

/** An attribute write of a parameter: exactly one value token. */
export function parseParamWrite(spec: IscsiParamSpec, data: string): string {
  const lexer = new Lexer(data);
  const value = lexer.next();
  if (value === '') throw new EngineError('EINVAL', `${spec.name}: value missing`);
  if (lexer.next() !== '') throw new EngineError('EINVAL', `${spec.name}: extra value`);
  return normaliseParamValue(spec, value);
}
