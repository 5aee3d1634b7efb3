import type { LoaderFunctionArgs } from '@remix-run/node';
import { requirePermission } from '../utils/session.server';
import { openStoredImage } from '../models/posts.server';

/**
 * An image in the media store by its hash, for the composer's and the review page's previews and link card (ADR 038):
 * only for people who may read posts, only JPEG and PNG. A malformed hash is a 404 like a missing one.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'view:posts');
  const image = await openStoredImage(params.sha ?? '');
  if (!image) throw new Response('Not found', { status: 404 });
  return new Response(image.body as BodyInit, {
    headers: {
      'Content-Type': image.mimeType,
      'Content-Length': String(image.body.length),
      'Cache-Control': 'private, max-age=3600, immutable',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
