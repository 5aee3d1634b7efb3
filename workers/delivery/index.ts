/**
 * The public face of the delivery lifecycle for the web app and the CLI: enqueue inside the caller's transaction,
 * the content that is sent (and registered), and the limit check the worker runs last. Everything else in workers/
 * is internal to the worker process (ADR 006).
 */
export {
  contentSha256,
  enqueuePublish,
  recordPublication,
  removePublishJob,
  resolveChannelContent,
  sentContentOf,
  type ChannelContent,
  type PublicationInput,
  type SentContent,
  type VariantSource,
} from '../lib/publication';
export { checkDraft, draftOf, mediaKindOf, type DraftSource } from '../lib/limits';
