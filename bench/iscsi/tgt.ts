/**
 * The peer target: tgt's user-space daemon (Debian package `tgt`), on its
 * own 127.0.0.1 portal and its own management socket so it never meets a
 * system tgtd. Mirrors our side: target <prefix>:null with a null backing
 * store at LUN 1 and <prefix>:file with an rdwr (page-cache) backing store
 * on the same file.
 */
import { DEFAULT_TARGET_PARAMS } from '../../src/iscsi/index.js';
import { run, startChild, stopChild, type Started } from '../child.js';

/**
 * tgt's own defaults differ (no MaxRecvDataSegmentLength declared, so 8 KiB
 * Data-Out PDUs; InitialR2T=Yes; 256 KiB bursts): give it iscsi-scst's, so
 * both targets negotiate the same session and the comparison is of the
 * implementations, not of their defaults.
 */
const SESSION_PARAMS: Record<string, string> = {
  MaxRecvDataSegmentLength: String(DEFAULT_TARGET_PARAMS.MaxRecvDataSegmentLength),
  MaxXmitDataSegmentLength: String(DEFAULT_TARGET_PARAMS.MaxXmitDataSegmentLength),
  InitialR2T: DEFAULT_TARGET_PARAMS.InitialR2T ? 'Yes' : 'No',
  ImmediateData: DEFAULT_TARGET_PARAMS.ImmediateData ? 'Yes' : 'No',
  FirstBurstLength: String(DEFAULT_TARGET_PARAMS.FirstBurstLength),
  MaxBurstLength: String(DEFAULT_TARGET_PARAMS.MaxBurstLength),
  MaxOutstandingR2T: String(DEFAULT_TARGET_PARAMS.MaxOutstandingR2T),
};

export interface TgtOptions {
  port: number;
  /** tgtd's management channel number (socket /var/run/tgtd/socket.<n>). */
  controlPort: number;
  prefix: string;
  file: string;
}

export class Tgt {
  private started: Started | undefined;

  constructor(private readonly options: TgtOptions) {}

  get pid(): number {
    if (!this.started) throw new Error('tgtd is not running');
    return this.started.pid;
  }

  async start(): Promise<void> {
    const { port, controlPort } = this.options;
    this.started = await startChild(
      'tgtd',
      ['-f', '-C', String(controlPort), '--iscsi', `portal=127.0.0.1:${port}`],
      // Readiness is its management socket answering (below), not anything it prints.
      () => true,
    );
    await this.waitForManagement();
    await this.addTarget(1, `${this.options.prefix}:null`, ['--bstype', 'null', '--backing-store', '/dev/null']);
    await this.addTarget(2, `${this.options.prefix}:file`, ['--bstype', 'rdwr', '--backing-store', this.options.file]);
  }

  /**
   * tgtd ignores SIGTERM while it has targets: delete them (--force ends
   * their sessions) and the system first; stopChild() falls back to SIGKILL.
   */
  async stop(): Promise<void> {
    if (!this.started) return;
    try {
      for (const tid of [1, 2]) await this.admin(['--lld', 'iscsi', '--op', 'delete', '--mode', 'target', '--tid', String(tid), '--force']).catch(() => '');
      await this.admin(['--op', 'delete', '--mode', 'system']);
    } catch {
      // Already gone or not answering: the signal below still ends it.
    }
    await stopChild(this.started.child);
    this.started = undefined;
  }

  private async waitForManagement(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.admin(['--op', 'show', '--mode', 'sys']);
        return;
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async addTarget(tid: number, name: string, backing: string[]): Promise<void> {
    await this.admin(['--lld', 'iscsi', '--op', 'new', '--mode', 'target', '--tid', String(tid), '-T', name]);
    for (const [name, value] of Object.entries(SESSION_PARAMS)) {
      await this.admin(['--lld', 'iscsi', '--op', 'update', '--mode', 'target', '--tid', String(tid), '--name', name, '--value', value]);
    }
    await this.admin(['--lld', 'iscsi', '--op', 'new', '--mode', 'logicalunit', '--tid', String(tid), '--lun', '1', ...backing]);
    await this.admin(['--lld', 'iscsi', '--op', 'bind', '--mode', 'target', '--tid', String(tid), '-I', 'ALL']);
  }

  private admin(args: string[]): Promise<string> {
    return run('tgtadm', ['-C', String(this.options.controlPort), ...args], 10_000);
  }
}
