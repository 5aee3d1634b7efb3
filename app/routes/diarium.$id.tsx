import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseSerialParam } from '../utils/request.server';
import { getRegisterRecord, type ReleasedRow } from '../models/register.server';
import { useLocale, useT } from '../utils/i18n';
import { formatDateTime } from '../../common/time';
import type { MessageKey } from '../../common/i18n';

export const meta: MetaFunction = () => [{ title: 'Diarium – Utrop' }];

type RelatedView = Pick<ReleasedRow, 'id' | 'registrationNumber' | 'registeredAt' | 'kind' | 'direction' | 'counterparty' | 'summary' | 'masked'>;

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'view:register');
  const page = await getRegisterRecord(context.db, parseSerialParam(params), user.role);
  if (!page) throw new Response('Not found', { status: 404 });
  const { record: r } = page;
  const text = (r.content as { text?: unknown }).text;
  return {
    record: {
      id: r.id,
      registrationNumber: r.registrationNumber,
      series: r.series,
      year: r.year,
      registeredAt: r.registeredAt,
      recordDate: r.recordDate,
      kind: r.kind,
      direction: r.direction,
      counterparty: r.counterparty,
      summary: r.summary,
      confidential: r.confidential,
      confidentialityRef: r.confidentialityRef,
      exercise: r.exercise,
      masked: r.masked,
      channelName: r.channelName,
      platform: r.platform,
      externalId: r.externalId,
      permalink: r.permalink,
      text: typeof text === 'string' ? text : null,
      contentSha256: r.contentSha256,
      recordSha256: r.recordSha256,
      prevRecordSha256: r.prevRecordSha256,
    },
    media: page.media,
    related: page.related.map(
      (x): RelatedView => ({
        id: x.id,
        registrationNumber: x.registrationNumber,
        registeredAt: x.registeredAt,
        kind: x.kind,
        direction: x.direction,
        counterparty: x.counterparty,
        summary: x.summary,
        masked: x.masked,
      }),
    ),
  };
}

export default function RecordPage() {
  const { record: r, media, related } = useLoaderData<typeof loader>();
  const tr = useT();
  const locale = useLocale();
  const row = (label: MessageKey, value: React.ReactNode) => (
    <div>
      <dt>{tr(label)}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <section aria-labelledby="record-title" className="register-record">
      <p>
        <Link to="/diarium">{tr('register.record.back')}</Link>
      </p>
      <h1 id="record-title">
        {tr('register.record.title', { number: r.registrationNumber ?? `#${r.id}` })}{' '}
        {r.confidential ? <span className="badge">{tr('register.confidentialBadge')}</span> : null}{' '}
        {r.exercise ? <span className="badge">{tr('register.exerciseBadge')}</span> : null}
      </h1>
      {r.masked ? <p role="note">{tr('register.maskedNote', { ref: r.confidentialityRef ?? tr('register.noRef') })}</p> : null}

      <h2>{tr('register.record.fields')}</h2>
      <dl className="record-fields">
        {row('register.col.number', r.registrationNumber ?? '–')}
        {row('register.record.series', `${r.series ?? '–'} ${r.year ?? ''}`)}
        {row('register.record.registeredAt', formatDateTime(r.registeredAt, locale))}
        {row('register.record.recordDate', r.recordDate ? formatDateTime(r.recordDate, locale) : '–')}
        {row('register.record.kind', tr(`register.kind.${r.kind}` as MessageKey))}
        {row('register.col.direction', tr(`register.direction.${r.direction}` as MessageKey))}
        {row('register.col.counterparty', r.counterparty)}
        {row('register.col.summary', r.summary)}
        {row('register.record.confidentiality', r.confidential ? (r.confidentialityRef ?? tr('register.noRef')) : tr('register.record.notConfidential'))}
        {row('register.search.exercise', r.exercise ? tr('register.record.yes') : tr('register.record.no'))}
        {row('register.col.channel', r.channelName ?? '–')}
        {row('register.record.platform', r.platform ?? '–')}
        {row('register.record.externalId', r.externalId ?? '–')}
        {row('register.record.permalink', r.permalink ? <a href={r.permalink}>{r.permalink}</a> : '–')}
      </dl>

      <h2>{tr('register.record.content')}</h2>
      {r.text !== null ? <p className="record-text">{r.text}</p> : <p>{r.masked ? '–' : tr('register.record.noText')}</p>}

      <h2>{tr('register.record.media')}</h2>
      {media.length === 0 ? (
        <p>{tr('register.record.noMedia')}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{tr('register.record.file')}</th>
                <th scope="col">{tr('register.record.sha256')}</th>
                <th scope="col">{tr('register.record.stored')}</th>
              </tr>
            </thead>
            <tbody>
              {media.map((m) => (
                <tr key={m.sha256}>
                  <td>
                    {m.filename} {m.mimeType ? `(${m.mimeType})` : null}
                  </td>
                  <td>
                    <code className="hash">{m.sha256}</code>
                  </td>
                  <td>
                    {m.storedId ? (
                      <a href={`/media/${m.storedId}`}>
                        {tr('register.record.open')} <span className="visually-hidden">{m.filename}</span>
                      </a>
                    ) : (
                      tr('register.record.notStored')
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>{tr('register.record.hashes')}</h2>
      <dl className="record-fields">
        {row('register.record.recordHash', <code className="hash">{r.recordSha256 ?? '–'}</code>)}
        {row('register.record.prevHash', <code className="hash">{r.prevRecordSha256 ?? tr('register.record.first')}</code>)}
        {row('register.record.contentHash', <code className="hash">{r.contentSha256}</code>)}
      </dl>

      <h2 id="related-title">{tr('register.record.related')}</h2>
      {related.length === 0 ? (
        <p>{tr('register.record.noRelated')}</p>
      ) : (
        <div className="table-scroll">
          <table aria-labelledby="related-title">
            <thead>
              <tr>
                <th scope="col">{tr('register.col.number')}</th>
                <th scope="col">{tr('register.col.date')}</th>
                <th scope="col">{tr('register.record.kind')}</th>
                <th scope="col">{tr('register.col.counterparty')}</th>
                <th scope="col">{tr('register.col.summary')}</th>
              </tr>
            </thead>
            <tbody>
              {related.map((x) => (
                <tr key={x.id}>
                  <td>
                    <Link to={`/diarium/${x.id}`}>{x.registrationNumber ?? `#${x.id}`}</Link>
                  </td>
                  <td>{formatDateTime(x.registeredAt, locale)}</td>
                  <td>{tr(`register.kind.${x.kind}` as MessageKey)}</td>
                  <td>{x.counterparty}</td>
                  <td>{x.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
