import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { apiHandle, apiIdParam, apiJson, methodNotAllowed, parseJsonBody, requireApiCaller } from '../utils/api.server';
import { apiApproveSchema } from '../forms/api';
import { apiApprovePost } from '../models/api.server';

/** POST /api/v1/posts/{id}/approve: four eyes, as on the review page (ADR 030, 037). */
export function action({ request, context, params }: ActionFunctionArgs) {
  return apiHandle(request, async () => {
    if (request.method !== 'POST') return methodNotAllowed(request, 'POST');
    const who = await requireApiCaller(request, context, 'approve:post');
    const id = apiIdParam(params, request);
    await parseJsonBody(request, apiApproveSchema, { maxBytes: 16 * 1024, allowEmpty: true });
    return apiJson(await apiApprovePost(context.db, who, id));
  });
}

export function loader({ request }: LoaderFunctionArgs) {
  return apiHandle(request, async () => methodNotAllowed(request, 'POST'));
}
