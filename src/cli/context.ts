import type { LiveScst } from '../model/live.js';
import type { ScstClient } from '../sysfs/client-api.js';

/** Where a command prints. scstadmin prints almost everything to stdout (scstadmin.md §0.1). */
export interface OutputSink {
  write(text: string): void;
}

/** Modifier options shared by the commands (scstadmin.md §2.2). */
export interface CommandOptions {
  force: boolean;
  noprompt: boolean;
  contOnErr: boolean;
  nonkey: boolean;
  /** `-debug` / `--dry-run`: show the plan, write nothing. */
  dryRun: boolean;
  /** `--json`: machine-readable output for plans and listings. */
  json: boolean;
  /** `--detailed-exitcode`: 0 no changes, 2 changes present, 1 error. */
  detailedExitcode: boolean;
  /** Stdout is a terminal (colour, progress bar). */
  tty: boolean;
  /** Rotated backups kept by -write_config (settings file). */
  backups: number;
  /** `-lip`: issue a LIP after changes (scstadmin.md §11.6). */
  lip?: boolean;
  /** `-no_lip`: makes `-issue_lip` a no-op. */
  noLip?: boolean;
  /** `-preserve_cluster_mode` (TrueNAS): leave `cluster_mode` out of device compare and set. */
  preserveClusterMode?: boolean;
}

/** Everything a command needs; built once per invocation by the CLI entry. */
export interface CommandContext {
  client: ScstClient;
  /** The snapshot taken at start ("Collecting current configuration"). */
  live: LiveScst;
  /** Re-reads the live state (scstadmin re-collects at fixed points of -config). */
  refresh(): Promise<LiveScst>;
  out: OutputSink;
  err: OutputSink;
  options: CommandOptions;
  /**
   * The confirmation prompt of scstadmin.md §10. Resolves true to go on.
   * Honours -noprompt; uses inquirer on a TTY, scstadmin's exact text otherwise.
   */
  confirm(action: string): Promise<boolean>;
  /** Set by SIGINT/SIGTERM: finish the current write, then stop. */
  readonly interrupted: boolean;
}
