/**
 * The inbox's configurable part, stored as JSON in inbox_settings.moderation and edited in the console: classifier
 * thresholds and word lists added to the defaults (common/moderation). One schema for the stored value, the console
 * form's result and the worker that classifies; stored values that no longer parse fall back to the defaults.
 */
import { z } from 'zod';
import { moderationDefaults, type ModerationOptions } from '../moderation';

/** A configured term: what common/screening/terms.ts accepts, one per line in the form. */
const term = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .refine((s) => ![...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), 'inbox.settings.termControl');
const terms = z.array(term).max(500);

export const moderationConfigSchema = z.object({
  minScore: z.number().min(0.1).max(0.99),
  repeatWindowMinutes: z.number().int().min(1).max(7 * 24 * 60),
  repeatSimilarity: z.number().min(0.5).max(1),
  repeatManyAuthors: z.number().int().min(2).max(100),
  advertisingTerms: terms,
  spamTerms: terms,
  offensiveTerms: terms,
  irrelevantTerms: terms,
});
export type ModerationConfig = z.infer<typeof moderationConfigSchema>;

export function defaultModerationConfig(): ModerationConfig {
  const d = moderationDefaults();
  return {
    minScore: d.minScore,
    repeatWindowMinutes: d.repeatWindowMinutes,
    repeatSimilarity: d.repeatSimilarity,
    repeatManyAuthors: d.repeatManyAuthors,
    advertisingTerms: [],
    spamTerms: [],
    offensiveTerms: [],
    irrelevantTerms: [],
  };
}

/** The stored JSON as a config: missing keys take the defaults; a value that does not parse is ignored as a whole. */
export function readModerationConfig(stored: unknown): ModerationConfig {
  const merged = { ...defaultModerationConfig(), ...(stored && typeof stored === 'object' ? stored : {}) };
  const parsed = moderationConfigSchema.safeParse(merged);
  return parsed.success ? parsed.data : defaultModerationConfig();
}

/** Configured terms weigh enough to label alone: the city added them because they mean exactly that. */
const CONFIGURED_WEIGHT = 0.6;

export function moderationOptionsOf(config: ModerationConfig): Partial<ModerationOptions> {
  const d = moderationDefaults();
  return {
    minScore: config.minScore,
    repeatWindowMinutes: config.repeatWindowMinutes,
    repeatSimilarity: config.repeatSimilarity,
    repeatManyAuthors: config.repeatManyAuthors,
    advertisingTerms: [...d.advertisingTerms, ...config.advertisingTerms.map((t) => ({ term: t, weight: CONFIGURED_WEIGHT }))],
    spamTerms: [...d.spamTerms, ...config.spamTerms.map((t) => ({ term: t, weight: CONFIGURED_WEIGHT }))],
    offensiveWords: [
      ...d.offensiveWords,
      ...config.offensiveTerms.map((t) => ({ stem: t.toLowerCase(), mode: 'word' as const, severity: 2 as const, lang: 'sv' as const })),
    ],
    irrelevantRules: config.irrelevantTerms.length > 0 ? [{ id: 'configured', terms: config.irrelevantTerms, score: CONFIGURED_WEIGHT }] : [],
  };
}

/** The reply signature: `{firstName}` becomes the agent's first name; an empty format signs nothing. */
export function signReply(text: string, format: string, displayName: string): string {
  const body = text.replace(/\s+$/u, '');
  if (!format.trim()) return body;
  const firstName = displayName.trim().split(/\s+/u)[0] ?? '';
  const signature = format.replace(/\{firstName\}/g, firstName).trim();
  if (!signature) return body;
  return `${body}\n${signature}`;
}
