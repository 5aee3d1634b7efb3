import type { LoaderFunctionArgs } from '@remix-run/node';
import { openPostMedia } from '../models/posts.server';
import { parseIdParam } from '../utils/request.server';

/**
 * Media of posts, by id: platforms that fetch media themselves (Instagram's image_url) load it from here. Public on
 * purpose — it is what the city publishes — and addressed by an unguessable uuid. The bytes come from the media
 * store by content hash (ADR 022), streamed, so a video is never held in memory whole.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const media = await openPostMedia(context.db, parseIdParam(params));
  if (!media) throw new Response('Not found', { status: 404 });
  return new Response(media.body as BodyInit, {
    headers: {
      'Content-Type': media.mimeType,
      'Content-Length': String(media.size),
      'Cache-Control': 'public, max-age=86400, immutable',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
