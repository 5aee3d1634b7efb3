/** Messages of the inbox area: Swedish first, English with the same keys (typed). Spread into sv.ts and en.ts. */
export const svInbox = {} as const;

export const enInbox: Record<keyof typeof svInbox, string> = {};
