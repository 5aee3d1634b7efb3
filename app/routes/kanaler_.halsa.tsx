import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { roleHasPermission } from '../utils/permissions';
import { channelHealth } from '../models/channels.server';
import { platformRegistry } from '../models/platforms.server';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import type { MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Kanalernas hälsa – Utrop' }];

/** Channel health (ADR 043): read-only; re-authorisation goes through the existing OAuth flow (/kanaler/:id/anslut). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:channels');
  const rows = await channelHealth(context.db, context.credentialsKey);
  return {
    channels: rows.map((c) => ({
      id: c.id,
      name: c.name,
      label: platformRegistry[c.platform].label,
      credentialStatus: c.credentialStatus,
      credentialError: c.credentialError,
      tokenExpiresAt: c.tokenExpiresAt?.toISOString() ?? null,
      lastSuccessAt: c.lastSuccessAt?.toISOString() ?? null,
      lastError: c.lastError ? { at: c.lastError.at.toISOString(), message: c.lastError.message } : null,
    })),
    canManage: roleHasPermission(user.role, 'manage:channels'),
  };
}

export default function ChannelHealthPage() {
  const { channels, canManage } = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="health-title">
      <h1 id="health-title">{tr('notify.health.title')}</h1>
      <p>{tr('notify.health.intro')}</p>
      <p>
        <Link to="/kanaler">{tr('channels.title')}</Link>
      </p>
      {channels.length === 0 ? (
        <p>{tr('notify.health.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{tr('notify.health.channel')}</th>
                <th scope="col">{tr('notify.health.status')}</th>
                <th scope="col">{tr('notify.health.expires')}</th>
                <th scope="col">{tr('notify.health.lastSuccess')}</th>
                <th scope="col">{tr('notify.health.lastError')}</th>
                {canManage ? <th scope="col">{tr('notify.health.action')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {channels.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    {c.name}
                    <p className="hint">{c.label}</p>
                  </th>
                  <td>
                    <span className={`state state-${c.credentialStatus === 'ok' ? 'published' : 'failed'}`}>
                      {tr(`channels.status.${c.credentialStatus}` as MessageKey)}
                    </span>
                    {c.credentialError ? <p className="hint">{c.credentialError}</p> : null}
                  </td>
                  <td>{c.tokenExpiresAt ? formatDateTime(c.tokenExpiresAt, locale) : tr('notify.health.unknown')}</td>
                  <td>{c.lastSuccessAt ? formatDateTime(c.lastSuccessAt, locale) : tr('notify.health.never')}</td>
                  <td>
                    {c.lastError ? (
                      <>
                        {formatDateTime(c.lastError.at, locale)}
                        <p className="hint">{c.lastError.message}</p>
                      </>
                    ) : (
                      tr('notify.health.none')
                    )}
                  </td>
                  {canManage ? (
                    <td>
                      <a href={`/kanaler/${c.id}/anslut`}>{tr('notify.health.reauth', { channel: c.name })}</a>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
