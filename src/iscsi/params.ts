/**
 * Operational parameters of an iSCSI session and their negotiation
 * (RFC 7143 §13). The target's side of each negotiation comes from the
 * iscsi-scst target attributes (sysfs.md §8.10); the result is what both
 * ends then obey in the full-feature phase.
 */
import type { TextPairs } from './text.js';

/** What the target is configured to accept (iscsi-scst target parameters). */
export interface TargetParams {
  InitialR2T: boolean;
  ImmediateData: boolean;
  MaxRecvDataSegmentLength: number;
  MaxXmitDataSegmentLength: number;
  MaxBurstLength: number;
  FirstBurstLength: number;
  MaxOutstandingR2T: number;
  HeaderDigest: string[]; // acceptable, in preference order: 'None' | 'CRC32C'
  DataDigest: string[];
  QueuedCommands: number;
  NopInInterval: number;
  NopInTimeout: number;
  RspTimeout: number;
  MaxSessions: number;
}

/** iscsi-scst defaults on a 4 KiB-page machine (sysfs.md §8.10 parameter table). */
export const DEFAULT_TARGET_PARAMS: TargetParams = {
  InitialR2T: false,
  ImmediateData: true,
  MaxRecvDataSegmentLength: 1048576,
  MaxXmitDataSegmentLength: 1048576,
  MaxBurstLength: 1048576,
  FirstBurstLength: 65536,
  MaxOutstandingR2T: 32,
  HeaderDigest: ['None'],
  DataDigest: ['None'],
  QueuedCommands: 32,
  NopInInterval: 30,
  NopInTimeout: 30,
  RspTimeout: 90,
  MaxSessions: 0,
};

/** The values in force after login. */
export interface SessionParams {
  initialR2T: boolean;
  immediateData: boolean;
  /** Largest data segment we may send (the initiator's MaxRecvDataSegmentLength, capped). */
  maxXmitDataSegmentLength: number;
  /** Largest data segment we accept (our declared MaxRecvDataSegmentLength). */
  maxRecvDataSegmentLength: number;
  maxBurstLength: number;
  firstBurstLength: number;
  maxOutstandingR2T: number;
  headerDigest: boolean;
  dataDigest: boolean;
  errorRecoveryLevel: number;
  defaultTime2Wait: number;
  defaultTime2Retain: number;
}

/** RFC 7143 defaults, before any negotiation. */
export function initialSessionParams(target: TargetParams): SessionParams {
  return {
    initialR2T: true,
    immediateData: true,
    maxXmitDataSegmentLength: 8192,
    maxRecvDataSegmentLength: target.MaxRecvDataSegmentLength,
    maxBurstLength: 262144,
    firstBurstLength: 65536,
    maxOutstandingR2T: 1,
    headerDigest: false,
    dataDigest: false,
    errorRecoveryLevel: 0,
    defaultTime2Wait: 2,
    defaultTime2Retain: 20,
  };
}

export class NegotiationError extends Error {
  override name = 'NegotiationError';
}

function parseNumber(key: string, value: string, min: number, max: number): number {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(value)) throw new NegotiationError(`${key}: "${value}" is not a number`);
  const n = Number(value);
  if (n < min || n > max) throw new NegotiationError(`${key}=${value} is outside ${min}..${max}`);
  return n;
}

function parseBoolean(key: string, value: string): boolean {
  if (value === 'Yes') return true;
  if (value === 'No') return false;
  throw new NegotiationError(`${key}: "${value}" is neither Yes nor No`);
}

const yesNo = (b: boolean): string => (b ? 'Yes' : 'No');

function pickDigest(offered: string, acceptable: string[]): string {
  const choices = offered.split(',');
  for (const choice of choices) {
    const match = acceptable.find((a) => a.toLowerCase() === choice.toLowerCase());
    if (match) return match;
  }
  return 'Reject';
}

/**
 * Negotiates the operational keys of one login request (or text request).
 * Returns the answers to send; updates `params` in place. Keys the target
 * does not know are answered NotUnderstood (RFC 7143 §6.2).
 * Login-stage keys (names, SessionType, AuthMethod, CHAP_*) are the login
 * state machine's, which passes only the rest here.
 * `discovery` sessions answer only the keys meaningful to them. The
 * target's own MaxRecvDataSegmentLength declaration is the caller's (it is
 * sent once per login).
 */
export function negotiateOperational(
  offered: TextPairs,
  target: TargetParams,
  params: SessionParams,
  discovery: boolean,
): TextPairs {
  const answers: TextPairs = [];
  for (const [key, value] of offered) {
    switch (key) {
      case 'HeaderDigest':
      case 'DataDigest': {
        const acceptable = key === 'HeaderDigest' ? target.HeaderDigest : target.DataDigest;
        const answer = pickDigest(value, acceptable);
        if (answer === 'Reject') throw new NegotiationError(`${key}: none of "${value}" is acceptable`);
        if (key === 'HeaderDigest') params.headerDigest = answer === 'CRC32C';
        else params.dataDigest = answer === 'CRC32C';
        answers.push([key, answer]);
        break;
      }
      case 'MaxConnections':
        if (discovery) {
          answers.push([key, 'Irrelevant']);
          break;
        }
        parseNumber(key, value, 1, 65535);
        answers.push([key, '1']);
        break;
      case 'InitialR2T': {
        // OR function: Yes if either side wants it.
        params.initialR2T = parseBoolean(key, value) || target.InitialR2T;
        answers.push([key, yesNo(params.initialR2T)]);
        break;
      }
      case 'ImmediateData': {
        params.immediateData = parseBoolean(key, value) && target.ImmediateData;
        answers.push([key, yesNo(params.immediateData)]);
        break;
      }
      case 'MaxRecvDataSegmentLength': {
        // Declarative: what the initiator can receive limits what we send.
        const n = parseNumber(key, value, 512, 16777215);
        params.maxXmitDataSegmentLength = Math.min(n, target.MaxXmitDataSegmentLength);
        break;
      }
      case 'MaxBurstLength': {
        params.maxBurstLength = Math.min(parseNumber(key, value, 512, 16777215), target.MaxBurstLength);
        answers.push([key, String(params.maxBurstLength)]);
        break;
      }
      case 'FirstBurstLength': {
        params.firstBurstLength = Math.min(parseNumber(key, value, 512, 16777215), target.FirstBurstLength);
        answers.push([key, String(params.firstBurstLength)]);
        break;
      }
      case 'MaxOutstandingR2T': {
        params.maxOutstandingR2T = Math.min(parseNumber(key, value, 1, 65535), target.MaxOutstandingR2T);
        answers.push([key, String(params.maxOutstandingR2T)]);
        break;
      }
      case 'DefaultTime2Wait':
        params.defaultTime2Wait = Math.max(parseNumber(key, value, 0, 3600), 2);
        answers.push([key, String(params.defaultTime2Wait)]);
        break;
      case 'DefaultTime2Retain':
        // ERL 0: nothing is retained after a connection drops.
        parseNumber(key, value, 0, 3600);
        params.defaultTime2Retain = 0;
        answers.push([key, '0']);
        break;
      case 'ErrorRecoveryLevel':
        parseNumber(key, value, 0, 2);
        params.errorRecoveryLevel = 0;
        answers.push([key, '0']);
        break;
      case 'DataPDUInOrder':
      case 'DataSequenceInOrder':
        // OR function; we require in-order data, so our answer is Yes.
        parseBoolean(key, value);
        answers.push([key, 'Yes']);
        break;
      case 'IFMarker':
      case 'OFMarker':
      case 'RDMAExtensions':
        parseBoolean(key, value);
        answers.push([key, 'No']);
        break;
      case 'IFMarkInt':
      case 'OFMarkInt':
        answers.push([key, 'Irrelevant']);
        break;
      case 'TaskReporting':
        answers.push([key, 'RFC3720']);
        break;
      case 'iSCSIProtocolLevel':
        parseNumber(key, value, 0, 31);
        answers.push([key, '0']);
        break;
      default:
        answers.push([key, 'NotUnderstood']);
    }
  }
  if (params.firstBurstLength > params.maxBurstLength) params.firstBurstLength = params.maxBurstLength;
  return answers;
}
