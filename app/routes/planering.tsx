import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { roleHasPermission } from '../utils/permissions';
import { planningQuerySchema } from '../forms/planning';
import { calendarFor } from '../models/planning.server';
import { weekLabelOf } from '../models/handover.server';
import { dayKey, monthKeyOf, monthPeriod, weekKeyOf, weekPeriod } from '../../common/calendar';
import { formatClock, formatLongDate, formatMonth, isoWeek } from '../../common/time';
import { t, type MessageKey } from '../../common/i18n';
import { localeFromRequest } from '../utils/locale.server';
import { useLocale, useT } from '../utils/i18n';

export const meta: MetaFunction = () => [{ title: 'Planering – Utrop' }];

/** Server-rendered and plain links only: usable without JavaScript. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, hostWindow, at: now } = await requirePermission(request, context, 'view:planning');
  const locale = localeFromRequest(request, user);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const q = planningQuerySchema.safeParse(params);
  if (!q.success) throw new Response(t('input.malformed', {}, locale), { status: 400 });
  // A staff host (view:planning only inside their week) sees their account's schedule for that week, nothing else.
  const all = roleHasPermission(user.role, 'view:planning:all');
  const hostWeek = !all && hostWindow ? weekLabelOf(hostWindow) : null;
  if (!all && !hostWeek) throw new Response('Forbidden', { status: 403 });
  if (hostWeek && (q.data.view === 'month' || (q.data.week && q.data.week !== hostWeek))) throw new Response('Not found', { status: 404 });
  const period = hostWeek ? weekPeriod(hostWeek) : q.data.view === 'month' ? monthPeriod(q.data.month ?? monthKeyOf(now)) : weekPeriod(q.data.week ?? weekKeyOf(now));
  if (!period) throw new Response(t('input.malformed', {}, locale), { status: 400 });
  const { entries, more } = await calendarFor(context.db, period, hostWindow ? { channelId: hostWindow.channelId, viewerId: user.id } : undefined);
  return {
    hostChannel: hostWindow?.channelKey ?? null,
    view: period.kind,
    key: period.key,
    prev: period.prev,
    next: period.next,
    today: period.kind === 'week' ? weekKeyOf(now) : monthKeyOf(now),
    todayKey: dayKey(now),
    monthKey: period.kind === 'month' ? period.key : monthKeyOf(period.start),
    weekKey: period.kind === 'week' ? period.key : weekKeyOf(period.start),
    days: period.days.map((d) => ({ key: dayKey(d), date: d.toISOString(), inPeriod: d.getTime() >= period.start.getTime() && d.getTime() < period.end.getTime() })),
    entries,
    more,
    // The list view shows every channel: only for those who see the whole calendar.
    listLink: all,
  };
}

export default function Planning() {
  const data = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  const param = data.view === 'week' ? 'week' : 'month';
  const first = data.days[0];
  const heading =
    data.view === 'week' && first
      ? tr('planning.week', { week: isoWeek(first.date).week, year: isoWeek(first.date).year })
      : formatMonth(data.days.find((d) => d.inPeriod)?.date ?? new Date(), locale);
  const weeks: (typeof data.days)[] = [];
  for (let i = 0; i < data.days.length; i += 7) weeks.push(data.days.slice(i, i + 7));
  return (
    <section aria-labelledby="planning-title">
      <h1 id="planning-title">{tr('planning.title')}</h1>
      {data.hostChannel ? <p>{tr('handover2.scheduleIntro')}</p> : null}
      <nav aria-label={tr('planning.title')} className="planning-nav" hidden={data.hostChannel !== null}>
        <Link to={`?view=week&week=${data.weekKey}`} aria-current={data.view === 'week' ? 'page' : undefined}>
          {tr('planning.weekView')}
        </Link>{' '}
        ·{' '}
        <Link to={`?view=month&month=${data.monthKey}`} aria-current={data.view === 'month' ? 'page' : undefined}>
          {tr('planning.monthView')}
        </Link>{' '}
        · <Link to="/planering/lista">{tr('planning.listView')}</Link>{' '}
        · <Link to={`?view=${data.view}&${param}=${data.prev}`}>{tr('planning.prev')}</Link> ·{' '}
        <Link to={`?view=${data.view}&${param}=${data.today}`}>{tr('planning.today')}</Link> ·{' '}
        <Link to={`?view=${data.view}&${param}=${data.next}`}>{tr('planning.next')}</Link>
      </nav>
      <h2>{heading}</h2>
      {weeks.map((week) => (
        <section key={week[0]!.key} className="calendar-week" aria-label={tr('planning.weekNumber', { week: isoWeek(week[0]!.date).week })}>
          {data.view === 'month' ? <p className="week-number">{tr('planning.weekNumber', { week: isoWeek(week[0]!.date).week })}</p> : null}
          <ol className="calendar-days">
            {week.map((day) => {
              const list = data.entries[day.key] ?? [];
              return (
                <li key={day.key} className={`calendar-day${day.inPeriod ? '' : ' outside'}${day.key === data.todayKey ? ' today' : ''}`}>
                  <h3 className="day-name">{formatLongDate(day.date, locale)}</h3>
                  {list.length === 0 ? (
                    data.view === 'week' ? <p className="hint">{tr('planning.empty')}</p> : null
                  ) : (
                    <ul className="calendar-entries">
                      {list.map((e) => (
                        <li key={e.postId} className="calendar-entry">
                          <time dateTime={new Date(e.at).toISOString()}>
                            {formatClock(e.at)}
                          </time>{' '}
                          {e.openable ? <Link to={`/inlagg/${e.postId}`}>{Array.from(e.text).slice(0, 80).join('')}</Link> : <span>{Array.from(e.text).slice(0, 80).join('')}</span>}
                          {e.reviewState === 'pending_approval' || e.reviewState === 'returned' ? (
                            <span className="badge"> {tr(`review.state.${e.reviewState}` as MessageKey)}</span>
                          ) : null}
                          <ul className="entry-channels">
                            {e.channels.map((c) => (
                              <li key={c.name}>
                                {`${c.name}: ${tr(`delivery.state.${c.state}` as MessageKey)}`}
                                {c.permalink ? (
                                  <>
                                    {' '}
                                    <a href={c.permalink}>{tr('planning.permalink', { channel: c.name })}</a>
                                  </>
                                ) : null}
                              </li>
                            ))}
                          </ul>
                        </li>
                      ))}
                    </ul>
                  )}
                  {data.more[day.key] ? (
                    <p className="calendar-more">
                      {data.listLink ? (
                        <Link to={`/planering/lista?day=${day.key}`}>{tr('planning.moreThatDay', { count: data.more[day.key] ?? 0 })}</Link>
                      ) : (
                        tr('planning.moreThatDayShort', { count: data.more[day.key] ?? 0 })
                      )}
                    </p>
                  ) : null}
                </li>
              );
            })}
          </ol>
        </section>
      ))}
    </section>
  );
}
