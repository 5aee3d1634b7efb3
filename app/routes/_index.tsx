import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { formatLongDate, isoWeek } from '../../common/time';
import { useLocale, useT } from '../utils/i18n';
import { t } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Översikt – Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:overview');
  return { now: new Date().toISOString(), name: user.name, role: user.role };
}

export default function Overview() {
  const data = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  const { week } = isoWeek(data.now);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{tr('home.title')}</h1>
      <p>
        <strong>{tr('home.week', { week })}</strong> · {tr('home.today', { date: formatLongDate(data.now, locale) })}
      </p>
      <p>
        {data.name} — {t(`role.${data.role}` as const, {}, locale)}
      </p>
    </section>
  );
}
