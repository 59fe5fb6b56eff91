import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface ToolResult {
  code: number;
  stderr: string;
}

/**
 * Runs a system tool (mount, umount) asynchronously. Never synchronous: the
 * tool may touch our own mount, whose requests this event loop must serve.
 * `extraFd` becomes the tool's descriptor 3.
 */
export function runTool(command: string, args: string[], extraFd?: number): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'ignore', 'pipe'];
    if (extraFd !== undefined) stdio.push(extraFd);
    const child = spawn(command, args, { stdio });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => reject(new Error(`cannot run ${command}: ${err.message}`)));
    child.on('close', (code, signal) => resolve({ code: code ?? 128 + signalNumber(signal), stderr: stderr.trim() }));
  });
}

/** Runs a tool and fails with its message when it does not succeed. */
export async function runToolOrThrow(command: string, args: string[], extraFd?: number): Promise<void> {
  const result = await runTool(command, args, extraFd);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code})${result.stderr ? `: ${result.stderr}` : ''}`);
  }
}

/** The shell convention for a signal's exit status is 128 + its number. */
export function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? constants.signals[signal] : 0;
}
