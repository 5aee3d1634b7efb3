/** Messages of the handover area: Swedish first, English with the same keys (typed). Spread into sv.ts and en.ts. */
export const svHandover = {} as const;

export const enHandover: Record<keyof typeof svHandover, string> = {};
