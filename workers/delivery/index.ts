/**
 * The public face of the delivery lifecycle for the web app and the CLI (ADR 006, ADR 017): the state-transition
 * table and the state writes, the typed job catalogue and enqueue (inside the caller's transaction), the register
 * write, what is sent, and the limit check the worker runs last. Everything else in workers/ is internal to the
 * worker process.
 */
export {
  deliveryTransitions,
  initialDeliveryStates,
  IllegalTransitionError,
  canTransition,
  statesLeadingTo,
  transitionReturning,
  createDeliveries,
} from './states';
export { enqueue, hasPendingJob, JobCatalogueError, type TaskName, type PayloadOf } from './jobs';
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
} from './publication';
export { checkDraft, checkReply, draftOf, mediaKindOf, type DraftSource } from '../lib/limits';
export { enqueueModeration } from '../lib/inbox-jobs';
export { requestRemoval, RemovalRefused, removablePlatforms, type RemovalRequest } from './removal';
