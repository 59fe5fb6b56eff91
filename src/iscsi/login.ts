/**
 * The login phase of one connection (RFC 7143 §6.3, §11.12–13): security
 * negotiation (AuthMethod, CHAP), operational negotiation, and the
 * transition to the full-feature phase. Pure state machine: the connection
 * feeds it decoded Login Requests and sends back what it returns.
 */
import type { ChapAccount, IscsiBackend, IscsiTargetView } from './backend.js';
import {
  ChapError,
  CHAP_MD5,
  answerInitiatorChallenge,
  encodeChapBinary,
  newChallenge,
  verifyInitiator,
  type ChapChallenge,
} from './chap.js';
import { LoginStatus } from './pdu.js';
import {
  DEFAULT_TARGET_PARAMS,
  NegotiationError,
  initialSessionParams,
  negotiateOperational,
  type SessionParams,
  type TargetParams,
} from './params.js';
import { portalMatches } from './portal-pattern.js';
import type { TextPairs } from './text.js';

export const Stage = { SECURITY: 0, OPERATIONAL: 1, FULL_FEATURE: 3 } as const;

export interface LoginRequest {
  transit: boolean;
  csg: number;
  nsg: number;
  versionMax: number;
  versionMin: number;
  isid: Buffer;
  tsih: number;
  cid: number;
  pairs: TextPairs;
}

export interface LoginReply {
  status: number;
  transit: boolean;
  csg: number;
  nsg: number;
  pairs: TextPairs;
  /** The login ended successfully: enter the full-feature phase. */
  complete: boolean;
}

export interface PortalInfo {
  localAddress: string;
}

export type SessionKind = 'discovery' | 'normal';

export class LoginNegotiation {
  initiatorName = '';
  initiatorAlias = '';
  kind: SessionKind = 'normal';
  target: IscsiTargetView | undefined;
  isid: Buffer | undefined;
  tsih = 0;
  cid = 0;
  params: SessionParams;
  private targetParams: TargetParams = DEFAULT_TARGET_PARAMS;
  private started = false;
  private accounts: ChapAccount[] = [];
  private outgoing: ChapAccount | undefined;
  private authMethod: 'None' | 'CHAP' | undefined;
  private chap: ChapChallenge | undefined;
  private authenticated = false;
  private declaredLimits = false;

  constructor(
    private readonly backend: IscsiBackend,
    private readonly portal: PortalInfo,
  ) {
    this.params = initialSessionParams(DEFAULT_TARGET_PARAMS);
  }

  get negotiatedTargetParams(): TargetParams {
    return this.targetParams;
  }

  handle(req: LoginRequest): LoginReply {
    try {
      return this.step(req);
    } catch (e) {
      if (e instanceof LoginFailure) return this.fail(e.status, req);
      if (e instanceof ChapError) return this.fail(LoginStatus.AUTH_FAILURE, req);
      if (e instanceof NegotiationError) return this.fail(LoginStatus.INITIATOR_ERROR, req);
      throw e;
    }
  }

  private fail(status: number, req: LoginRequest): LoginReply {
    return { status, transit: false, csg: req.csg, nsg: 0, pairs: [], complete: false };
  }

  private step(req: LoginRequest): LoginReply {
    if (req.versionMin > 0) throw new LoginFailure(LoginStatus.UNSUPPORTED_VERSION);
    if (req.csg !== Stage.SECURITY && req.csg !== Stage.OPERATIONAL) throw new LoginFailure(LoginStatus.INITIATOR_ERROR);
    if (req.transit && (req.nsg === 2 || req.nsg <= req.csg)) throw new LoginFailure(LoginStatus.INITIATOR_ERROR);
    const answers: TextPairs = [];
    if (!this.started) this.start(req, answers);
    else if (this.isid && !this.isid.equals(req.isid)) throw new LoginFailure(LoginStatus.INITIATOR_ERROR);

    const keys = new Map(req.pairs);
    const operational = req.pairs.filter(([k]) => !SECURITY_KEYS.has(k) && !LEADING_KEYS.has(k));
    if (req.csg === Stage.SECURITY) this.security(keys, answers);
    else if (this.authRequired() && !this.authenticated) {
      // The initiator skipped the security stage although we require CHAP.
      throw new LoginFailure(LoginStatus.AUTH_FAILURE);
    }
    answers.push(...negotiateOperational(operational, this.targetParams, this.params, this.kind === 'discovery'));
    if (req.csg === Stage.OPERATIONAL) this.declareLimits(answers);

    // The target holds the initiator in the security stage until CHAP succeeded.
    const transit = req.transit && (req.csg !== Stage.SECURITY || this.authenticated || !this.authRequired());
    const complete = transit && req.nsg === Stage.FULL_FEATURE;
    if (complete) this.declareLimits(answers);
    return { status: LoginStatus.SUCCESS, transit, csg: req.csg, nsg: transit ? req.nsg : 0, pairs: answers, complete };
  }

  private start(req: LoginRequest, answers: TextPairs): void {
    this.started = true;
    this.isid = Buffer.from(req.isid);
    this.tsih = req.tsih;
    this.cid = req.cid;
    const keys = new Map(req.pairs);
    const initiatorName = keys.get('InitiatorName');
    if (!initiatorName) throw new LoginFailure(LoginStatus.MISSING_PARAMETER);
    this.initiatorName = initiatorName;
    this.initiatorAlias = keys.get('InitiatorAlias') ?? '';
    const sessionType = keys.get('SessionType') ?? 'Normal';
    if (sessionType !== 'Normal' && sessionType !== 'Discovery') {
      throw new LoginFailure(LoginStatus.SESSION_TYPE_NOT_SUPPORTED);
    }
    if (!this.backend.driverEnabled()) throw new LoginFailure(LoginStatus.SERVICE_UNAVAILABLE);
    if (sessionType === 'Discovery') {
      this.kind = 'discovery';
      this.accounts = this.backend.discoveryIncomingUsers();
      this.outgoing = this.backend.discoveryOutgoingUser();
      return;
    }
    const targetName = keys.get('TargetName');
    if (!targetName) throw new LoginFailure(LoginStatus.MISSING_PARAMETER);
    const target = this.backend.target(targetName);
    if (!target || !target.enabled || !portalAllowed(target, this.portal.localAddress)) {
      throw new LoginFailure(LoginStatus.NOT_FOUND);
    }
    this.target = target;
    this.targetParams = target.params;
    this.params = initialSessionParams(target.params);
    this.accounts = target.incomingUsers;
    this.outgoing = target.outgoingUser;
    // RFC 7143 §13.9: sent in the first Login Response of a normal session.
    answers.push(['TargetPortalGroupTag', String(target.portalGroupTag)]);
    if (target.alias) answers.push(['TargetAlias', target.alias]);
  }

  private authRequired(): boolean {
    return this.accounts.length > 0;
  }

  private security(keys: Map<string, string>, answers: TextPairs): void {
    const offered = keys.get('AuthMethod');
    if (offered !== undefined) {
      const methods = offered.split(',');
      if (this.authRequired()) {
        if (!methods.includes('CHAP')) throw new LoginFailure(LoginStatus.AUTH_FAILURE);
        this.authMethod = 'CHAP';
      } else if (methods.includes('None')) {
        this.authMethod = 'None';
        this.authenticated = true;
      } else {
        // No account configured: CHAP cannot succeed (iscsi-scst answers the same way).
        throw new LoginFailure(LoginStatus.AUTH_FAILURE);
      }
      answers.push(['AuthMethod', this.authMethod]);
      return;
    }
    if (this.authMethod !== 'CHAP') {
      if (CHAP_KEYS.some((k) => keys.has(k))) throw new LoginFailure(LoginStatus.INITIATOR_ERROR);
      return;
    }
    const algorithms = keys.get('CHAP_A');
    if (algorithms !== undefined) {
      if (this.chap) throw new LoginFailure(LoginStatus.INITIATOR_ERROR);
      if (!algorithms.split(',').includes(CHAP_MD5)) throw new LoginFailure(LoginStatus.AUTH_FAILURE);
      this.chap = newChallenge();
      answers.push(['CHAP_A', CHAP_MD5], ['CHAP_I', String(this.chap.id)], ['CHAP_C', encodeChapBinary(this.chap.challenge)]);
      return;
    }
    if (keys.has('CHAP_N') || keys.has('CHAP_R')) {
      if (!this.chap) throw new LoginFailure(LoginStatus.INITIATOR_ERROR);
      verifyInitiator(this.accounts, this.chap, keys.get('CHAP_N'), keys.get('CHAP_R'));
      const theirId = keys.get('CHAP_I');
      const theirChallenge = keys.get('CHAP_C');
      if (theirId !== undefined || theirChallenge !== undefined) {
        if (theirId === undefined || theirChallenge === undefined) throw new LoginFailure(LoginStatus.INITIATOR_ERROR);
        const mutual = answerInitiatorChallenge(this.outgoing, this.chap, theirId, theirChallenge);
        answers.push(['CHAP_N', mutual.name], ['CHAP_R', mutual.response]);
      }
      this.authenticated = true;
    }
  }

  /** Declarative keys the target announces once per login. */
  private declareLimits(answers: TextPairs): void {
    if (this.declaredLimits) return;
    this.declaredLimits = true;
    if (!answers.some(([k]) => k === 'MaxRecvDataSegmentLength')) {
      answers.push(['MaxRecvDataSegmentLength', String(this.targetParams.MaxRecvDataSegmentLength)]);
    }
  }
}

const CHAP_KEYS = ['CHAP_A', 'CHAP_I', 'CHAP_C', 'CHAP_N', 'CHAP_R'];
const SECURITY_KEYS = new Set(['AuthMethod', ...CHAP_KEYS]);
const LEADING_KEYS = new Set(['InitiatorName', 'InitiatorAlias', 'TargetName', 'SessionType']);

class LoginFailure extends Error {
  constructor(readonly status: number) {
    super(`login failed with status 0x${status.toString(16).padStart(4, '0')}`);
  }
}

export function portalAllowed(target: IscsiTargetView, localAddress: string): boolean {
  return target.allowedPortals.length === 0 || target.allowedPortals.some((p) => portalMatches(p, localAddress));
}
