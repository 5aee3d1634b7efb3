import { format } from 'date-fns';
import { tz } from '@date-fns/tz';
import { CITY_TIME_ZONE } from '../../../common/time';
import type { ReleasedRecord } from '../mask';

const inCity = tz(CITY_TIME_ZONE);

/** ISO 8601 with the city's offset at that instant, to the millisecond: readable and still exact. */
export function cityIso(date: Date | null): string {
  return date === null ? '' : format(date, "yyyy-MM-dd'T'HH:mm:ss.SSSxxx", { in: inCity });
}

/** The text of a record's content, if it has one (posts, comments, replies). */
export function contentText(r: Pick<ReleasedRecord, 'content'>): string {
  const text = (r.content as { text?: unknown }).text;
  return typeof text === 'string' ? text : '';
}

/** The columns of the tabular export, in order: the database's names, so other tools can rely on them. */
export const exportColumns: { name: string; value: (r: ReleasedRecord) => string | number | boolean | null }[] = [
  { name: 'registration_number', value: (r) => r.registrationNumber },
  { name: 'id', value: (r) => r.id },
  { name: 'series', value: (r) => r.series },
  { name: 'year', value: (r) => r.year },
  { name: 'seq', value: (r) => r.seq },
  { name: 'registered_at', value: (r) => cityIso(r.registeredAt) },
  { name: 'record_date', value: (r) => cityIso(r.recordDate) },
  { name: 'kind', value: (r) => r.kind },
  { name: 'direction', value: (r) => r.direction },
  { name: 'counterparty', value: (r) => r.counterparty },
  { name: 'summary', value: (r) => r.summary },
  { name: 'confidential', value: (r) => r.confidential },
  { name: 'confidentiality_ref', value: (r) => r.confidentialityRef },
  { name: 'masked', value: (r) => r.masked },
  { name: 'exercise', value: (r) => r.exercise },
  { name: 'channel_id', value: (r) => r.channelId },
  { name: 'platform', value: (r) => r.platform },
  { name: 'external_id', value: (r) => r.externalId },
  { name: 'permalink', value: (r) => r.permalink },
  { name: 'post_id', value: (r) => r.postId },
  { name: 'delivery_id', value: (r) => r.deliveryId },
  { name: 'related_record_id', value: (r) => r.relatedRecordId },
  { name: 'text', value: (r) => contentText(r) },
  { name: 'content_sha256', value: (r) => r.contentSha256 },
  { name: 'prev_record_sha256', value: (r) => r.prevRecordSha256 },
  { name: 'record_sha256', value: (r) => r.recordSha256 },
];
