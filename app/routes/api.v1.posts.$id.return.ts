import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { apiHandle, apiIdParam, apiJson, methodNotAllowed, parseJsonBody, requireApiCaller } from '../utils/api.server';
import { apiReturnSchema } from '../forms/api';
import { apiReturnPost } from '../models/api.server';

/** POST /api/v1/posts/{id}/return: sent back to its author with a comment (ADR 030, 037). */
export function action({ request, context, params }: ActionFunctionArgs) {
  return apiHandle(request, async () => {
    if (request.method !== 'POST') return methodNotAllowed(request, 'POST');
    const who = await requireApiCaller(request, context, 'approve:post');
    const id = apiIdParam(params, request);
    const body = await parseJsonBody(request, apiReturnSchema, { maxBytes: 16 * 1024 });
    return apiJson(await apiReturnPost(context.db, who, id, body.comment));
  });
}

export function loader({ request }: LoaderFunctionArgs) {
  return apiHandle(request, async () => methodNotAllowed(request, 'POST'));
}
