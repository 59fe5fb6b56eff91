/**
 * Two renderers of one plan (Terraform's views/jsonplan, STYLE.md): a human
 * text with + ~ - ± markers and a stable JSON document (docs/plan.md), plus a
 * unified diff of the live and desired configurations in scst.conf form.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { createPatch } from 'diff';
import { writeConfig } from '../conf/index.js';
import type { ScstConfig } from '../model/config.js';
import type { LiveScst } from '../model/live.js';
import { selectForWrite } from './select-for-write.js';
import type { ActionKind, Plan, PlanAction, PlanStep } from './types.js';

const MARKER: Record<ActionKind, string> = { create: '+', update: '~', delete: '-', replace: '±' };

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  replace: number;
  disruptive: number;
  /** Attribute writes decided at apply time, on objects this plan creates (not in the counts above). */
  deferred: number;
  /** Sum of the change counts of the certain actions; deferred ones may add up to `deferred` more. */
  changes: number;
}

export function summarizePlan(plan: Plan): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, replace: 0, disruptive: 0, deferred: 0, changes: 0 };
  for (const step of plan.steps) {
    if (step.type !== 'action') continue;
    if (step.deferred) {
      summary.deferred += 1;
      continue;
    }
    summary[step.kind] += 1;
    if (step.disruptive) summary.disruptive += 1;
    summary.changes += step.changes;
  }
  return summary;
}

/** "\t-> Opening device 'd' using handler 'h': " → "Opening device 'd' using handler 'h'". */
function describe(text: string): string {
  return text.replace(/^\t\s*-> /, '').replace(/:\s*$/, '').replace(/\n+$/, '').replace(/\n\t\s*/g, ' ');
}

function renderStep(step: PlanStep, c: ChalkInstance): string {
  switch (step.type) {
    case 'action': {
      const colour = { create: c.green, update: c.yellow, delete: c.red, replace: c.magenta }[step.kind];
      let line = `  ${colour(MARKER[step.kind])} ${describe(step.message)}`;
      if (step.deferred) line += c.dim(' (if different once it exists)');
      if (step.disruptive) line += c.red(step.kind === 'replace' ? ' # forces replacement, disrupts initiators' : ' # disrupts initiators');
      return `${line}\n`;
    }
    case 'notice':
      return `  ${step.level === 'warning' ? c.yellow('!') : c.dim('·')} ${c.dim(describe(step.text))}\n`;
    case 'error':
      return `  ${c.red('✗')} ${c.red(step.text)}\n`;
    case 'recollect':
      return '';
  }
}

export function renderPlanText(plan: Plan, options: { color: boolean }): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const actions = plan.steps.filter((s): s is PlanAction => s.type === 'action');
  let out = '';
  if (actions.length === 0) {
    out += 'No changes. The live configuration matches the file.\n';
  } else {
    out += 'scstadmin-ts will perform the following actions:\n\n';
  }
  for (const step of plan.steps) out += renderStep(step, c);
  const s = summarizePlan(plan);
  if (actions.length > 0) {
    out +=
      `\nPlan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete` +
      (s.disruptive > 0 ? ` (${c.red(`${s.disruptive} disruptive`)})` : '') +
      (s.deferred > 0 ? `, ${s.deferred} to decide once their objects exist` : '') +
      '.\n';
  }
  return out;
}

/** The JSON document of a plan; `format_version` changes only with incompatible changes (docs/plan.md). */
export interface PlanJson {
  format_version: '1.0';
  force: boolean;
  summary: PlanSummary;
  steps: PlanStep[];
}

export function planToJson(plan: Plan): PlanJson {
  return { format_version: '1.0', force: plan.force, summary: summarizePlan(plan), steps: plan.steps };
}

/**
 * A unified diff from the live configuration (as `-write_config` would save
 * it) to the desired one, both rendered by the same writer so that only real
 * differences show.
 */
export function configDiff(live: LiveScst, desired: ScstConfig, version: string, file = 'scst.conf'): string {
  const before = writeConfig(selectForWrite(live, { nonkey: false }), { version });
  const after = writeConfig(desired, { version });
  return createPatch(file, before, after, 'live', 'desired');
}
