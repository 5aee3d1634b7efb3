/** Messages of the register area: Swedish first, English with the same keys (typed). Spread into sv.ts and en.ts. */
export const svRegister = {} as const;

export const enRegister: Record<keyof typeof svRegister, string> = {};
