/** Messages of the crisis area: Swedish first, English with the same keys (typed). Spread into sv.ts and en.ts. */
export const svCrisis = {} as const;

export const enCrisis: Record<keyof typeof svCrisis, string> = {};
