/**
 * The REST API's request bodies and queries (ADR 037). Built from the composer's and the review page's schemas, so
 * /api/v1 applies the rules the UI applies; the OpenAPI document is generated from these same objects.
 */
import { z } from 'zod';
import { roleValues } from '../../common/roles';
import { composerKinds, reviewStateValues } from '../../common/post-kinds';
import { composeSchema } from './posts';
import { reviewActionSchema } from './review';

/** `npx utrop token create`: what a token is made of. */
export const apiTokenSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: 'api.token.badName' })
    .max(100, { error: 'api.token.badName' })
    .regex(/^[\p{L}\p{N} ._-]+$/u, { error: 'api.token.badName' }),
  role: z.enum(roleValues, { error: 'api.token.badRole' }),
  userEmail: z.string().trim().toLowerCase().email({ error: 'api.token.badEmail' }).max(254, { error: 'api.token.badEmail' }).optional(),
  ratePerMinute: z.coerce.number().int().min(1).max(100_000).default(120),
});

/**
 * POST /api/v1/posts: the composer's form as JSON. `draft: true` keeps it as a draft until POST …/submit; without it
 * the post goes on as from the composer (to review when it needs approval, otherwise scheduled or queued).
 */
export const apiCreatePostSchema = composeSchema
  .omit({ crisis: true })
  .extend({
    draft: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'CreatePost' });
export type ApiCreatePost = z.infer<typeof apiCreatePostSchema>;

/** POST /api/v1/posts/{id}/approve and …/return: the review page's own actions. */
const [approveOption, returnOption] = reviewActionSchema.options;
export const apiApproveSchema = approveOption.omit({ intent: true }).strict().meta({ id: 'Approve' });
export const apiReturnSchema = returnOption.omit({ intent: true }).strict().meta({ id: 'ReturnForChanges' });

/** GET /api/v1/posts: filters and a cursor (keyset paging, newest first). */
export const apiListQuerySchema = z
  .object({
    kind: z.enum([...composerKinds, 'crisis']).optional(),
    reviewState: z.enum(reviewStateValues).optional(),
    channel: z.string().trim().min(1).max(100).optional(),
    state: z.enum(['draft', 'scheduled', 'queued', 'publishing', 'published', 'failed', 'unconfirmed', 'cancelled', 'held']).optional(),
    q: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]+$/).optional(),
  })
  .strict();
export type ApiListQuery = z.infer<typeof apiListQuerySchema>;

/** POST /api/v1/posts/{id}/submit: the reason to send it on despite a blocking screening finding, if any. */
export const apiSubmitSchema = composeSchema.pick({ screeningOverride: true }).strict().meta({ id: 'Submit' });

// Responses: the shapes the use-cases return (checked with `satisfies` there) and the OpenAPI document describes.
const channelRef = z.object({ id: z.uuid(), key: z.string(), name: z.string(), platform: z.enum(['x', 'facebook', 'instagram', 'youtube']) });
const deliveryStates = apiListQuerySchema.shape.state.unwrap();
const iso = z.iso.datetime({ offset: true });

export const apiDeliverySchema = z
  .object({
    id: z.uuid(),
    channel: channelRef,
    state: deliveryStates,
    scheduledAt: iso,
    publishedAt: iso.nullable(),
    permalink: z.string().nullable(),
    externalId: z.string().nullable().optional(),
    attempts: z.number().int().optional(),
    error: z.string().nullable().optional(),
  })
  .meta({ id: 'Delivery' });

const postFields = {
  id: z.uuid(),
  kind: z.enum([...composerKinds, 'crisis']),
  reviewState: z.enum(reviewStateValues),
  text: z.string(),
  link: z.string().nullable(),
  title: z.string().nullable(),
  isCrisis: z.boolean(),
  scheduledAt: iso,
  createdAt: iso,
  createdBy: z.uuid().nullable(),
  approvedBy: z.uuid().nullable(),
  approvedAt: iso.nullable(),
  reviewComment: z.string().nullable(),
  screeningOverrideReason: z.string().nullable(),
};

const findingSchema = z.object({ kind: z.string(), severity: z.enum(['block', 'warning']), message: z.string(), start: z.number().int(), end: z.number().int() });

export const apiPostSchema = z
  .object({
    ...postFields,
    media: z.array(
      z.object({ id: z.uuid(), channelId: z.uuid().nullable(), kind: z.enum(['image', 'video']), filename: z.string(), mimeType: z.string(), sha256: z.string(), altText: z.string().nullable() }),
    ),
    deliveries: z.array(apiDeliverySchema),
    screening: z.object({ findings: z.array(findingSchema) }).optional(),
  })
  .meta({ id: 'Post' });

export const apiPostListSchema = z
  .object({ items: z.array(z.object({ ...postFields, deliveries: z.array(apiDeliverySchema) })), nextCursor: z.string().nullable() })
  .meta({ id: 'PostList' });

export const apiErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional().meta({ description: 'The request field at fault (dotted path), for validation errors.' }),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const apiMediaRefSchema = z
  .object({ ref: z.string().regex(/^[0-9a-f]{64}$/), name: z.string(), mimeType: z.string(), sizeBytes: z.number().int() })
  .meta({ id: 'MediaRef', description: 'Use ref in files[].ref or variants[].media.ref.' });
