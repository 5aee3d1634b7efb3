import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { t } from '../../common/i18n';
import { ApiError, apiHandle, apiJson, apiLocale, methodNotAllowed, requireApiCaller } from '../utils/api.server';
import { readUpload, safeFileName } from '../utils/request.server';
import { storeUpload } from '../models/posts.server';

const MAX_UPLOAD = 64 * 1024 * 1024;

/**
 * POST /api/v1/media: one image or video as the raw body (`?name=` its file name). It goes into the media store by
 * content hash (ADR 022) and comes back as a `ref` for a post's `files` or a variant's `media`, as the composer keeps
 * an upload across a refused submit.
 */
export function action({ request, context }: ActionFunctionArgs) {
  return apiHandle(request, async () => {
    if (request.method !== 'POST') return methodNotAllowed(request, 'POST');
    await requireApiCaller(request, context, 'create:post');
    const locale = apiLocale(request);
    const name = safeFileName(new URL(request.url).searchParams.get('name') ?? 'fil');
    const data = await readUpload(request, { maxBytes: MAX_UPLOAD, locale });
    const stored = data.length > 0 ? await storeUpload(data, name) : null;
    if (!stored) throw new ApiError(415, 'unsupported_media', t('input.badMedia', {}, locale), 'body');
    return apiJson({ ref: stored.sha256, name: stored.filename, mimeType: stored.mimeType, sizeBytes: stored.sizeBytes }, 201);
  });
}

export function loader({ request }: LoaderFunctionArgs) {
  return apiHandle(request, async () => methodNotAllowed(request, 'POST'));
}
