/** Messages of the compose area: Swedish first, English with the same keys (typed). Spread into sv.ts and en.ts. */
export const svCompose = {} as const;

export const enCompose: Record<keyof typeof svCompose, string> = {};
