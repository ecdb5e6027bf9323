// The router's public surface: compile one trigger's filter, or route events across many triggers.

export { compileTriggerFilter, type FilterSpec, type TriggerFilterSpec } from './compile-filter.js';
export type { FilterHooks } from './filter.js';
export { Router, type RouterHooks, type RouterTrigger } from './router.js';
export { CEL_LIBRARY } from './cel-filter.js';
