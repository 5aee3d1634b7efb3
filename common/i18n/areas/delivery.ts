/** Messages of the delivery area: Swedish first, English with the same keys (typed). Spread into sv.ts and en.ts. */
export const svDelivery = {} as const;

export const enDelivery: Record<keyof typeof svDelivery, string> = {};
