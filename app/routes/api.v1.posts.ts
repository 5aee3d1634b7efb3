import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { apiHandle, apiJson, methodNotAllowed, parseApiQuery, parseJsonBody, requireApiCaller } from '../utils/api.server';
import { apiCreatePostSchema, apiListQuerySchema } from '../forms/api';
import { apiCreatePost, apiListPosts } from '../models/api.server';

/** GET /api/v1/posts: filters and cursor paging (ADR 037). */
export function loader({ request, context }: LoaderFunctionArgs) {
  return apiHandle(request, async () => {
    const who = await requireApiCaller(request, context, 'view:posts');
    return apiJson(await apiListPosts(context.db, who, parseApiQuery(request, apiListQuerySchema)));
  });
}

/** POST /api/v1/posts: a draft, or a post on its way (to review, scheduled or queued), with per-channel variants. */
export function action({ request, context }: ActionFunctionArgs) {
  return apiHandle(request, async () => {
    if (request.method !== 'POST') return methodNotAllowed(request, 'GET, POST');
    const who = await requireApiCaller(request, context, 'create:post');
    const body = await parseJsonBody(request, apiCreatePostSchema);
    return apiJson(await apiCreatePost(context.db, who, body), 201);
  });
}
