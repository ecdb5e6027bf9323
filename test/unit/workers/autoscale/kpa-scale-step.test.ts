// kpaScaleStep against Knative's own cases, transcribed from knative/serving
// pkg/autoscaler/scaling/autoscaler_test.go (TestAutoscalerScale's table and the sequence tests
// named below). Their fixture, newTestAutoscaler: panic threshold 2 (200 %), max scale up and down
// rate 10, stable window 60 s, reachable, and the autoscaler created while one pod is ready, so that
// it starts out of panic with maxPanicPods 1. Only the desired pod count and the panic time are
// compared: excess burst capacity and the scale-down delay window are not part of the step.
import { describe, expect, it } from 'vitest';
import {
  kpaInitialPanicState,
  kpaScaleStep,
  type KpaScaleInput,
  type KpaScaleResult,
} from '../../../../src/workers/autoscale/kpa.js';

const SECOND = 1000;
/** Knative's tests decide at time.Now(); any instant serves. */
const T0 = 1_700_000_000_000;

type Spec = Omit<
  KpaScaleInput,
  'now' | 'observedStableValue' | 'observedPanicValue' | 'readyPodCount' | 'panicTime' | 'maxPanicPods'
>;

function knativeTestSpec(targetValue: number, overrides: Partial<Spec> = {}): Spec {
  return {
    targetValue,
    panicThreshold: 2,
    maxScaleUpRate: 10,
    maxScaleDownRate: 10,
    stableWindowMs: 60 * SECOND,
    reachable: true,
    ...overrides,
  };
}

interface OneDecision {
  label: string;
  target: number;
  stable: number;
  panic: number;
  /** baseScale: the ready pods at the decision. */
  ready: number;
  spec?: Partial<Spec>;
  /** prepFunc: panic state set by hand before the decision. */
  state?: Pick<KpaScaleInput, 'panicTime' | 'maxPanicPods'>;
  want: number;
}

// TestAutoscalerScale (AutoscalerNoDataAtZeroNoAutoscaleWithExplicitEPs repeats the first case).
const table: OneDecision[] = [
  { label: 'AutoscalerNoDataAtZeroNoAutoscale', target: 10, stable: 0, panic: 0, ready: 1, want: 0 },
  { label: 'AutoscalerStableModeUnlimitedTBC', target: 181, stable: 21, panic: 26, ready: 1, want: 1 },
  { label: 'Autoscaler0TBC', target: 10, stable: 50, panic: 49, ready: 1, want: 5 },
  { label: 'AutoscalerStableModeNoChange', target: 10, stable: 50, panic: 50, ready: 1, want: 5 },
  {
    label: 'AutoscalerPanicStableLargerThanPanic (the stable value decides)',
    target: 1,
    stable: 50,
    panic: 30,
    ready: 5,
    state: { panicTime: T0 - 5 * SECOND, maxPanicPods: 5 },
    want: 50,
  },
  {
    label: 'AutoscalerPanicStableLessThanPanic (the panic value decides)',
    target: 1,
    stable: 20,
    panic: 30,
    ready: 5,
    state: { panicTime: T0 - 5 * SECOND, maxPanicPods: 5 },
    want: 30,
  },
  { label: 'AutoscalerStableModeNoChangeAlreadyScaled', target: 10, stable: 50, panic: 50, ready: 5, want: 5 },
  {
    label: 'AutoscalerStableModeIncreaseWithSmallScaleUpRate (ceil lets 2 × 1.1 grow to 3)',
    target: 1,
    stable: 3,
    panic: 3.1,
    ready: 2,
    spec: { maxScaleUpRate: 1.1 },
    want: 3,
  },
  {
    label: 'AutoscalerStableModeDecreaseWithSmallScaleDownRate',
    target: 10,
    stable: 1,
    panic: 1,
    ready: 100,
    spec: { maxScaleDownRate: 1.1 },
    want: 90,
  },
  {
    label: 'AutoscalerStableModeDecreaseNonReachable (no scale-down limit)',
    target: 10,
    stable: 1,
    panic: 1,
    ready: 100,
    spec: { maxScaleDownRate: 1.1, reachable: false },
    want: 1,
  },
  { label: 'AutoscalerPanicModeDoublePodCount', target: 10, stable: 50, panic: 100, ready: 1, want: 10 },
  // TestAutoscalerMetricsWithRPS: the same arithmetic on requests per second, 61 s in.
  { label: 'AutoscalerMetricsWithRPS', target: 10, stable: 100, panic: 99, ready: 1, want: 10 },
];

describe('kpaScaleStep: TestAutoscalerScale', () => {
  it.each(table)('$label → $want pods', ({ target, stable, panic, ready, spec, state, want }) => {
    const result = kpaScaleStep({
      ...knativeTestSpec(target, spec),
      now: T0,
      observedStableValue: stable,
      observedPanicValue: panic,
      readyPodCount: ready,
      ...(state ?? kpaInitialPanicState(1, T0)),
    });
    expect(result.desiredPodCount).toBe(want);
  });
});

interface Step {
  atMs: number;
  ready: number;
  stable: number;
  panic: number;
  want: number;
  /** Expected panic time after the step (ms after T0), null when not panicking; unchecked when absent. */
  panicSince?: number | null;
  /** a.Update(spec) before this step. */
  spec?: Spec;
}

interface Sequence {
  name: string;
  spec: Spec;
  /** Ready pods when the autoscaler was created (1 in newTestAutoscaler). */
  createdWithReady?: number;
  steps: Step[];
}

const sequences: Sequence[] = [
  {
    name: 'TestAutoscalerStableModeIncreaseWithConcurrencyDefault',
    spec: knativeTestSpec(10),
    steps: [
      { atMs: 0, ready: 1, stable: 50, panic: 10, want: 5 },
      { atMs: 0, ready: 1, stable: 100, panic: 10, want: 10 },
    ],
  },
  {
    name: 'TestAutoscalerStableModeIncreaseWithRPS',
    spec: knativeTestSpec(10),
    steps: [
      { atMs: 0, ready: 1, stable: 50, panic: 50, want: 5 },
      { atMs: 0, ready: 1, stable: 100, panic: 99, want: 10 },
    ],
  },
  {
    name: 'TestAutoscalerUnpanicAfterSlowIncrease: panic ends a stable window after it began',
    spec: knativeTestSpec(1),
    steps: [
      { atMs: 0, ready: 10, stable: 11, panic: 25, want: 25, panicSince: 0 },
      { atMs: 30 * SECOND, ready: 40, stable: 30, panic: 41, want: 41, panicSince: 0 },
      // stableWindow / 2 + tickInterval (2 s) later.
      { atMs: 62 * SECOND, ready: 55, stable: 50, panic: 56, want: 50, panicSince: null },
    ],
  },
  {
    name: 'TestAutoscalerExtendPanicWindow: still over the threshold, panic time moves on',
    spec: knativeTestSpec(1),
    steps: [
      { atMs: 0, ready: 10, stable: 11, panic: 25, want: 25, panicSince: 0 },
      { atMs: 30 * SECOND, ready: 40, stable: 30, panic: 80, want: 80, panicSince: 30 * SECOND },
    ],
  },
  {
    name: 'TestAutoscalerStableModeDecrease',
    spec: knativeTestSpec(10),
    steps: [
      { atMs: 0, ready: 8, stable: 100, panic: 100, want: 10 },
      { atMs: 0, ready: 8, stable: 50, panic: 50, want: 5 },
    ],
  },
  {
    name: 'TestAutoscalerStableModeNoTrafficScaleToZero',
    spec: knativeTestSpec(10),
    steps: [
      { atMs: 0, ready: 1, stable: 1, panic: 0, want: 1 },
      { atMs: 0, ready: 1, stable: 0, panic: 0, want: 0 },
    ],
  },
  {
    name: 'TestAutoscalerActivationScale: any demand starts activation-scale pods',
    spec: knativeTestSpec(10, { activationScale: 2 }),
    steps: [
      { atMs: 0, ready: 1, stable: 0, panic: 0, want: 0 },
      { atMs: 0, ready: 1, stable: 1, panic: 0, want: 2 },
    ],
  },
  {
    name: 'TestAutoscalerPanicModeExponentialTrackAndStabilize',
    spec: knativeTestSpec(1),
    steps: [
      { atMs: 0, ready: 1, stable: 6, panic: 6, want: 6 },
      { atMs: 0, ready: 6, stable: 36, panic: 36, want: 36, panicSince: 0 },
      { atMs: SECOND, ready: 36, stable: 216, panic: 216, want: 216, panicSince: SECOND },
      { atMs: SECOND, ready: 216, stable: 1296, panic: 1296, want: 1296, panicSince: SECOND },
      { atMs: 2 * SECOND, ready: 1296, stable: 1296, panic: 1296, want: 1296 },
    ],
  },
  {
    name: 'TestAutoscalerPanicThenUnPanicScaleDown: no scale-down until panic ends',
    spec: knativeTestSpec(10),
    steps: [
      { atMs: 0, ready: 1, stable: 100, panic: 100, want: 10 },
      { atMs: 0, ready: 10, stable: 100, panic: 1000, want: 100 },
      { atMs: 30 * SECOND, ready: 10, stable: 1, panic: 1, want: 100 },
      { atMs: 61 * SECOND, ready: 10, stable: 1, panic: 1, want: 1 },
    ],
  },
  {
    name: 'TestAutoscalerRateLimitScaleUp: ×10 per decision',
    spec: knativeTestSpec(10),
    steps: [
      { atMs: 0, ready: 1, stable: 1000, panic: 1001, want: 10 },
      { atMs: 0, ready: 10, stable: 1000, panic: 1001, want: 100 },
    ],
  },
  {
    name: 'TestAutoscalerRateLimitScaleDown: ÷10 per decision',
    spec: knativeTestSpec(10),
    steps: [
      { atMs: 0, ready: 100, stable: 1, panic: 1, want: 10 },
      { atMs: 0, ready: 10, stable: 1, panic: 1, want: 1 },
    ],
  },
  {
    name: 'TestAutoscalerUseOnePodAsMinimumIfEndpointsNotFound: 0 ready counts as 1',
    spec: knativeTestSpec(10),
    steps: [{ atMs: 0, ready: 0, stable: 1000, panic: 888, want: 10 }],
  },
  {
    name: 'TestAutoscalerUpdateTarget',
    spec: knativeTestSpec(10),
    steps: [
      { atMs: 0, ready: 1, stable: 100, panic: 101, want: 10 },
      // The updated DeciderSpec leaves Reachable unset (false).
      { atMs: 0, ready: 10, stable: 100, panic: 101, want: 100, spec: knativeTestSpec(1, { reachable: false }) },
    ],
  },
  {
    name: 'TestAutoscalerScaleDownDelayZero: with no delay window, scale-down is immediate',
    spec: knativeTestSpec(10, { panicThreshold: 100, reachable: false }),
    createdWithReady: 0,
    steps: [
      { atMs: 0, ready: 0, stable: 40, panic: 40, want: 4 },
      { atMs: 500, ready: 0, stable: 20, panic: 20, want: 2 },
    ],
  },
];

describe('kpaScaleStep: Knative sequence tests, panic state carried between decisions', () => {
  it.each(sequences)('$name', ({ spec, createdWithReady, steps }) => {
    let state = kpaInitialPanicState(createdWithReady ?? 1, T0);
    let current = spec;
    for (const step of steps) {
      current = step.spec ?? current;
      const result: KpaScaleResult = kpaScaleStep({
        ...current,
        now: T0 + step.atMs,
        observedStableValue: step.stable,
        observedPanicValue: step.panic,
        readyPodCount: step.ready,
        ...state,
      });
      expect(result.desiredPodCount, `at ${step.atMs} ms`).toBe(step.want);
      if (step.panicSince !== undefined)
        expect(result.panicTime, `panic time at ${step.atMs} ms`).toBe(
          step.panicSince === null ? undefined : T0 + step.panicSince,
        );
      state = { panicTime: result.panicTime, maxPanicPods: result.maxPanicPods };
    }
  });
});

describe('kpaInitialPanicState: TestStartInPanicMode', () => {
  it.each([
    { ready: 0, panicking: false },
    { ready: 1, panicking: false },
    { ready: 2, panicking: true },
  ])('created with $ready ready pods: panicking $panicking, maxPanicPods $ready', ({ ready, panicking }) => {
    expect(kpaInitialPanicState(ready, T0)).toEqual({ panicTime: panicking ? T0 : undefined, maxPanicPods: ready });
  });
});

// Not from autoscaler_test.go: the bounds the KPA reconciler applies after Scale (applyBounds in
// pkg/reconciler/autoscaling/kpa/scaler.go), where maxScale 0 means no upper bound.
describe('kpaScaleStep: min and max scale', () => {
  const base = { ...knativeTestSpec(10), now: T0, readyPodCount: 4, panicTime: undefined, maxPanicPods: 0 };

  it.each([
    { what: 'raises a decision below minScale', stable: 0, minScale: 2, maxScale: 0, want: 2 },
    { what: 'caps a decision above maxScale', stable: 300, minScale: 0, maxScale: 5, want: 5 },
    { what: 'leaves a decision alone when maxScale is 0 (unbounded)', stable: 300, minScale: 0, maxScale: 0, want: 30 },
    { what: 'leaves a decision within the bounds alone', stable: 30, minScale: 1, maxScale: 5, want: 3 },
  ])('$what', ({ stable, minScale, maxScale, want }) => {
    const result = kpaScaleStep({ ...base, observedStableValue: stable, observedPanicValue: 0, minScale, maxScale });
    expect(result.desiredPodCount).toBe(want);
  });

  it('keeps the unbounded panic hold in maxPanicPods, so a raised maxScale is honoured next time', () => {
    const result = kpaScaleStep({ ...base, observedStableValue: 300, observedPanicValue: 300, maxScale: 5 });
    expect(result).toMatchObject({ desiredPodCount: 5, maxPanicPods: 30, panicking: true });
  });
});

// Not from autoscaler_test.go either: the edge of `panicTime.Add(StableWindow).Before(now)`.
describe('kpaScaleStep: leaving panic', () => {
  const calm = {
    ...knativeTestSpec(10),
    observedStableValue: 10,
    observedPanicValue: 10,
    readyPodCount: 10,
    maxPanicPods: 8,
  };

  it('still panics exactly one stable window after the last trigger, and leaves a moment later', () => {
    const at = kpaScaleStep({ ...calm, now: T0 + 60 * SECOND, panicTime: T0 });
    expect(at).toMatchObject({ panicking: true, panicTime: T0, desiredPodCount: 8 });
    const after = kpaScaleStep({ ...calm, now: T0 + 60 * SECOND + 1, panicTime: T0 });
    expect(after).toMatchObject({ panicking: false, panicTime: undefined, maxPanicPods: 0, desiredPodCount: 1 });
  });
});
