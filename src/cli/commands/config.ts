/**
 * `-config <file>` (scstadmin.md §6): check, plan, confirm, apply — with
 * scstadmin's exact output — or, with --dry-run / --json, show the plan.
 */
import type { LiveScst } from '../../model/live.js';
import type { Operation } from '../../model/operations.js';
import {
  applyOperation,
  cloneLive,
  configDiff,
  configMsg,
  decideDeferred,
  decideOnAttributes,
  liveAttributesOf,
  msg,
  planConfig,
  planToJson,
  renderPlanText,
  type AttributeOwner,
  type DeferredAttributeCheck,
  type DeferredDecision,
  type Plan,
  type PlanAction,
  type PlanStep,
} from '../../plan/index.js';
import type { CommandContext, CommandOptions } from '../context.js';
import { COLLECTING_DONE, CommandAbort, conditionalExit, confirmOrAbort, performStep, warning } from '../output.js';
import { ProgressBar } from '../progress.js';
import { SCST_CONFIGURATOR_VERSION } from '../usage.js';
import type { CliContext } from '../cli-context.js';
import { checkConfigFile, checkJson, DEFAULT_CONFIG_FILE } from './check-config.js';
import { issueLipOn } from './lip.js';

/** Modifiers of -config beyond the shared CommandOptions (main.ts fills them). */
export interface ConfigOptions extends CommandOptions {
  /** `-preserve_cluster_mode` (clients.md §6 item 4). */
  preserveClusterMode?: boolean;
  /** `-lip` (§11.6). */
  lip?: boolean;
}

export interface ConfigRunHooks {
  /** `-lip` after changes were made (§6.1 step 6): LIP on all targets; resolves its rc. */
  lip?: () => Promise<number>;
}

/** The configurator's version number as written into file headers ("3.11.0-pre"). */
export const CONFIGURATOR_VERSION = SCST_CONFIGURATOR_VERSION.replace(/^SCST Configurator v/, '');

export interface ApplyReport {
  /** Sum of the change counts of the operations that succeeded. */
  changes: number;
  /** Operations that failed (only reachable with -cont_on_err, or the one that ended the run). */
  failed: PlanAction[];
  /** Conditional exits known while planning (driver not loaded, target missing, …). */
  errors: string[];
  /** Operations performed successfully, in order. */
  performed: PlanAction[];
  /** Operations never attempted (interrupted or aborted). */
  notPerformed: PlanAction[];
  interrupted: boolean;
}

/**
 * Walks the plan: prints notices, performs actions with their `… done.`
 * lines, re-collects where scstadmin does, and decides deferred attribute
 * writes against the freshly read state. A FATAL (CommandAbort) leaves the
 * report filled in on `report` before it propagates.
 */
export async function applyPlan(ctx: CommandContext, plan: Plan, report: ApplyReport): Promise<void> {
  const actions = plan.steps.filter((s): s is PlanAction => s.type === 'action');
  // A long plan on a terminal gets a progress bar (stderr), kept clear of the transcript.
  const progress = ctx.options.tty && actions.length >= PROGRESS_MIN_ACTIONS ? new ProgressBar(ctx.err, actions.length) : undefined;
  const shown: CommandContext = progress ? Object.assign(Object.create(ctx) as CommandContext, { out: progress.around(ctx.out) }) : ctx;
  const state = new ApplyState(shown);
  // report.notPerformed is filled in once, on the way out (also by a FATAL):
  // removing each action from the front of a list of tens of thousands would be quadratic.
  let attempted = 0;
  try {
    for (const step of plan.steps) {
      if (ctx.interrupted) {
        report.interrupted = true;
        return;
      }
      if (step.type === 'action') attempted++;
      await applyStep(shown, state, step, report);
      if (step.type === 'action') progress?.step();
    }
  } finally {
    progress?.finish();
    report.notPerformed = actions.slice(attempted);
  }
}

/** Plans shorter than this finish before a progress bar would tell anything. */
const PROGRESS_MIN_ACTIONS = 50;

async function applyStep(ctx: CommandContext, state: ApplyState, step: PlanStep, report: ApplyReport): Promise<void> {
  switch (step.type) {
    case 'notice':
      ctx.out.write(step.text);
      return;
    case 'error':
      report.errors.push(step.text);
      conditionalExit(ctx, step.text);
      return;
    case 'recollect':
      await state.recollect();
      ctx.out.write(COLLECTING_DONE);
      return;
    case 'action': {
      if (step.copyManagerLun) {
        const settled = await settleCopyManagerLun(ctx, step);
        if (!settled) return;
        step = settled;
      }
      if (step.deferred) {
        const decision = await state.decide(step.deferred);
        if (decision === 'unchanged') return;
        if (decision === 'lacks') {
          if (step.deferred.lacksNotice) ctx.out.write(step.deferred.lacksNotice);
          return;
        }
      }
      const outcome = await performStep(ctx, step.message, step.operation);
      if (outcome.ok) {
        state.performed(step.operation);
        report.changes += step.changes;
        report.performed.push(step);
        return;
      }
      report.failed.push(step);
      if (step.onFailure === 'conditional-exit') conditionalExit(ctx, outcome.text);
      else if (step.onFailure === 'warning') warning(ctx, outcome.text);
    }
  }
}

const COPY_MANAGER_LUNS = 'targets/copy_manager/copy_manager_tgt/luns';

/**
 * Settles a copy_manager LUN step against what the kernel did (PlanAction.copyManagerLun):
 * the number of a device's automatic LUN is read from its `exported/` links;
 * an addition whose number is taken is dropped silently, as scstadmin does.
 * Returns the step to perform, or undefined when there is nothing to do.
 */
async function settleCopyManagerLun(ctx: CommandContext, step: PlanAction): Promise<PlanAction | undefined> {
  const tree = ctx.client.tree;
  const spec = step.copyManagerLun!;
  if (spec.mode === 'add-unless-present' && step.operation.op === 'addLun') {
    const taken = await tree.lstat(`${COPY_MANAGER_LUNS}/${step.operation.lun}`).then(() => true, () => false);
    return taken ? undefined : step;
  }
  if (spec.mode !== 'remove-auto' || step.operation.op !== 'removeLun') return step;
  const exported = `devices/${spec.device}/exported`;
  for (const link of await tree.readdir(exported).catch(() => [] as string[])) {
    const lun = /targets\/copy_manager\/copy_manager_tgt\/luns\/(\d+)$/.exec(await tree.readlink(`${exported}/${link}`).catch(() => ''))?.[1];
    if (lun === undefined) continue;
    if (spec.keepIfAt.includes(lun)) return undefined;
    return { ...step, operation: { ...step.operation, lun }, message: msg.removeLun(lun, 'copy_manager', 'copy_manager_tgt') };
  }
  return undefined;
}

/**
 * The live state as the writes so far left it, for deferred decisions.
 * Successful operations are applied to an in-memory copy; what that copy
 * cannot know — the kernel-chosen attributes of objects created since, and
 * everything after one of scstadmin's re-collect points — is read back from
 * sysfs. With a client that reads single objects (ScstClient.readAttributesOf)
 * only the owner a decision looks at is re-read, once per such change, which
 * keeps an apply linear in the size of the configuration; otherwise the
 * whole tree is.
 */
class ApplyState {
  /** Copied from ctx.live on first use: a re-apply with nothing to do never pays for it. */
  private liveCopy: LiveScst | undefined;
  /** Bumped whenever sysfs may hold something the copy does not. */
  private epoch = 0;
  /** Epoch at which the whole copy was last read. */
  private wholeReadAt = 0;
  /** Epoch at which single owners were last read (key: ownerKey). */
  private readonly ownerReadAt = new Map<string, number>();

  constructor(private readonly ctx: CommandContext) {}

  private get live(): LiveScst {
    this.liveCopy ??= cloneLive(this.ctx.live);
    return this.liveCopy;
  }

  async recollect(): Promise<void> {
    if (this.ctx.client.readAttributesOf) this.epoch++;
    else await this.readWhole();
  }

  performed(operation: Operation): void {
    applyOperation(this.live, operation);
    if (CREATES_OBJECT.has(operation.op)) this.epoch++;
  }

  async decide(check: DeferredAttributeCheck): Promise<DeferredDecision> {
    const key = ownerKey(check.owner);
    const readAt = Math.max(this.wholeReadAt, this.ownerReadAt.get(key) ?? 0);
    if (readAt < this.epoch) {
      const readOwner = this.ctx.client.readAttributesOf?.bind(this.ctx.client);
      if (!readOwner) await this.readWhole();
      else {
        const fresh = await readOwner(check.owner);
        const known = liveAttributesOf(this.live, check.owner);
        if (!known) return decideOnAttributes(fresh, check); // not in the copy: nothing to keep up to date
        known.clear();
        fresh?.forEach((attribute, name) => known.set(name, attribute));
        this.ownerReadAt.set(key, this.epoch);
      }
    }
    return decideDeferred(this.live, check);
  }

  private async readWhole(): Promise<void> {
    this.liveCopy = cloneLive(await this.ctx.refresh());
    this.wholeReadAt = this.epoch;
  }
}

function ownerKey(owner: AttributeOwner): string {
  return JSON.stringify(owner);
}

/** Operations after which the new object's attributes (defaults) can only be read from sysfs. */
const CREATES_OBJECT: ReadonlySet<Operation['op']> = new Set([
  'openDevice',
  'addTarget',
  'addGroup',
  'addDeviceGroup',
  'addTargetGroup',
  'addTargetGroupTarget',
]);

function describeOperation(action: PlanAction): string {
  return action.message.replace(/^\t\s*-> /, '').replace(/:\s*$/, '');
}

/** On an early end, what was and was not done (stderr: stdout stays scstadmin's). */
function reportIncomplete(ctx: CommandContext, report: ApplyReport, reason: string): void {
  let text = `scstadmin-ts: ${reason}: ${report.performed.length} operation(s) performed, ${report.failed.length} failed, ${report.notPerformed.length} not attempted.\n`;
  for (const e of report.errors) text += `  error:         ${e}\n`;
  for (const a of report.failed) text += `  failed:        ${describeOperation(a)}\n`;
  for (const a of report.notPerformed) text += `  not attempted: ${describeOperation(a)}\n`;
  ctx.err.write(text);
}

export async function runConfig(ctx: CommandContext, file: string, hooks: ConfigRunHooks = {}): Promise<number> {
  const options = ctx.options as ConfigOptions;
  const checked = await checkConfigFile(ctx, file || DEFAULT_CONFIG_FILE, { quiet: options.json });
  const plan = planConfig(checked.check.config, ctx.live, {
    force: options.force,
    preserveClusterMode: options.preserveClusterMode ?? false,
  });

  if (options.json) {
    ctx.out.write(`${JSON.stringify({ check: checkJson(checked), plan: planToJson(plan) }, null, 2)}\n`);
    return planStatus(options, checked.failed, plan.steps.some((s) => s.type === 'action'));
  }
  if (checked.failed) {
    // §6.1 step 2; a file the parser could not read faithfully is never applied (§15 items 3–8)
    conditionalExit(ctx, configMsg.hasErrors);
    if (checked.unparsable) return 1;
  }
  if (options.dryRun) {
    ctx.out.write(renderPlanText(plan, { color: options.tty }));
    ctx.out.write(configDiff(ctx.live, checked.check.config, CONFIGURATOR_VERSION, checked.file));
    return planStatus(options, checked.failed, plan.steps.some((s) => s.type === 'action'));
  }
  if (options.force && !(await confirmOrAbort(ctx, 'apply configuration'))) return checked.failed ? 1 : 0;

  ctx.out.write(configMsg.applying);
  const report: ApplyReport = { changes: 0, failed: [], errors: [], performed: [], notPerformed: [], interrupted: false };
  try {
    await applyPlan(ctx, plan, report);
  } catch (error) {
    if (error instanceof CommandAbort) reportIncomplete(ctx, report, 'stopped by a fatal error');
    throw error;
  }
  if (report.interrupted) {
    // the CLI entry then prints scstadmin's "Aborting immediately." (§1.2) and exits 1
    ctx.out.write(configMsg.done(report.changes));
    reportIncomplete(ctx, report, 'interrupted');
    return 1;
  }
  ctx.out.write(configMsg.done(report.changes));

  let lipStatus = 0;
  if (report.changes > 0 && options.lip) {
    await ctx.refresh(); // the LIP visits the targets as they are now, new ones included
    lipStatus = await (hooks.lip ?? defaultLip(ctx))();
  }

  const failures = report.failed.length + report.errors.length;
  if (failures > 0) reportIncomplete(ctx, report, 'some operations failed');
  // §6.9, with §15 item 38 fixed: failures under -cont_on_err are not reported as success.
  // (--detailed-exitcode's 2 for changes made is the CLI entry's, which counts the writes.)
  if (checked.failed) return 1;
  if (lipStatus !== 0) return lipStatus;
  return failures > 0 ? 1 : 0;
}

/**
 * --detailed-exitcode for a plan that is only shown (--dry-run, --json): 2 when
 * it has actions. Nothing is written, so the CLI entry cannot count changes itself.
 */
function planStatus(options: CommandOptions, failed: boolean, hasChanges: boolean): number {
  if (failed) return 1;
  if (options.detailedExitcode && hasChanges) return 2;
  return 0;
}

/**
 * -lip on every target, in the non-warning mode of the -config/-clear_config
 * paths (§11.6). The CLI always hands commands its CliContext; LIP only uses
 * the CommandContext part of it (live, client, out).
 */
export function defaultLip(ctx: CommandContext): () => Promise<number> {
  return () => issueLipOn(ctx as CliContext, undefined, undefined, false);
}
