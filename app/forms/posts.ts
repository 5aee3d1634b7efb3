import { z } from 'zod';
import { composerKinds } from '../../common/post-kinds';

/** A media slot of the composer: the file itself is its own input; this is what is kept around it. */
export const mediaSlotSchema = z.object({
  /** sha256 of a file already in the media store (an upload kept across a refused submit). */
  ref: z.string().regex(/^[0-9a-f]{64}$/, { error: 'compose.badRef' }).optional(),
  name: z.string().max(255).optional(),
  alt: z.string().trim().max(1000, { error: 'compose.altTooLong' }).optional(),
  /** The kept file's type, for the previews and live checks only (the server reads the bytes themselves). */
  mime: z.enum(['image/jpeg', 'image/png', 'video/mp4', 'video/quicktime'], { error: 'compose.badRef' }).optional(),
});

export const variantSchema = z.object({
  channelId: z.string().uuid(),
  /** Empty: inherit the base text (for YouTube the description). */
  text: z.string().max(100_000).optional(),
  title: z.string().trim().max(200).optional(),
  privacy: z.enum(['public', 'unlisted', 'private']).optional(),
  media: mediaSlotSchema.optional(),
});

/** How many base media slots the composer offers, and the file inputs' names (slot 0 keeps the old name). */
export const BASE_MEDIA_SLOTS = 2;
export const baseFileField = (i: number) => (i === 0 ? 'media' : `media${i}`);
export const variantFileField = (i: number) => `variantMedia${i}`;
export const MAX_VARIANTS = 20;

/**
 * The link card's fields (ADR 038): filled by "Hämta förhandsvisning", editable by hand. The image is a media-store
 * hash from the fetch; noImage drops it.
 */
export const cardFieldsSchema = z.object({
  title: z.string().max(300, { error: 'compose.card.tooLong' }).optional(),
  description: z.string().max(1000, { error: 'compose.card.tooLong' }).optional(),
  siteName: z.string().max(200, { error: 'compose.card.tooLong' }).optional(),
  image: z.string().regex(/^[0-9a-f]{64}$/, { error: 'compose.badRef' }).optional(),
  imageUrl: z.string().max(2048, { error: 'compose.card.tooLong' }).optional(),
  noImage: z.boolean().optional(),
});

/** Buttons that only redraw the form (fetch the link card, update the previews): nothing is saved. */
export const composeDraftIntents = ['card', 'preview'] as const;

/** The composer (ADR 022): a base, a variant per channel, kind; one schema for the action and the UI. */
export const composeSchema = z.object({
  kind: z.enum(composerKinds, { error: 'compose.badKind' }).default('general'),
  text: z.string({ error: 'validation.required' }).trim().min(1, { error: 'validation.required' }),
  // http(s) only: a javascript: or data: address is no link card and no link on a platform.
  link: z.string().trim().url({ protocol: /^https?$/, error: 'validation.url' }).optional(),
  title: z.string().trim().max(200).optional(),
  channelIds: z.array(z.string().uuid(), { error: 'compose.noChannels' }).min(1, { error: 'compose.noChannels' }).max(MAX_VARIANTS),
  files: z.array(mediaSlotSchema).max(BASE_MEDIA_SLOTS).optional(),
  variants: z.array(variantSchema).max(MAX_VARIANTS).optional(),
  /** City time; read strictly by parseCityLocalInput (impossible dates, daylight saving, the past) in the action. */
  at: z.string().max(40, { error: 'compose.badTime' }).optional(),
  /** Which reading of the repeated hour on the day winter time starts. */
  atOffset: z.enum(['+02:00', '+01:00']).optional(),
  /** "Publicera nu": ignore the time field. */
  when: z.enum(['now']).optional(),
  crisis: z.boolean().optional(),
  /** Why to publish despite a blocking screening finding (recorded with the post; issue 12). */
  screeningOverride: z.string().trim().max(500).optional(),
  card: cardFieldsSchema.optional(),
  intent: z.enum(composeDraftIntents).optional(),
});
export type ComposeValue = z.infer<typeof composeSchema>;

export const deliveryActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('retry'), deliveryId: z.string().uuid() }),
  /** Without confirm=yes the page asks first (a confirmation step that needs no JavaScript). */
  z.object({ intent: z.literal('cancel'), deliveryId: z.string().uuid(), confirm: z.literal('yes').optional() }),
  /** Delete a published post from its platform: asked first, then registered with the reason (ADR 039). */
  z.object({
    intent: z.literal('remove'),
    deliveryId: z.string().uuid(),
    confirm: z.literal('yes').optional(),
    reason: z.string().trim().max(500, { error: 'live.remove.reasonLength' }).optional(),
  }),
  z.object({
    intent: z.literal('resolve'),
    deliveryId: z.string().uuid(),
    published: z.enum(['yes', 'no']),
    reason: z.string({ error: 'validation.required' }).trim().min(3, { error: 'validation.required' }),
  }),
  /** Publish a post that screening held (a personnummer…) anyway, with the reason recorded (issue 12). */
  z.object({
    intent: z.literal('release_screening'),
    reason: z.string({ error: 'validation.required' }).trim().min(3, { error: 'validation.required' }).max(500, { error: 'validation.required' }),
  }),
]);
