import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { requireUser } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { localeFromRequest } from '../utils/locale.server';
import { acceptGuidelinesSchema } from '../forms/handover';
import { acceptGuidelines, guidelinesStatus, HandoverError, weekLabelOf } from '../models/handover.server';
import { CsrfInput } from '../components/csrf-input';
import { FormMessage } from '../components/forms';
import { useLocale, useT } from '../utils/i18n';
import { formatLongDate } from '../../common/time';
import { isMessageKey, t } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Riktlinjer – Utrop' }];

/** A staff host's own page: read the account guidelines in force and accept them (before their week, or in it). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, hostWindow, at } = await requireUser(request, context);
  if (user.role !== 'staff_host') throw new Response('Not found', { status: 404 });
  const status = await guidelinesStatus(context.db, user.id, at);
  if (!status) return { status: null, inWeek: false };
  return {
    inWeek: hostWindow !== null,
    status: {
      week: weekLabelOf(status.week),
      from: status.week.startsAt,
      to: new Date(status.week.endsAt.getTime() - 1),
      guidelinesId: status.guidelines.id,
      version: status.guidelines.version,
      body: status.guidelines.body,
      accepted: status.accepted,
    },
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, at } = await requireUser(request, context);
  if (user.role !== 'staff_host') throw new Response('Not found', { status: 404 });
  const locale = localeFromRequest(request, user);
  const read = await readForm(request, context, { locale });
  const { value, reply } = parseForm(read, acceptGuidelinesSchema);
  if (!value) return Response.json({ result: reply() }, { status: 400 });
  try {
    await acceptGuidelines(context.db, { userId: user.id, guidelinesId: value.guidelinesId }, at);
    return Response.json({ result: reply() });
  } catch (e) {
    if (!(e instanceof HandoverError)) throw e;
    return Response.json({ result: reply({ formErrors: [t(e.key, e.params, locale)] }) }, { status: 400 });
  }
}

export default function GuidelinesPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const tr = useT();
  const locale = useLocale();
  const errors = actionData?.result.error;
  if (!data.status) {
    return (
      <section aria-labelledby="guidelines-title">
        <h1 id="guidelines-title">{tr('handover.readTitle')}</h1>
        <p>{tr('handover.outsideWeek')}</p>
        <p>
          <Link to="/inlagg">{tr('nav.posts')}</Link>
        </p>
      </section>
    );
  }
  const s = data.status;
  const dates = { week: s.week, from: formatLongDate(s.from, locale), to: formatLongDate(s.to, locale) };
  return (
    <section aria-labelledby="guidelines-title">
      <h1 id="guidelines-title">{tr('handover.readTitle')}</h1>
      <p>{tr('handover.yourWeek', dates)}</p>
      {!data.inWeek ? <p>{tr('handover.notYet', { from: dates.from })}</p> : null}
      <p>{tr('handover.readIntro')}</p>
      <div className="guidelines-text" style={{ whiteSpace: 'pre-wrap' }}>
        {s.body}
      </div>
      {s.accepted ? (
        <p role="status" className="notice">
          {tr('handover.acceptedAt', { version: s.version })}
        </p>
      ) : (
        <Form method="post" className="narrow">
          <CsrfInput />
          <FormMessage message={[...(errors?.[''] ?? []), ...(errors?.accept ?? []).map((k: string) => (isMessageKey(k) ? t(k, {}, locale) : k))].join(' ') || null} />
          <input type="hidden" name="guidelinesId" value={s.guidelinesId} />
          <div className="field checkbox">
            <input type="checkbox" id="accept" name="accept" value="yes" aria-invalid={errors?.accept ? true : undefined} />
            <label htmlFor="accept">{tr('handover.acceptLabel', { version: s.version })}</label>
          </div>
          <button type="submit" className="button">
            {tr('handover.acceptSubmit')}
          </button>
        </Form>
      )}
    </section>
  );
}
