// Maps a model's `autoscale:` and batch settings from the pipeline file to the pool's options, so
// that the pipeline wiring stays one call.
import type { ModelSpec } from '../../config/schema.js';
import type { AutoscaleOptions } from './autoscaler.js';

/** The pool's autoscale options for a model, or undefined when autoscale.enabled is false. */
export function autoscaleOptionsOf(model: Pick<ModelSpec, 'autoscale'>): AutoscaleOptions | undefined {
  const a = model.autoscale;
  if (!a.enabled) return undefined;
  return {
    min: a.min,
    max: a.max,
    targetConcurrency: a.targetConcurrency,
    targetUtilization: a.targetUtilization,
    stableWindowMs: a.stableWindow,
    panicWindowPercentage: a.panicWindowPercentage,
    panicThreshold: a.panicThreshold,
    maxScaleUpRate: a.maxScaleUpRate,
    maxScaleDownRate: a.maxScaleDownRate,
    scaleToZeroGracePeriodMs: a.scaleToZeroGracePeriod,
    tickMs: a.tick,
    budgetPrediction: a.budgetPrediction,
  };
}
