/** The pure planning layer: desired × live → plan; checks; -write_config selection; renderers. */
export * from './types.js';
export { planConfig, toParams } from './plan-config.js';
export { checkConfig, checkSummary, type CheckDiagnostic, type CheckResult } from './check-config.js';
export { selectForWrite, keySelection, nonKeySelection, type SelectOptions } from './select-for-write.js';
export { renderPlanText, planToJson, configDiff, summarizePlan, type PlanJson, type PlanSummary } from './render.js';
export { decideDeferred, decideOnAttributes, liveAttributesOf, type DeferredDecision } from './compare.js';
export { applyOperation, cloneLive } from './simulate.js';
export { msg, setterMsg, lacksMsg, configMsg } from './messages.js';
