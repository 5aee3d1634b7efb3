import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { apiHandle, apiIdParam, apiJson, methodNotAllowed, parseJsonBody, requireApiCaller } from '../utils/api.server';
import { apiSubmitSchema } from '../forms/api';
import { apiSubmitPost } from '../models/api.server';

/** POST /api/v1/posts/{id}/submit: the author sends a draft on, screened first (issue 12; ADR 037). */
export function action({ request, context, params }: ActionFunctionArgs) {
  return apiHandle(request, async () => {
    if (request.method !== 'POST') return methodNotAllowed(request, 'POST');
    const who = await requireApiCaller(request, context, 'create:post');
    const id = apiIdParam(params, request);
    const body = await parseJsonBody(request, apiSubmitSchema, { maxBytes: 16 * 1024 });
    return apiJson(await apiSubmitPost(context.db, who, id, body));
  });
}

export function loader({ request }: LoaderFunctionArgs) {
  return apiHandle(request, async () => methodNotAllowed(request, 'POST'));
}
