import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { useMemo, useState } from 'react';
import { requirePermission } from '../utils/session.server';
import { parseForm, parseIdParam, readForm, isUuid } from '../utils/request.server';
import { roleHasPermission } from '../utils/permissions';
import { localeFromRequest } from '../utils/locale.server';
import { inboxActionSchema } from '../forms/inbox';
import {
  escalateItem,
  getInboxSettings,
  getThread,
  InboxActionError,
  listReplyTemplates,
  markHandled,
  moderateComment,
  replyToItem,
} from '../models/inbox.server';
import { CsrfInput } from '../components/csrf-input';
import { FormMessage, translateAll } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';
import { roleValues } from '../../common/roles';
import { moderationActions, moderationReasons } from '../../common/inbox/states';
import { signReply } from '../../common/inbox/settings';
import { screenText } from '../../common/screening';

export const meta: MetaFunction = () => [{ title: 'Kommentar – Inkorg – Utrop' }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:inbox');
  const view = await getThread(context.db, parseIdParam(params));
  if (!view) throw new Response('Not found', { status: 404 });
  const [settings, templates] = await Promise.all([getInboxSettings(context.db), listReplyTemplates(context.db)]);
  const templateId = new URL(request.url).searchParams.get('template');
  const chosen = templateId && isUuid(templateId) ? templates.find((x) => x.id === templateId) : undefined;
  const { item, channel } = view;
  return {
    canModerate: roleHasPermission(user.role, 'moderate:comment'),
    signaturePreview: signReply('', settings.signatureFormat, user.name).trim(),
    templates: templates.map((x) => ({ id: x.id, name: x.name, body: x.body })),
    templateBody: chosen?.body ?? '',
    templateId: chosen?.id ?? '',
    registrationNumber: view.registrationNumber,
    channel: { name: channel.name, platform: channel.platform },
    ourPost: view.ourPost,
    item: {
      id: item.id,
      authorName: item.authorName,
      text: item.text,
      kind: item.kind,
      appearedAt: item.appearedAt,
      state: item.state,
      labels: item.labels,
      queue: item.queue,
      dueAt: item.dueAt,
      escalatedTo: item.escalatedTo,
      moderationAction: item.moderationAction,
      moderationReason: item.moderationReason,
      moderationStatus: item.moderationStatus,
      moderationError: item.moderationError,
    },
    thread: view.thread.map((c) => ({ id: c.id, authorName: c.authorName, text: c.text, appearedAt: c.appearedAt, state: c.state, parent: c.parentExternalId, externalId: c.externalId })),
    replies: view.replies,
    history: view.history.map((h) => ({ at: h.at, action: h.action, actorLabel: h.actorLabel })),
  };
}

type ActionResult = {
  intent: string | null;
  ok: boolean;
  notice: string | null;
  error: string | null;
  fieldErrors: Record<string, string[]>;
  values: Record<string, string>;
  findings: { kind: string; text: string; message: string; severity: string }[];
};

function result(status: number, r: Partial<ActionResult>): Response {
  return Response.json({ intent: null, ok: status < 400, notice: null, error: null, fieldErrors: {}, values: {}, findings: [], ...r } satisfies ActionResult, { status });
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'moderate:comment');
  const itemId = parseIdParam(params);
  const locale = localeFromRequest(request, user);
  const read = await readForm(request, context, { locale, maxChars: { text: 5000, '*': 2000 } });
  const { value, submission } = parseForm(read, inboxActionSchema);
  const typed = Object.fromEntries([...read.form.entries()].filter(([k, v]) => k !== 'csrf' && typeof v === 'string')) as Record<string, string>;
  const intent = typeof typed.intent === 'string' ? typed.intent : null;
  if (!value) {
    const fieldErrors: Record<string, string[]> = {};
    const all = { ...read.fieldErrors, ...(submission.status === 'error' ? submission.error : {}) } as Record<string, string[] | null>;
    for (const [k, v] of Object.entries(all)) if (v && v.length) fieldErrors[k || 'form'] = v;
    return result(400, { intent, error: t('inbox.error.invalid', {}, locale), fieldErrors, values: typed });
  }
  const actor = { userId: user.id, label: 'user' };
  try {
    switch (value.intent) {
      case 'reply':
        await replyToItem(context.db, { itemId, text: value.text, user: { id: user.id, name: user.name }, overrideReason: value.overrideReason ?? null, locale });
        return result(200, { intent, notice: t('inbox.reply.sent', {}, locale) });
      case 'moderate':
        await moderateComment(context.db, { itemId, action: value.action, reason: value.reason, note: value.note ?? null, actor });
        return result(200, { intent, notice: t('inbox.moderate.requested', {}, locale) });
      case 'escalate':
        await escalateItem(context.db, { itemId, role: value.role, note: value.note ?? null, actor });
        return result(200, { intent, notice: t('inbox.escalate.done', { role: t(`role.${value.role}`, {}, locale) }, locale) });
      case 'handled':
        await markHandled(context.db, { itemId, actor });
        return result(200, { intent, notice: t('inbox.handled.done', {}, locale) });
    }
  } catch (e) {
    if (!(e instanceof InboxActionError)) throw e;
    const status = e.code === 'not_found' ? 404 : e.code === 'conflict' ? 409 : 400;
    return result(status, {
      intent,
      error: e.message,
      values: typed,
      findings: e.findings.map((f) => ({ kind: f.kind, text: f.text, message: f.message, severity: f.severity })),
    });
  }
}

export default function ThreadPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionResult>();
  const tr = useT();
  const locale = useLocale();
  const { item } = data;
  const failedFor = (intent: string) => (actionData && !actionData.ok && actionData.intent === intent ? actionData : null);
  const replyFailed = failedFor('reply');
  const moderateFailed = failedFor('moderate');
  const escalateFailed = failedFor('escalate');
  const errorsOf = (a: ActionResult | null, field: string, label: string) => translateAll(a?.fieldErrors[field], tr, label);
  const removable = item.moderationStatus !== 'pending' && !(item.state === 'removed' && item.moderationStatus === 'done');
  return (
    <section aria-labelledby="thread-title" className="inbox-thread">
      <p>
        <Link to="/inkorg">{tr('inbox.thread.back')}</Link>
      </p>
      <h1 id="thread-title">{tr('inbox.thread.title', { author: item.authorName })}</h1>
      <p className="hint">
        {tr('inbox.thread.appeared', { time: formatDateTime(item.appearedAt, locale), channel: data.channel.name })} ·{' '}
        {tr(`inbox.kind.${item.kind}` as MessageKey)} · {tr('inbox.thread.record')}: {data.registrationNumber ?? '–'}
      </p>
      <p>
        <span className={`state inbox-state-${item.state}`}>{tr(`inbox.state.${item.state}` as MessageKey)}</span>
        {item.escalatedTo ? ` · ${tr('inbox.thread.escalatedTo', { role: tr(`role.${item.escalatedTo}` as MessageKey) })}` : ''}
        {item.queue ? ` · ${tr('inbox.thread.queue', { queue: tr(`inbox.queue.${item.queue}` as MessageKey) })}` : ''}
        {item.dueAt ? ` · ${tr('inbox.thread.due', { time: formatDateTime(item.dueAt, locale) })}` : ''}
      </p>
      {item.moderationStatus ? (
        <p role="status" className={item.moderationStatus === 'failed' ? 'form-message' : 'notice'}>
          {item.moderationStatus === 'pending'
            ? tr('inbox.moderate.pending')
            : item.moderationStatus === 'done'
              ? tr('inbox.moderate.done', { action: tr(`inbox.action.${item.moderationAction ?? 'hide'}` as MessageKey), reason: tr(`inbox.reason.${item.moderationReason ?? 'spam'}` as MessageKey) })
              : tr('inbox.moderate.failed', { error: item.moderationError ?? '' })}
        </p>
      ) : null}
      {actionData?.ok && actionData.notice ? (
        <p role="status" className="notice">
          {actionData.notice}
        </p>
      ) : null}

      <h2>{tr('inbox.thread.ourPost')}</h2>
      {data.ourPost ? (
        <blockquote className="inbox-text">
          {data.ourPost.text}
          {data.ourPost.permalink ? (
            <>
              <br />
              <a href={data.ourPost.permalink}>{data.ourPost.permalink}</a>
            </>
          ) : null}
        </blockquote>
      ) : (
        <p className="hint">{tr('inbox.thread.noPost')}</p>
      )}

      <h2>{tr('inbox.thread.conversation')}</h2>
      <ol className="feed">
        {data.thread.map((c) => (
          <li key={c.id} className={c.id === item.id ? 'this-comment' : undefined} aria-current={c.id === item.id ? 'true' : undefined}>
            <p>
              <strong>{c.authorName}</strong> · {formatDateTime(c.appearedAt, locale)} · {tr(`inbox.state.${c.state}` as MessageKey)}
              {c.id === item.id ? <span className="badge">{tr('inbox.thread.this')}</span> : null}
            </p>
            <p className="inbox-text">{c.text}</p>
            {c.id !== item.id ? <Link to={`/inkorg/${c.id}`}>{tr('inbox.open')}<span className="visually-hidden"> {tr('inbox.thread.title', { author: c.authorName })}</span></Link> : null}
          </li>
        ))}
      </ol>

      <h2>{tr('inbox.thread.suggestions')}</h2>
      <p className="hint">{tr('inbox.thread.suggestionsHint')}</p>
      {item.labels.length === 0 ? (
        <p>{tr('inbox.thread.noSuggestions')}</p>
      ) : (
        <ul className="suggestions">
          {item.labels.map((l) => (
            <li key={l.label}>
              <strong>{tr(`inbox.label.${l.label}` as MessageKey)}</strong>: {l.explanation}{' '}
              <span className="hint">({tr('inbox.thread.rule', { rule: l.rule, score: l.score.toFixed(2) })})</span>
            </li>
          ))}
        </ul>
      )}

      {data.replies.length > 0 ? (
        <>
          <h2>{tr('inbox.thread.replies')}</h2>
          <ul className="feed">
            {data.replies.map((r) => (
              <li key={r.id}>
                <p className="inbox-text">{r.text}</p>
                <p className="hint">
                  {tr(`delivery.state.${r.state}` as MessageKey)}
                  {r.failureReason ? ` · ${r.failureReason}` : ''}
                  {r.permalink ? (
                    <>
                      {' · '}
                      <a href={r.permalink}>{r.permalink}</a>
                    </>
                  ) : null}
                </p>
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {data.canModerate ? (
        <>
          <h2>{tr('inbox.reply.title')}</h2>
          {data.templates.length > 0 ? (
            <Form method="get" className="inline-template">
              <div className="field">
                <label htmlFor="template">{tr('inbox.reply.template')}</label>
                <select id="template" name="template" defaultValue={data.templateId}>
                  <option value="">{tr('inbox.reply.noTemplate')}</option>
                  {data.templates.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" className="button secondary">
                {tr('inbox.reply.useTemplate')}
              </button>
            </Form>
          ) : null}
          <ReplyForm
            key={`${data.templateId}-${replyFailed ? 'failed' : actionData?.ok ? 'sent' : 'new'}`}
            initial={replyFailed?.values.text ?? data.templateBody}
            initialOverride={replyFailed?.values.overrideReason ?? ''}
            signature={data.signaturePreview}
            textErrors={errorsOf(replyFailed, 'text', tr('inbox.reply.text'))}
            error={replyFailed?.error ?? null}
            serverFindings={replyFailed?.findings ?? []}
          />

          <h2>{tr('inbox.moderate.title')}</h2>
          {removable ? (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="moderate" />
              <p className="hint">{tr('inbox.moderate.hint')}</p>
              <FormMessage message={moderateFailed?.error} />
              <fieldset className="field">
                <legend>{tr('inbox.moderate.action')}</legend>
                {moderationActions.map((a) => (
                  <div className="checkbox-row" key={a}>
                    <input type="radio" id={`action-${a}`} name="action" value={a} defaultChecked={(moderateFailed?.values.action ?? 'hide') === a} />
                    <label htmlFor={`action-${a}`}>{tr(`inbox.action.${a}` as MessageKey)}</label>
                  </div>
                ))}
              </fieldset>
              <div className="field">
                <label htmlFor="reason">{tr('inbox.moderate.reason')}</label>
                <select
                  id="reason"
                  name="reason"
                  required
                  defaultValue={moderateFailed?.values.reason ?? item.labels.find((l) => (moderationReasons as readonly string[]).includes(l.label))?.label ?? ''}
                  aria-invalid={moderateFailed?.fieldErrors.reason ? true : undefined}
                  aria-describedby={moderateFailed?.fieldErrors.reason ? 'reason-error' : undefined}
                >
                  <option value="">–</option>
                  {moderationReasons.map((r) => (
                    <option key={r} value={r}>
                      {tr(`inbox.reason.${r}` as MessageKey)}
                    </option>
                  ))}
                </select>
                {moderateFailed?.fieldErrors.reason ? (
                  <ul id="reason-error" className="field-errors">
                    {errorsOf(moderateFailed, 'reason', tr('inbox.moderate.reason')).map((e) => (
                      <li key={e}>{e}</li>
                    ))}
                  </ul>
                ) : null}
              </div>
              <div className="field">
                <label htmlFor="mod-note">{tr('inbox.moderate.note')}</label>
                <input id="mod-note" name="note" maxLength={500} defaultValue={moderateFailed?.values.note ?? ''} />
              </div>
              <button type="submit" className="button danger">
                {tr('inbox.moderate.submit')}
              </button>
            </Form>
          ) : null}

          <h2>{tr('inbox.escalate.title')}</h2>
          <Form method="post">
            <CsrfInput />
            <input type="hidden" name="intent" value="escalate" />
            <FormMessage message={escalateFailed?.error} />
            <div className="field">
              <label htmlFor="role">{tr('inbox.escalate.role')}</label>
              <select id="role" name="role" required defaultValue={escalateFailed?.values.role ?? ''}>
                <option value="">–</option>
                {roleValues.map((r) => (
                  <option key={r} value={r}>
                    {tr(`role.${r}` as MessageKey)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="esc-note">{tr('inbox.escalate.note')}</label>
              <input id="esc-note" name="note" maxLength={500} defaultValue={escalateFailed?.values.note ?? ''} />
            </div>
            <button type="submit" className="button secondary">
              {tr('inbox.escalate.submit')}
            </button>
          </Form>

          {item.state !== 'handled' ? (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="handled" />
              <p>
                <button type="submit" className="button secondary">
                  {tr('inbox.handled.submit')}
                </button>
              </p>
            </Form>
          ) : null}
        </>
      ) : null}

      <h2>{tr('inbox.thread.history')}</h2>
      <ul>
        {data.history.map((h, i) => (
          <li key={i}>
            {formatDateTime(h.at, locale)} · {h.action} · {h.actorLabel}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The reply field with the screening beside it: live with JavaScript, from the server's refusal without. */
function ReplyForm(props: {
  initial: string;
  initialOverride: string;
  signature: string;
  textErrors: string[];
  error: string | null;
  serverFindings: { kind: string; text: string; message: string; severity: string }[];
}) {
  const tr = useT();
  const locale = useLocale();
  const [text, setText] = useState(props.initial);
  const live = useMemo(() => screenText(text, { locale }).map((f) => ({ kind: f.kind, text: f.text, message: f.message, severity: f.severity })), [text, locale]);
  const findings = text === props.initial && props.serverFindings.length > 0 ? props.serverFindings : live;
  const blocking = findings.some((f) => f.severity === 'block');
  const describedBy = ['reply-hint', findings.length ? 'reply-findings' : null, props.textErrors.length ? 'reply-error' : null].filter(Boolean).join(' ');
  return (
    <Form method="post">
      <CsrfInput />
      <input type="hidden" name="intent" value="reply" />
      <FormMessage message={props.error} />
      <div className="field">
        <label htmlFor="reply-text">{tr('inbox.reply.text')}</label>
        <p id="reply-hint" className="hint">
          {props.signature ? tr('inbox.reply.hint', { signature: props.signature }) : tr('inbox.reply.noSignature')}
        </p>
        <textarea
          id="reply-text"
          name="text"
          required
          maxLength={5000}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={props.textErrors.length || blocking ? true : undefined}
          aria-describedby={describedBy}
        />
        <div id="reply-findings" aria-live="polite">
          {findings.length > 0 ? (
            <ul className="field-errors">
              {findings.map((f, i) => (
                <li key={i} className={f.severity === 'block' ? 'finding' : undefined}>
                  {f.message} ({f.text})
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        {props.textErrors.length ? (
          <ul id="reply-error" className="field-errors">
            {props.textErrors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        ) : null}
      </div>
      {blocking ? (
        <div className="field">
          <label htmlFor="override">{tr('inbox.reply.override')}</label>
          <input id="override" name="overrideReason" maxLength={500} defaultValue={props.initialOverride} />
        </div>
      ) : null}
      <button type="submit" className="button">
        {tr('inbox.reply.submit')}
      </button>
    </Form>
  );
}
