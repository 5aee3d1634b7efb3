import type { LoaderFunctionArgs } from '@remix-run/node';
import { apiHandle, apiJson } from '../utils/api.server';
import { openApiDocument } from '../utils/openapi.server';

/** GET /api/v1/openapi.json: public, like any API's description (ADR 037). */
export function loader({ request, context }: LoaderFunctionArgs) {
  return apiHandle(request, async () => apiJson(openApiDocument(context.publicUrl), 200, { 'Cache-Control': 'public, max-age=300' }));
}
