import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { CredentialsInvalidError, listChannels, storeCredentials } from '../models/channels.server';
import { afterCredentialsStored } from '../models/channel-hooks.server';
import { manualCredentialsSchema } from '../forms/channels';
import { localeFromRequest } from '../utils/locale.server';
import { CsrfInput } from '../components/csrf-input';
import { FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';
import { platformRegistry } from '../models/platforms.server';

export const meta: MetaFunction = () => [{ title: 'Kanaler – Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:channels');
  const channels = await listChannels(context.db);
  return {
    channels: channels.map((c) => ({ ...c, label: platformRegistry[c.platform].label })),
    canManage: user.role === 'admin',
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'manage:channels');
  const locale = localeFromRequest(request, user);
  const read = await readForm(request, context, { locale, maxChars: { credentials: 20_000 } });
  const { value, reply } = parseForm(read, manualCredentialsSchema);
  if (!value) return Response.json({ result: reply(), error: null, notice: null }, { status: 400 });
  const { channelId, credentials } = value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(credentials);
  } catch {
    return Response.json({ result: reply(), error: t('channels.invalidJson', {}, locale), channelId, notice: null }, { status: 400 });
  }
  try {
    await storeCredentials(context.db, context.credentialsKey, channelId, { credentials: parsed, via: 'manual' }, { userId: user.id, label: 'user' });
  } catch (e) {
    if (!(e instanceof CredentialsInvalidError)) throw e;
    return Response.json({ result: reply(), error: e.message, channelId, notice: null }, { status: 400 });
  }
  const name = await afterCredentialsStored(context.db, channelId);
  return Response.json({ result: reply({ resetForm: true }), error: null, notice: t('channels.saved', { name }, locale) });
}

export default function ChannelsPage() {
  const { channels, canManage } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const tr = useT();
  const locale = useLocale();
  const connected = params.get('connected');
  const failed = params.get('failed');
  return (
    <section aria-labelledby="channels-title">
      <h1 id="channels-title">{tr('channels.title')}</h1>
      <p>
        <a href="/kanaler/halsa">{tr('notify.health.link')}</a>
      </p>
      {actionData?.notice || connected ? (
        <p role="status" className="notice">
          {actionData?.notice ?? tr('channels.saved', { name: channels.find((c) => c.id === connected)?.name ?? '' })}
        </p>
      ) : null}
      <FormMessage message={actionData?.error ?? (failed ? tr('channels.oauthFailed', { reason: failed }) : null)} />
      <table>
        <thead>
          <tr>
            <th scope="col">{tr('channels.title')}</th>
            <th scope="col">{tr('channels.platform')}</th>
            <th scope="col">{tr('channels.account')}</th>
            <th scope="col">{tr('channels.status')}</th>
          </tr>
        </thead>
        <tbody>
          {channels.map((c) => (
            <tr key={c.id}>
              <td>
                <strong>{c.name}</strong>
                {c.description ? <p className="hint">{c.description}</p> : null}
              </td>
              <td>
                {c.label}
                {c.apiBaseUrl ? <p className="hint">{tr('channels.simulated')}</p> : null}
              </td>
              <td>{c.handle ? `@${c.handle}` : c.accountId ?? '–'}</td>
              <td>
                <span className={`state state-${c.credentialStatus === 'ok' ? 'published' : 'failed'}`}>
                  {tr(`channels.status.${c.credentialStatus}` as MessageKey)}
                </span>
                {c.credentialError ? <p className="hint">{c.credentialError}</p> : null}
                {c.credentialsRefreshDueAt ? (
                  <p className="hint">
                    {tr('channels.refreshDue')} {formatDateTime(c.credentialsRefreshDueAt, locale)}
                  </p>
                ) : null}
                {canManage ? (
                  <>
                    <p>
                      <a href={`/kanaler/${c.id}/anslut`}>{tr('channels.connect', { platform: c.label })}</a>
                    </p>
                    <details>
                      <summary>{tr('channels.manual')}</summary>
                      <Form method="post">
                        <CsrfInput />
                        <input type="hidden" name="intent" value="manual" />
                        <input type="hidden" name="channelId" value={c.id} />
                        <div className="field">
                          <label htmlFor={`cred-${c.id}`}>{tr('channels.credentials')}</label>
                          <p className="hint" id={`cred-hint-${c.id}`}>
                            {tr('channels.manualHint')}
                          </p>
                          <textarea id={`cred-${c.id}`} name="credentials" aria-describedby={`cred-hint-${c.id}`} required />
                        </div>
                        <button type="submit" className="button secondary">
                          {tr('channels.save')}
                        </button>
                      </Form>
                    </details>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
