import { getFormProps, getInputProps, getTextareaProps, useForm } from '@conform-to/react';
import { getZodConstraint, parseWithZod } from '@conform-to/zod/v4';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { addWeekFormSchema, rosterActionSchema } from '../forms/handover';
import {
  addHandoverWeek,
  cancelWeek,
  currentGuidelines,
  HandoverError,
  listHandoverChannels,
  reinvite,
  roster,
  swapWeeks,
  updateGuidelines,
} from '../models/handover.server';
import { CsrfInput } from '../components/csrf-input';
import { Field, FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime, formatLongDate } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Överlämning – Utrop' }];

const WEEKS_SHOWN = 12;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { at: now } = await requirePermission(request, context, 'manage:handover');
  // The week just ended stays in view, so its checklist (access ended, first post) and summary are a click away.
  const lastWeek = new Date(now.getTime() - 7 * 86_400_000);
  const [slots, channels] = await Promise.all([roster(context.db, { from: lastWeek, count: WEEKS_SHOWN + 1 }, now), listHandoverChannels(context.db)]);
  const guidelines = await Promise.all(channels.map(async (c) => ({ channel: c, current: await currentGuidelines(context.db, c.id) })));
  return { slots, channels: channels.map((c) => ({ key: c.key, name: c.name })), guidelines };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user: me, at: now } = await requirePermission(request, context, 'manage:handover');
  const locale = localeFromRequest(request, me);
  const read = await readForm(request, context, { locale, maxChars: { body: 20_000 } });
  const { value, reply } = parseForm(read, rosterActionSchema);
  if (!value) return Response.json({ result: reply(), notice: null }, { status: 400 });
  const actor = { userId: me.id, label: 'user' };
  const origin = new URL(request.url).origin;
  try {
    switch (value.intent) {
      case 'add': {
        const r = await addHandoverWeek(context.db, value, actor, now);
        return Response.json({ result: reply({ resetForm: true }), notice: t('handover.added', { week: r.week, email: r.email, link: origin + r.invitationPath }, locale) });
      }
      case 'reinvite': {
        const r = await reinvite(context.db, value.weekId, actor, now);
        return Response.json({ result: reply(), notice: t('handover.reinvited', { email: r.email, link: origin + r.invitationPath }, locale) });
      }
      case 'cancel':
        await cancelWeek(context.db, value, actor, now);
        return Response.json({ result: reply(), notice: t('handover.cancelled', {}, locale) });
      case 'swap':
        await swapWeeks(context.db, value, actor, now);
        return Response.json({ result: reply(), notice: t('handover.swapped', {}, locale) });
      case 'guidelines': {
        const row = await updateGuidelines(context.db, { channelKey: value.channel, body: value.body }, actor);
        return Response.json({ result: reply(), notice: t('handover.guidelinesSaved', { version: row.version }, locale) });
      }
    }
  } catch (e) {
    if (!(e instanceof HandoverError)) throw e;
    const message = t(e.key, e.params, locale);
    const fieldErrors = e.field && value.intent === 'add' ? { [e.field]: [message] } : undefined;
    return Response.json({ result: reply(fieldErrors ? { fieldErrors } : { formErrors: [message] }), notice: null }, { status: 400 });
  }
}

export default function HandoverRoster() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  const [form, fields] = useForm({
    id: 'add-week',
    lastResult: actionData?.result,
    constraint: getZodConstraint(addWeekFormSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: rosterActionSchema }),
    shouldRevalidate: 'onBlur',
  });
  const upcoming = data.slots.flatMap((s) => s.entries.filter((e) => e.status !== 'cancelled' && e.status !== 'finished' && e.status !== 'active').map((e) => ({ ...e, label: s.label })));
  return (
    <section aria-labelledby="handover-title">
      <h1 id="handover-title">{tr('handover.title')}</h1>
      <p>{tr('handover.intro')}</p>
      {actionData?.notice ? (
        <p role="status" className="notice break-anywhere">
          {actionData.notice}
        </p>
      ) : null}

      <h2>{tr('handover.roster')}</h2>
      <ol className="roster">
        {data.slots.map((slot) => (
          <li key={slot.label} className="roster-week">
            <h3>
              {tr('handover.week')} {slot.label.slice(6).replace(/^0/, '')} <span className="muted">({slot.label})</span>
            </h3>
            <p className="muted">{tr('handover.weekDates', { from: formatLongDate(slot.start, locale), to: formatLongDate(new Date(new Date(slot.end).getTime() - 1), locale) })}</p>
            {slot.entries.length === 0 ? <p>{tr('handover.empty')}</p> : null}
            {slot.entries.map((e) => (
              <div key={e.id} className="roster-entry">
                <p>
                  <strong>{e.name}</strong> ({e.email}){e.workplace ? `, ${e.workplace}` : ''} · {e.channelName}
                </p>
                {e.theme ? (
                  <p>
                    {tr('handover.theme')}: {e.theme}
                  </p>
                ) : null}
                <p>
                  {tr('handover.status')}: {tr(`handover.status.${e.status}` as MessageKey)}
                  {e.cancelReason ? ` – ${e.cancelReason}` : ''}
                </p>
                {e.handedBack > 0 ? <p>{tr('handover2.handedBackCount', { count: e.handedBack })}</p> : null}
                <ul className="checklist" aria-label={`${tr('handover.checklist')}: ${e.name}`}>
                  {(
                    [
                      ['invited', 'handover.check.invited'],
                      ['accepted', 'handover.check.accepted'],
                      ['firstPostApproved', 'handover.check.firstPost'],
                      ['accessEnded', 'handover.check.accessEnded'],
                    ] as const
                  ).map(([k, label]) => (
                    <li key={k}>
                      <span aria-hidden="true">{e.checklist[k] ? '☑' : '☐'}</span> {tr(label)}: {e.checklist[k] ? tr('handover.check.yes') : tr('handover.check.no')}
                    </li>
                  ))}
                </ul>
                <p>
                  <Link to={`/overlamning/${e.id}`}>
                    {tr('handover.summary')}
                    <span className="visually-hidden"> {e.name}</span>
                  </Link>
                </p>
                {e.status !== 'cancelled' && e.status !== 'finished' ? (
                  <div className="actions">
                    <Form method="post">
                      <CsrfInput />
                      <input type="hidden" name="weekId" value={e.id} />
                      <button type="submit" name="intent" value="reinvite" className="button secondary">
                        {tr('handover.reinvite')}
                        <span className="visually-hidden"> {e.name}</span>
                      </button>
                    </Form>
                    <Form method="post" className="inline-form">
                      <CsrfInput />
                      <input type="hidden" name="intent" value="cancel" />
                      <input type="hidden" name="weekId" value={e.id} />
                      <label htmlFor={`reason-${e.id}`}>{tr('handover.cancelReason')}</label>
                      <input id={`reason-${e.id}`} name="reason" required minLength={3} maxLength={500} />
                      <button type="submit" className="button secondary">
                        {tr('handover.cancel')}
                        <span className="visually-hidden"> {e.name}</span>
                      </button>
                    </Form>
                    {e.status !== 'active' && upcoming.some((o) => o.id !== e.id && o.channelKey === e.channelKey) ? (
                      <Form method="post" className="inline-form">
                        <CsrfInput />
                        <input type="hidden" name="intent" value="swap" />
                        <input type="hidden" name="weekId" value={e.id} />
                        <label htmlFor={`swap-${e.id}`}>{tr('handover.swap')}</label>
                        <select id={`swap-${e.id}`} name="otherWeekId">
                          {upcoming
                            .filter((o) => o.id !== e.id && o.channelKey === e.channelKey)
                            .map((o) => (
                              <option key={o.id} value={o.id}>
                                {o.label}: {o.name}
                              </option>
                            ))}
                        </select>
                        <button type="submit" className="button secondary">
                          {tr('handover.swapSubmit')}
                          <span className="visually-hidden"> {e.name}</span>
                        </button>
                      </Form>
                    ) : null}
                  </div>
                ) : null}
              </div>
            ))}
          </li>
        ))}
      </ol>

      <h2>{tr('handover.add')}</h2>
      <Form method="post" {...getFormProps(form)} className="narrow">
        <CsrfInput />
        <input type="hidden" name="intent" value="add" />
        <FormMessage message={form.errors?.join(' ')} />
        <Field id="week" label={tr('handover.week')} hint={tr('handover.weekFormat')} errors={fields.week.errors} inputProps={{ ...getInputProps(fields.week, { type: 'text' }), id: 'week', placeholder: '2026-W53', inputMode: 'text' }} />
        <Field id="email" label={tr('auth.email')} errors={fields.email.errors} inputProps={{ ...getInputProps(fields.email, { type: 'email' }), id: 'email', autoComplete: 'off' }} />
        <Field id="name" label={tr('handover.host')} errors={fields.name.errors} inputProps={{ ...getInputProps(fields.name, { type: 'text' }), id: 'name', autoComplete: 'off' }} />
        <Field id="workplace" label={tr('handover.workplace')} errors={fields.workplace.errors} inputProps={{ ...getInputProps(fields.workplace, { type: 'text' }), id: 'workplace' }} />
        <Field id="theme" label={tr('handover.theme')} errors={fields.theme.errors} inputProps={{ ...getInputProps(fields.theme, { type: 'text' }), id: 'theme' }} />
        {data.channels.length > 1 ? (
          <div className="field">
            <label htmlFor="channel">{tr('handover.channel')}</label>
            <select id="channel" name="channel" defaultValue={data.channels[0]?.key}>
              {data.channels.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <button type="submit" className="button">
          {tr('handover.addSubmit')}
        </button>
      </Form>

      {data.guidelines.map(({ channel, current }) => (
        <GuidelinesEditor key={channel.key} channel={channel} current={current} />
      ))}
    </section>
  );
}

function GuidelinesEditor({ channel, current }: { channel: { key: string; name: string }; current: { version: number; body: string; createdAt: string | Date } | null }) {
  const tr = useT();
  const locale = useLocale();
  const [form, fields] = useForm({ id: `guidelines-${channel.key}`, defaultValue: { body: current?.body ?? '' } });
  return (
    <>
      <h2>
        {tr('handover.guidelines')}: {channel.name}
      </h2>
      {current ? <p className="muted">{tr('handover.guidelinesVersion', { version: current.version, date: formatDateTime(current.createdAt, locale) })}</p> : null}
      <Form method="post" {...getFormProps(form)} className="narrow">
        <CsrfInput />
        <input type="hidden" name="intent" value="guidelines" />
        <input type="hidden" name="channel" value={channel.key} />
        <div className="field">
          <label htmlFor={`body-${channel.key}`}>{tr('handover.guidelinesEdit')}</label>
          <textarea {...getTextareaProps(fields.body)} id={`body-${channel.key}`} rows={10} />
        </div>
        <button type="submit" className="button secondary">
          {tr('handover.guidelinesSave')}
        </button>
      </Form>
    </>
  );
}
