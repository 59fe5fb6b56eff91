/** Runs `main(argv)` in-process with captured stdio. */
import { Readable } from 'node:stream';
import { main, type Connector } from '../../src/cli/main.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  connect?: Connector;
  /** Text on stdin (undefined: immediate EOF). */
  stdin?: string;
  isRoot?: boolean;
  env?: Record<string, string | undefined>;
  home?: string;
  settingsSystemFile?: string;
}

export async function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env ?? {},
    isRoot: options.isRoot ?? true,
    connect: options.connect,
    home: options.home ?? '/nonexistent-home',
    settingsSystemFile: options.settingsSystemFile ?? '/nonexistent/scstadmin-ts.ini',
    handleSignals: false,
  });
  return { code, stdout, stderr };
}

/** The frame of scstadmin.md §1 around a command's output. */
export function framed(body: string): string {
  return `\nCollecting current configuration: done.\n\n${body}\nAll done.\n`;
}
