/** Messages of the ops area: Swedish first, English with the same keys (typed). Spread into sv.ts and en.ts. */
export const svOps = {} as const;

export const enOps: Record<keyof typeof svOps, string> = {};
