import type { LoaderFunctionArgs } from '@remix-run/node';
import { findMedia } from '../../db/queries/deliveries';

/**
 * Media of posts, by id: platforms that fetch media themselves (Instagram's image_url) load it from here. Public on
 * purpose — it is what the city publishes — and addressed by an unguessable uuid.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const id = params.id ?? '';
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new Response('Not found', { status: 404 });
  const media = await findMedia(context.db, id);
  if (!media) throw new Response('Not found', { status: 404 });
  return new Response(new Uint8Array(media.data), {
    headers: { 'Content-Type': media.mimeType, 'Content-Length': String(media.sizeBytes), 'Cache-Control': 'public, max-age=86400, immutable' },
  });
}
