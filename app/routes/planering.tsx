import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { requirePermission } from '../utils/session.server';
import { AreaPlaceholder } from '../components/area-placeholder';

export const meta: MetaFunction = () => [{ title: 'Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'view:posts');
  return null;
}

export default function Page() {
  return <AreaPlaceholder title="nav.planning" />;
}
