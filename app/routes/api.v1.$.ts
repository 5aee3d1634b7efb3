import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { t } from '../../common/i18n';
import { apiJson, apiLocale } from '../utils/api.server';

/** Any other address under /api/v1: a JSON 404, not the console's HTML page. */
const notFound = ({ request }: LoaderFunctionArgs | ActionFunctionArgs) =>
  apiJson({ error: { code: 'not_found', message: t('api.error.routeNotFound', {}, apiLocale(request)) } }, 404);

export const loader = notFound;
export const action = notFound;
