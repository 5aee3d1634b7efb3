import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { apiHandle, apiIdParam, apiJson, methodNotAllowed, requireApiCaller } from '../utils/api.server';
import { apiGetPost } from '../models/api.server';

/** GET /api/v1/posts/{id}: the post with its deliveries' states and permalinks (ADR 037). */
export function loader({ request, context, params }: LoaderFunctionArgs) {
  return apiHandle(request, async () => {
    const who = await requireApiCaller(request, context, 'view:posts');
    return apiJson(await apiGetPost(context.db, who, apiIdParam(params, request)));
  });
}

export function action({ request }: ActionFunctionArgs) {
  return apiHandle(request, async () => methodNotAllowed(request, 'GET'));
}
