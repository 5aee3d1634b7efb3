import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { inboxSettingsSchema } from '../forms/inbox';
import { deleteReplyTemplate, getInboxSettings, InboxActionError, listReplyTemplates, saveReplyTemplate, updateInboxSettings } from '../models/inbox.server';
import { CsrfInput } from '../components/csrf-input';
import { FormMessage, translateAll } from '../components/forms';
import { useT } from '../utils/i18n';
import { t, type MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Inställningar för inkorgen – Utrop' }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, 'moderate:comment');
  const [settings, templates] = await Promise.all([getInboxSettings(context.db), listReplyTemplates(context.db)]);
  return { settings, templates: templates.map((x) => ({ id: x.id, name: x.name, body: x.body })) };
}

type ActionResult = { intent: string | null; ok: boolean; notice: string | null; error: string | null; fieldErrors: Record<string, string[]>; values: Record<string, string> };

const reply = (status: number, r: Partial<ActionResult>) =>
  Response.json({ intent: null, ok: status < 400, notice: null, error: null, fieldErrors: {}, values: {}, ...r } satisfies ActionResult, { status });

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'moderate:comment');
  const locale = localeFromRequest(request, user);
  const read = await readForm(request, context, { locale, maxChars: { '*': 20_000 } });
  const { value, submission } = parseForm(read, inboxSettingsSchema);
  const typed = Object.fromEntries([...read.form.entries()].filter(([k, v]) => k !== 'csrf' && typeof v === 'string')) as Record<string, string>;
  const intent = typed.intent ?? null;
  if (!value) {
    const fieldErrors: Record<string, string[]> = {};
    const all = { ...read.fieldErrors, ...(submission.status === 'error' ? submission.error : {}) } as Record<string, string[] | null>;
    // Errors of one line of a word list ("spamTerms[3]") belong to the list's field.
    for (const [k, v] of Object.entries(all)) if (v && v.length) (fieldErrors[k.replace(/\[\d+\]$/, '') || 'form'] ??= []).push(...v);
    return reply(400, { intent, error: t('inbox.error.invalid', {}, locale), fieldErrors, values: typed });
  }
  const actor = { userId: user.id, label: 'user' };
  if (value.intent === 'settings') {
    const { intent: _i, signatureFormat, answerTargetHours, ...moderation } = value;
    await updateInboxSettings(context.db, { moderation, signatureFormat, answerTargetHours, actor });
    return reply(200, { intent, notice: t('inbox.settings.saved', {}, locale) });
  }
  if (value.intent === 'template_save') {
    await saveReplyTemplate(context.db, { name: value.name, body: value.body, actor });
    return reply(200, { intent, notice: t('inbox.templates.saved', {}, locale) });
  }
  try {
    await deleteReplyTemplate(context.db, { id: value.id, actor });
  } catch (e) {
    if (e instanceof InboxActionError) return reply(404, { intent, error: e.message });
    throw e;
  }
  return reply(200, { intent, notice: t('inbox.templates.deleted', {}, locale) });
}

const numberFields = [
  ['minScore', '0.01'],
  ['repeatWindowMinutes', '1'],
  ['repeatSimilarity', '0.01'],
  ['repeatManyAuthors', '1'],
] as const;
const termFields = ['advertisingTerms', 'spamTerms', 'offensiveTerms', 'irrelevantTerms'] as const;

export default function InboxSettingsPage() {
  const { settings, templates } = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionResult>();
  const tr = useT();
  const failed = actionData && !actionData.ok ? actionData : null;
  const settingsFailed = failed?.intent === 'settings' ? failed : null;
  const templateFailed = failed?.intent === 'template_save' ? failed : null;
  const value = (name: string, fallback: string) => settingsFailed?.values[name] ?? fallback;
  const errors = (a: ActionResult | null, name: string, label: string) => translateAll(a?.fieldErrors[name], tr, label);
  const fieldProps = (a: ActionResult | null, name: string) =>
    a?.fieldErrors[name]?.length ? { 'aria-invalid': true as const, 'aria-describedby': `${name}-error` } : {};
  const ErrorList = ({ a, name, label }: { a: ActionResult | null; name: string; label: string }) => {
    const list = errors(a, name, label);
    return list.length ? (
      <ul id={`${name}-error`} className="field-errors">
        {list.map((e) => (
          <li key={e}>{e}</li>
        ))}
      </ul>
    ) : null;
  };
  return (
    <section aria-labelledby="settings-title">
      <p>
        <Link to="/inkorg">{tr('inbox.thread.back')}</Link>
      </p>
      <h1 id="settings-title">{tr('inbox.settings.title')}</h1>
      {actionData?.ok && actionData.notice ? (
        <p role="status" className="notice">
          {actionData.notice}
        </p>
      ) : null}
      <FormMessage message={failed?.error} />
      <Form method="post" key={actionData?.ok ? `saved-${actionData.notice}` : 'settings'}>
        <CsrfInput />
        <input type="hidden" name="intent" value="settings" />
        <h2>{tr('inbox.settings.classifier')}</h2>
        {numberFields.map(([name, step]) => (
          <div className="field" key={name}>
            <label htmlFor={name}>{tr(`inbox.settings.${name}` as MessageKey)}</label>
            <input id={name} name={name} type="number" step={step} required defaultValue={value(name, String(settings.moderation[name]))} {...fieldProps(settingsFailed, name)} />
            <ErrorList a={settingsFailed} name={name} label={tr(`inbox.settings.${name}` as MessageKey)} />
          </div>
        ))}
        <p className="hint" id="terms-hint">
          {tr('inbox.settings.termsHint')}
        </p>
        {termFields.map((name) => (
          <div className="field" key={name}>
            <label htmlFor={name}>{tr(`inbox.settings.${name}` as MessageKey)}</label>
            <textarea id={name} name={name} aria-describedby={settingsFailed?.fieldErrors[name]?.length ? `terms-hint ${name}-error` : 'terms-hint'} aria-invalid={settingsFailed?.fieldErrors[name]?.length ? true : undefined} defaultValue={value(name, settings.moderation[name].join('\n'))} />
            <ErrorList a={settingsFailed} name={name} label={tr(`inbox.settings.${name}` as MessageKey)} />
          </div>
        ))}
        <h2>{tr('inbox.settings.replies')}</h2>
        <div className="field">
          <label htmlFor="signatureFormat">{tr('inbox.settings.signatureFormat')}</label>
          <input id="signatureFormat" name="signatureFormat" maxLength={80} defaultValue={value('signatureFormat', settings.signatureFormat)} {...fieldProps(settingsFailed, 'signatureFormat')} />
          <ErrorList a={settingsFailed} name="signatureFormat" label={tr('inbox.settings.signatureFormat')} />
        </div>
        <div className="field">
          <label htmlFor="answerTargetHours">{tr('inbox.settings.answerTargetHours')}</label>
          <input id="answerTargetHours" name="answerTargetHours" type="number" step="1" required defaultValue={value('answerTargetHours', String(settings.answerTargetHours))} {...fieldProps(settingsFailed, 'answerTargetHours')} />
          <ErrorList a={settingsFailed} name="answerTargetHours" label={tr('inbox.settings.answerTargetHours')} />
        </div>
        <button type="submit" className="button">
          {tr('inbox.settings.save')}
        </button>
      </Form>

      <h2>{tr('inbox.templates.title')}</h2>
      {templates.length === 0 ? <p>{tr('inbox.templates.none')}</p> : null}
      <ul className="feed">
        {templates.map((x) => (
          <li key={x.id}>
            <p>
              <strong>{x.name}</strong>
            </p>
            <p className="inbox-text">{x.body}</p>
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="template_delete" />
              <input type="hidden" name="id" value={x.id} />
              <button type="submit" className="button secondary">
                {tr('inbox.templates.delete')} <span className="visually-hidden">{x.name}</span>
              </button>
            </Form>
          </li>
        ))}
      </ul>
      <Form method="post" key={actionData?.ok && actionData.intent === 'template_save' ? `t-${actionData.notice}-${templates.length}` : 'template'}>
        <CsrfInput />
        <input type="hidden" name="intent" value="template_save" />
        <div className="field">
          <label htmlFor="tpl-name">{tr('inbox.templates.name')}</label>
          <input id="tpl-name" name="name" required maxLength={80} defaultValue={templateFailed?.values.name ?? ''} {...(templateFailed?.fieldErrors.name?.length ? { 'aria-invalid': true, 'aria-describedby': 'name-error' } : {})} />
          <ErrorList a={templateFailed} name="name" label={tr('inbox.templates.name')} />
        </div>
        <div className="field">
          <label htmlFor="tpl-body">{tr('inbox.templates.body')}</label>
          <textarea id="tpl-body" name="body" required maxLength={5000} defaultValue={templateFailed?.values.body ?? ''} {...(templateFailed?.fieldErrors.body?.length ? { 'aria-invalid': true, 'aria-describedby': 'body-error' } : {})} />
          <ErrorList a={templateFailed} name="body" label={tr('inbox.templates.body')} />
        </div>
        <button type="submit" className="button secondary">
          {tr('inbox.templates.save')}
        </button>
      </Form>
    </section>
  );
}
