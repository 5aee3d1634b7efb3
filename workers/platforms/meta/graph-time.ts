/** Graph API timestamps look like "2024-05-01T08:30:00+0000" (no colon in the offset). */
export function formatGraphTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}

export function parseGraphTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  // Insert the colon so any ISO 8601 parser accepts the offset.
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? null : date;
}
