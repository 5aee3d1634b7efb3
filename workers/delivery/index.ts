/**
 * The public face of the delivery lifecycle for the web app and the CLI: enqueue inside the caller's transaction,
 * the content that is sent (and registered), and the limit check the worker runs last. Everything else in workers/
 * is internal to the worker process (ADR 006).
 */
export { enqueuePublish, recordPublication, removePublishJob, sentContentOf, type SentContent, type PublicationInput } from '../lib/publication';
export { checkDraft, checkReply, draftOf, mediaKindOf, type DraftSource } from '../lib/limits';
export { enqueueModeration } from '../lib/inbox-jobs';
