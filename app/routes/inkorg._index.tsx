import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { roleHasPermission } from '../utils/permissions';
import { inboxFilterSchema } from '../forms/inbox';
import { listInbox, listInboxChannels } from '../models/inbox.server';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { moderationLabels } from '../../common/moderation';
import { inboxQueues, inboxStates } from '../../common/inbox/states';
import type { MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Inkorg – Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:inbox');
  const url = new URL(request.url);
  const raw = Object.fromEntries([...url.searchParams.entries()].filter(([k, v]) => ['channel', 'state', 'label', 'queue', 'overdue'].includes(k) && v !== ''));
  const parsed = inboxFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : {};
  const [items, channels] = await Promise.all([
    listInbox(context.db, { channelId: filter.channel, state: filter.state, label: filter.label, queue: filter.queue, overdue: filter.overdue === '1' }),
    listInboxChannels(context.db),
  ]);
  const data = { items, channels, filter, invalid: !parsed.success, canConfigure: roleHasPermission(user.role, 'moderate:comment') };
  // A filter no form can produce (edited URL): say so, show everything, and answer 400 rather than guess.
  return Response.json(data, { status: parsed.success ? 200 : 400 });
}

type Data = {
  items: {
    id: string;
    channelName: string;
    kind: string;
    authorName: string;
    text: string;
    appearedAt: string;
    state: string;
    labels: { label: string; rule: string; score: number }[];
    queue: string | null;
    dueAt: string | null;
    overdue: boolean;
  }[];
  channels: { id: string; name: string }[];
  filter: { channel?: string; state?: string; label?: string; queue?: string; overdue?: string };
  invalid: boolean;
  canConfigure: boolean;
};

export default function InboxPage() {
  const data = useLoaderData<typeof loader>() as unknown as Data;
  const tr = useT();
  const locale = useLocale();
  const f = data.filter;
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">{tr('inbox.title')}</h1>
      <p className="hint">{tr('inbox.intro')}</p>
      {data.canConfigure ? (
        <p>
          <Link to="/inkorg/installningar">{tr('inbox.settingsLink')}</Link>
        </p>
      ) : null}
      {data.invalid ? (
        <p role="alert" className="form-message">
          {tr('inbox.filter.invalid')}
        </p>
      ) : null}
      <Form method="get" className="inbox-filter">
        <fieldset>
          <legend>{tr('inbox.filter.legend')}</legend>
          <div className="field">
            <label htmlFor="f-channel">{tr('inbox.filter.channel')}</label>
            <select id="f-channel" name="channel" defaultValue={f.channel ?? ''}>
              <option value="">{tr('inbox.filter.all')}</option>
              {data.channels.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-state">{tr('inbox.filter.state')}</label>
            <select id="f-state" name="state" defaultValue={f.state ?? ''}>
              <option value="">{tr('inbox.filter.all')}</option>
              {inboxStates.map((s) => (
                <option key={s} value={s}>
                  {tr(`inbox.state.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-label">{tr('inbox.filter.label')}</label>
            <select id="f-label" name="label" defaultValue={f.label ?? ''}>
              <option value="">{tr('inbox.filter.all')}</option>
              {moderationLabels.map((l) => (
                <option key={l} value={l}>
                  {tr(`inbox.label.${l}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-queue">{tr('inbox.filter.queue')}</label>
            <select id="f-queue" name="queue" defaultValue={f.queue ?? ''}>
              <option value="">{tr('inbox.filter.all')}</option>
              {inboxQueues.map((q) => (
                <option key={q} value={q}>
                  {tr(`inbox.queue.${q}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
          <div className="checkbox-row">
            <input id="f-overdue" type="checkbox" name="overdue" value="1" defaultChecked={f.overdue === '1'} />
            <label htmlFor="f-overdue">{tr('inbox.filter.overdue')}</label>
          </div>
          <button type="submit" className="button secondary">
            {tr('inbox.filter.submit')}
          </button>
        </fieldset>
      </Form>
      {data.items.length === 0 ? (
        <p>{tr('inbox.empty')}</p>
      ) : (
        <ul className="feed inbox-list" aria-label={tr('inbox.title')}>
          {data.items.map((i) => (
            <li key={i.id} className={i.overdue ? 'overdue' : undefined}>
              <p>
                <strong>{i.authorName}</strong> · {i.channelName} · {tr(`inbox.kind.${i.kind}` as MessageKey)} ·{' '}
                <span className={`state inbox-state-${i.state}`}>{tr(`inbox.state.${i.state}` as MessageKey)}</span>
                {i.overdue ? <span className="badge overdue-badge"> {tr('inbox.overdue')}</span> : null}
              </p>
              <p className="inbox-text">{i.text}</p>
              <p className="hint">
                {tr('inbox.col.appeared')}: {formatDateTime(i.appearedAt, locale)}
                {i.dueAt ? ` · ${tr('inbox.col.due')}: ${formatDateTime(i.dueAt, locale)}` : ''}
                {i.queue ? ` · ${tr(`inbox.queue.${i.queue}` as MessageKey)}` : ''}
              </p>
              {i.labels.length > 0 ? (
                <p>
                  <span className="visually-hidden">{tr('inbox.col.labels')}: </span>
                  {i.labels.map((l) => (
                    <span key={l.label} className="badge" title={l.rule}>
                      {tr(`inbox.label.${l.label}` as MessageKey)}
                    </span>
                  ))}
                </p>
              ) : null}
              <p>
                <Link to={`/inkorg/${i.id}`}>
                  {tr('inbox.open')} <span className="visually-hidden">{tr('inbox.thread.title', { author: i.authorName })}</span>
                </Link>
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
