/** Messages of the ops area: Swedish first, English with the same keys (typed). Spread into sv.ts and en.ts. */
export const svOps = {
  'ops.metrics.off': 'Mätvärden är avstängda (METRICS_ENABLED).',
  'ops.metrics.denied': 'Mätvärden kräver en giltig token (Authorization: Bearer …), eller en fråga från den här datorn.',
  'ops.ready.ok': 'Redo.',
  'ops.ready.notReady': 'Inte redo: {failed}.',
} as const;

export const enOps: Record<keyof typeof svOps, string> = {
  'ops.metrics.off': 'Metrics are switched off (METRICS_ENABLED).',
  'ops.metrics.denied': 'Metrics need a valid token (Authorization: Bearer …), or a request from this machine.',
  'ops.ready.ok': 'Ready.',
  'ops.ready.notReady': 'Not ready: {failed}.',
};
