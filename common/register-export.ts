/**
 * A long register export from /diarium (ADR 036), as the web app stores it for the background job register__export:
 * the search as query filters (dates as ISO instants) and what the requester may see. One schema for the writer
 * (app/models/register.server.ts) and the reader (workers/lib/register-export.ts); the job refuses any other shape.
 */
import { z } from 'zod';
import { recordDirections, recordKinds } from './register';

export const storedExportSearchSchema = z
  .object({
    filters: z
      .object({
        text: z.string().max(400).optional(),
        from: z.iso.datetime({ offset: true }).optional(),
        before: z.iso.datetime({ offset: true }).optional(),
        channelId: z.uuid().optional(),
        direction: z.enum(recordDirections).optional(),
        kind: z.enum(recordKinds).optional(),
        series: z.string().max(20).optional(),
        number: z.string().max(40).optional(),
        confidential: z.boolean().optional(),
        exercise: z.boolean().optional(),
      })
      .strict(),
    /** The requester's right when they asked; the job masks accordingly (and the download route asks again). */
    mayViewConfidential: z.boolean(),
    /** The form's fields as typed, for the audit entry and the progress page. */
    query: z.record(z.string(), z.string().max(400)),
  })
  .strict();
export type StoredExportSearch = z.infer<typeof storedExportSearchSchema>;

/** The finished file's name on the shared volume; the partial one is hidden beside it until it is whole. */
export const exportFileName = (id: string, format: 'csv' | 'json') => `${id}.${format}`;
export const partialExportFileName = (id: string, format: 'csv' | 'json') => `.${id}.${format}.partial`;
