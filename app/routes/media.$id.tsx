import type { LoaderFunctionArgs } from '@remix-run/node';
import { findPostMedia } from '../models/posts.server';
import { parseIdParam } from '../utils/request.server';

/**
 * Media of posts, by id: platforms that fetch media themselves (Instagram's image_url) load it from here. Public on
 * purpose — it is what the city publishes — and addressed by an unguessable uuid.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const media = await findPostMedia(context.db, parseIdParam(params));
  if (!media) throw new Response('Not found', { status: 404 });
  return new Response(new Uint8Array(media.data), {
    headers: { 'Content-Type': media.mimeType, 'Content-Length': String(media.sizeBytes), 'Cache-Control': 'public, max-age=86400, immutable' },
  });
}
