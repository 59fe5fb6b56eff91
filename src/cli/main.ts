/**
 * The scstadmin-ts entry (scstadmin.md §1): root check, option parsing and
 * validation, tree selection, version check, snapshot, dispatch, the
 * WARNING for library codes, `\nAll done.\n` and the exit status. Nothing
 * depends on the program's name: it behaves the same when installed as
 * `scstadmin`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { LiveScst } from '../model/live.js';
import type { Operation } from '../model/operations.js';
import type { ScstClient } from '../sysfs/client-api.js';
import type { SysfsClientOptions } from '../sysfs/client.js';
import { resultText } from '../sysfs/result-codes.js';
import { ArgvError, parseArgv, type ParsedArgv } from './argv.js';
import { CommandArgs } from './args.js';
import type { CliContext } from './cli-context.js';
import type { CommandOptions, OutputSink } from './context.js';
import { ALL_DONE, CommandAbort, fatal, failureText, warning } from './output.js';
import { DISPATCH_ORDER, OPTION_BY_NAME, OPTIONS, REQUIREMENTS } from './options.js';
import { askConfirmation } from './prompt.js';
import { loadSettings, SettingsError, type Settings } from './settings.js';
import { usageText } from './usage.js';
import { COMMAND_HANDLERS } from './commands/index.js';
import { completionScript, listCompletions } from './completion.js';

export const DEFAULT_SYSFS_ROOT = '/sys/kernel/scst_tgt';

/** Where the tree comes from (§1 step 3, plus the scstadmin-ts extensions). */
export type TreeTarget =
  | { kind: 'emulate'; file: string }
  | { kind: 'directory'; root: string; explicit: boolean };

export interface Connection {
  client: ScstClient;
  /** Persists the emulator's state after the command. */
  save?(): Promise<void>;
}

/**
 * Opens a client on the selected tree with the given client options (they
 * carry -debug: dry run and the `DBG(<pid>): ` lines). Throws
 * `TreeMissingError` when a directory tree does not exist.
 */
export type Connector = (target: TreeTarget, clientOptions: SysfsClientOptions) => Promise<Connection>;

export class TreeMissingError extends Error {
  override name = 'TreeMissingError';
}

type Stream = { write(text: string): unknown; isTTY?: boolean };

export interface MainEnvironment {
  stdout?: Stream;
  stderr?: Stream;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env?: Record<string, string | undefined>;
  /** Effective UID is 0. */
  isRoot?: boolean;
  connect?: Connector;
  /** Settings file locations (tests). */
  settingsSystemFile?: string;
  home?: string;
  /** Installs SIGINT/SIGTERM handlers (default true; tests turn it off). */
  handleSignals?: boolean;
}

/** Commands that read a configuration file; they return exit statuses, not library codes. */
const CONFIG_FILE_COMMANDS: ReadonlySet<string> = new Set(['config', 'check_config']);

const defaultConnect: Connector = async (target, clientOptions) => {
  const { SysfsClient, RealDirectoryTree } = await import('../sysfs/index.js');
  if (target.kind === 'emulate') {
    const { loadMachine } = await import('../emulator/index.js');
    const machine = await loadMachine(target.file, { createIfMissing: true });
    return { client: new SysfsClient(machine.tree, clientOptions), save: () => machine.save() };
  }
  if (!existsSync(target.root)) throw new TreeMissingError(target.root);
  return { client: new SysfsClient(new RealDirectoryTree(target.root), clientOptions) };
};

function isUnderSys(root: string): boolean {
  const absolute = resolve(root);
  return absolute === '/sys' || absolute.startsWith('/sys/');
}

/**
 * A closed pipe (`scstadmin-ts -list_device x | head`) must not crash the
 * run half-way: further output is dropped and the command (and the
 * emulator's save) completes.
 */
function sink(stream: Stream): OutputSink {
  let closed = false;
  const emitter = stream as Partial<NodeJS.EventEmitter>;
  emitter.on?.('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return {
    write: (text: string) => {
      if (!closed) stream.write(text);
    },
  };
}

/** Picks the tree: command line beats environment and settings files. */
function selectTarget(parsed: ParsedArgv | undefined, settings: Settings): TreeTarget | string {
  const cliEmulate = parsed?.values.get('emulate');
  const cliRoot = parsed?.values.get('sysfs_root');
  if (typeof cliEmulate === 'string' && typeof cliRoot === 'string') {
    return 'Please specify only one of --emulate and --sysfs-root.';
  }
  if (typeof cliEmulate === 'string') return { kind: 'emulate', file: cliEmulate };
  if (typeof cliRoot === 'string') return { kind: 'directory', root: cliRoot, explicit: true };
  if (settings.emulate !== undefined && settings.sysfsRoot !== undefined) {
    return 'Please specify only one of SCSTADMIN_EMULATE and SCST_SYSFS_ROOT.';
  }
  if (settings.emulate !== undefined) return { kind: 'emulate', file: settings.emulate };
  if (settings.sysfsRoot !== undefined) return { kind: 'directory', root: settings.sysfsRoot, explicit: true };
  return { kind: 'directory', root: DEFAULT_SYSFS_ROOT, explicit: false };
}

/**
 * commander checks the canonical tokens against the same table (types,
 * unknown names) and yields the typed option object.
 */
function commanderParse(tokens: string[]): Record<string, unknown> {
  const program = optionProgram();
  program.exitOverride().allowExcessArguments(true).helpOption(false);
  program.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  program.parse(tokens, { from: 'user' });
  return program.opts();
}

/** One commander program over the option table: parsing and the modern `--help` share it. */
function optionProgram(): Command {
  const program = new Command('scstadmin-ts');
  for (const def of OPTIONS) {
    const placeholder = def.arg ?? 'value';
    const spec = def.value === 'flag' ? `--${def.name}` : def.value === 'mandatory' ? `--${def.name} <${placeholder}>` : `--${def.name} [${placeholder}]`;
    program.addOption(new Option(spec, def.description));
  }
  return program;
}

/**
 * `--help` (exactly): a modern help screen generated from the option table.
 * `-h` and `-help` keep scstadmin's own usage text (§2.9), which scripts may parse.
 */
function modernHelp(): string {
  const program = optionProgram()
    .usage('-<command> [argument] [-<option> [value]]...')
    .description(
      'Configure SCST like scstadmin: options take one or two dashes, any case, and any unique prefix ' +
        '(-list_dev = --LIST_DEVICE). `-h` shows scstadmin\'s own usage text.',
    )
    .helpOption(false);
  return program.helpInformation({ error: false });
}

/** §2.5 counters and §2.4 companions; returns the message to print, if any. */
export function validate(values: ReadonlyMap<string, unknown>): string | undefined {
  let query = 0;
  let others = 0;
  for (const name of values.keys()) {
    const cls = OPTION_BY_NAME.get(name)?.class;
    if (cls === 'query') query = 1;
    else if (cls === 'set' || cls === 'op') others++;
  }
  if (query + others > 1) return 'Please specify only one non-query operation at a time.';
  for (const rule of REQUIREMENTS) {
    if (rule.commands.some((c) => values.has(c)) && rule.requires.some((r) => !values.has(r))) return rule.message;
  }
  return undefined;
}

/** §1 step 3: SCST.pm's version check. Returns [message, exit status] on failure. */
function checkVersion(raw: string): [string, number] | undefined {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(raw);
  if (!match) return [`Failed to parse SCST version from '${raw}'\n`, 255];
  if (Number(match[1]) >= 2) return undefined;
  return [`This module requires at least SCST version 2.0.0 and version ${match[0]} was found.\n`, 255];
}

/**
 * §1 step 4: an initiator in two groups of one target is fatal without
 * -force. scstadmin printed the literal word `target` instead of the target
 * name (§15.1 #22); the name is printed here.
 */
function duplicateInitiator(live: LiveScst): string | undefined {
  for (const [driverName, driver] of live.drivers) {
    for (const [targetName, target] of driver.targets) {
      const seen = new Set<string>();
      for (const group of target.groups.values()) {
        for (const initiator of group.initiators) {
          if (seen.has(initiator)) {
            return `\t-> FATAL: Initiator '${initiator}' belongs to more than one groups for driver/target '${driverName}/${targetName}', aborting. Use -force to override.\n`;
          }
          seen.add(initiator);
        }
      }
    }
  }
  return undefined;
}

function commandOptions(args: CommandArgs, settings: Settings, stdout: Stream): CommandOptions & {
  lip: boolean;
  noLip: boolean;
  preserveClusterMode: boolean;
} {
  return {
    force: args.flag('force'),
    noprompt: args.flag('noprompt'),
    contOnErr: args.flag('cont_on_err'),
    nonkey: args.flag('nonkey'),
    dryRun: args.flag('debug') || args.flag('dry_run'),
    json: args.flag('json'),
    detailedExitcode: args.flag('detailed_exitcode'),
    tty: settings.color === 'always' || (settings.color === 'auto' && stdout.isTTY === true),
    backups: settings.backups,
    lip: args.flag('lip'),
    noLip: args.flag('no_lip'),
    preserveClusterMode: args.flag('preserve_cluster_mode'),
  };
}

/** Runs scstadmin-ts with `argv` = the user's arguments (process.argv.slice(2)); resolves the exit status. */
export async function main(argv: string[], environment: MainEnvironment = {}): Promise<number> {
  const stdout = environment.stdout ?? process.stdout;
  const stderr = environment.stderr ?? process.stderr;
  const stdin = environment.stdin ?? process.stdin;
  const env = environment.env ?? process.env;
  const isRoot = environment.isRoot ?? process.geteuid?.() === 0;
  const out = sink(stdout);
  const err = sink(stderr);

  let settings: Settings;
  try {
    settings = loadSettings({ env, systemFile: environment.settingsSystemFile, home: environment.home });
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    err.write(`scstadmin-ts: ${error.message}\n`);
    return 1;
  }

  if (argv.length === 1 && argv[0] === '--help') {
    out.write(modernHelp());
    return 0;
  }
  let parsed: ParsedArgv | undefined;
  let parseError: ArgvError | undefined;
  try {
    parsed = parseArgv(argv, OPTIONS);
  } catch (error) {
    if (!(error instanceof ArgvError)) throw error;
    parseError = error;
  }
  const target = selectTarget(parsed, settings);

  // §1 step 1, kept for the kernel's tree (anything under /sys); the emulator
  // and directory trees elsewhere (tests, copies) need no privileges.
  const completionOnly = parsed?.values.has('completion') || parsed?.values.has('complete');
  const needsRoot = typeof target === 'string' || (target.kind === 'directory' && isUnderSys(target.root));
  if (!isRoot && !completionOnly && needsRoot) {
    err.write('This program must run as root.\n');
    return 255;
  }
  if (parseError || !parsed) {
    err.write(`${parseError?.message ?? 'invalid arguments'}\n`);
    return 1;
  }
  try {
    commanderParse(parsed.tokens);
  } catch (error) {
    err.write(`${(error as Error).message}\n`);
    return 1;
  }
  const args = new CommandArgs(parsed.values);

  if (args.flag('h') || args.flag('help')) {
    out.write(usageText());
    return 0;
  }
  const completionShell = args.raw('completion');
  if (completionShell !== undefined) {
    if (completionShell !== 'bash') {
      err.write(`scstadmin-ts: unsupported shell '${completionShell}' (supported: bash)\n`);
      return 1;
    }
    out.write(completionScript());
    return 0;
  }
  if (typeof target === 'string') {
    out.write(`${target}\n`);
    return 1;
  }
  const problem = validate(parsed.values);
  if (problem) {
    out.write(`${problem}\n`);
    return 1;
  }

  const options = commandOptions(args, settings, stdout);
  const treeLabel = target.kind === 'emulate' ? `emulator:${target.file}` : target.root;
  // -debug (§11.8): SCST.pm's DBG lines instead of writes; also the `(ERRNO) ` fragments on stderr (§3.6).
  const clientOptions: SysfsClientOptions = {
    dryRun: options.dryRun,
    onWrite: options.dryRun ? (event) => out.write(`DBG(${process.pid}): ${event.debugText}\n`) : undefined,
    stderr: (text) => err.write(text),
    ...(target.kind === 'emulate' ? { displayRoot: DEFAULT_SYSFS_ROOT } : {}),
  };
  const connect = environment.connect ?? defaultConnect;
  const completeKind = args.raw('complete');
  if (completeKind !== undefined) {
    try {
      const { client } = await connect(target, clientOptions);
      out.write(listCompletions(await client.readLive(), completeKind, args));
    } catch {
      // Completion stays quiet: no names rather than an error in the shell.
    }
    return 0;
  }

  let connection: Connection;
  try {
    connection = await connect(target, clientOptions);
  } catch (error) {
    if (!(error instanceof TreeMissingError)) throw error;
    return notLoaded(err, target);
  }
  const client = new WriteTrackingClient(connection.client);

  try {
    let rawVersion: string;
    try {
      rawVersion = (await connection.client.tree.read('version')).split('\n')[0] ?? '';
    } catch {
      return notLoaded(err, target);
    }
    const versionProblem = checkVersion(rawVersion);
    if (versionProblem) {
      err.write(versionProblem[0]);
      return versionProblem[1];
    }
    return await run(client, args, options, { out, err, stdin, stdout, treeLabel, handleSignals: environment.handleSignals ?? true });
  } finally {
    // The emulator's state is saved only when the command tried to change it.
    if (client.attempted > 0 && !options.dryRun) await connection.save?.();
  }
}

function notLoaded(err: OutputSink, target: TreeTarget): number {
  err.write('Failed to obtain SCST version information. Are the SCST modules loaded?\n');
  if (target.kind === 'directory' && !target.explicit) {
    err.write(
      `Hint: no SCST found at ${target.root}. To try scstadmin-ts without the kernel modules, ` +
        'use --emulate FILE (or SCSTADMIN_EMULATE=FILE) to run against an emulated SCST.\n',
    );
  }
  return 2; // the errno (ENOENT) the Perl die exits with
}

interface RunStreams {
  out: OutputSink;
  err: OutputSink;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: Stream;
  treeLabel: string;
  handleSignals: boolean;
}

/** Steps 4–7 of §1 once the tree is open. */
/** The client, counting the operations tried (for saving) and performed (for --detailed-exitcode). */
class WriteTrackingClient implements ScstClient {
  attempted = 0;
  performed = 0;
  readonly readAttributesOf: ScstClient['readAttributesOf'];

  constructor(private readonly inner: ScstClient) {
    this.readAttributesOf = inner.readAttributesOf?.bind(inner);
  }

  get tree() {
    return this.inner.tree;
  }

  readLive(): Promise<LiveScst> {
    return this.inner.readLive();
  }

  async perform(op: Operation): Promise<void> {
    this.attempted++;
    await this.inner.perform(op);
    this.performed++;
  }
}

async function run(
  client: WriteTrackingClient,
  args: CommandArgs,
  options: ReturnType<typeof commandOptions>,
  streams: RunStreams,
): Promise<number> {
  const { out } = streams;
  const commands = DISPATCH_ORDER.filter((name) => args.has(name));
  // --json listings print one JSON document and nothing of the text frame;
  // -config/-check_config under --json print their own document (the plan), frame-free too.
  const isQuery = (c: string) => OPTION_BY_NAME.get(c)?.class === 'query';
  const jsonOnly = options.json && commands.length > 0 && commands.every(isQuery);
  const jsonPlan = options.json && commands.length > 0 && commands.every((c) => isQuery(c) || CONFIG_FILE_COMMANDS.has(c)) && !jsonOnly;
  const silent: OutputSink = { write: () => {} };
  const frameOut: OutputSink = jsonOnly || jsonPlan ? silent : out;

  let interrupted = false;
  const ctx: CliContext = {
    client,
    live: undefined as unknown as LiveScst,
    refresh: async () => {
      ctx.live = await client.readLive();
      return ctx.live;
    },
    out: jsonOnly ? silent : out,
    err: streams.err,
    options,
    confirm: async () => options.noprompt || askConfirmation({ stdin: streams.stdin, stdout: streams.stdout as NodeJS.WritableStream & { isTTY?: boolean } }, out.write),
    get interrupted() {
      return interrupted;
    },
    args,
    json: new Map(),
    treeLabel: streams.treeLabel,
    get changes() {
      return client.performed;
    },
  };

  // Signals: let the write in progress finish, then stop (§1.2 exits at once,
  // possibly mid-write; here commands check ctx.interrupted between steps).
  const onSignal = () => {
    if (interrupted) process.exit(1);
    interrupted = true;
  };
  if (streams.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    frameOut.write('\nCollecting current configuration: ');
    try {
      ctx.live = await client.readLive();
    } catch (error) {
      fatal(ctx, failureText(error) ?? 'Unable to read the live configuration.');
    }
    frameOut.write('done.\n\n');
    const duplicate = options.force ? undefined : duplicateInitiator(ctx.live);
    if (duplicate) {
      frameOut.write(duplicate);
      return 1;
    }

    if (commands.length === 0) {
      frameOut.write('No valid operations specified.\n');
      return 1;
    }
    // §2.6: the first command given runs; list commands fall through to the next.
    let rc = 0;
    for (const name of commands) {
      rc = await COMMAND_HANDLERS[name]!(ctx, args);
      if (OPTION_BY_NAME.get(name)?.class !== 'query' || interrupted) break;
    }
    if (interrupted) {
      out.write('\n\nAborting immediately.\n');
      return 1;
    }
    // The config-file commands return an exit status, not a library result code.
    const ranConfigFile = commands.some((c) => CONFIG_FILE_COMMANDS.has(c));
    if (rc !== 0 && !ranConfigFile) warning(ctx, resultText(rc));
    if (jsonOnly) out.write(`${JSON.stringify(ctx.json.size === 1 ? [...ctx.json.values()][0] : Object.fromEntries(ctx.json), null, 2)}\n`);
    frameOut.write(ALL_DONE);
    if (options.detailedExitcode) {
      // A dry run writes nothing to count: -config then reports "changes present" (2) itself.
      if (ranConfigFile && rc === 2) return 2;
      return rc !== 0 ? 1 : client.performed > 0 ? 2 : 0;
    }
    return rc;
  } catch (error) {
    if (error instanceof CommandAbort) return error.exitCode;
    throw error;
  } finally {
    if (streams.handleSignals) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  }
}
