import type { Db } from '../../db/client';
import { getChannel } from './channels.server';
import { releaseHeldDeliveries } from './posts.server';

/** What follows new credentials: deliveries held for re-authorisation go out again. Returns the channel's name. */
export async function afterCredentialsStored(db: Db, channelId: string, actor = { userId: null as string | null, label: 'user' }): Promise<string> {
  await releaseHeldDeliveries(db, channelId, actor);
  const channel = await getChannel(db, channelId);
  return channel?.name ?? '';
}
