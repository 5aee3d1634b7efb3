import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { Form, useLoaderData } from '@remix-run/react';
import { requirePermission } from '../utils/session.server';
import { parseForm, readForm } from '../utils/request.server';
import { getChannel, oauthClientFor, openGrants, sealGrants, storeCredentials } from '../models/channels.server';
import { afterCredentialsStored } from '../models/channel-hooks.server';
import { readOAuthState, redirectUri } from '../utils/oauth-state.server';
import { chooseGrantSchema } from '../forms/channels';
import { config } from '../../common/config.server';
import { platformModule } from '../models/platforms.server';
import type { TokenGrant } from '../../workers/platforms/index';
import { isPlatformError } from '../models/platforms.server';
import { CsrfInput } from '../components/csrf-input';
import { useT } from '../utils/i18n';

const fail = (reason: string) => redirect(`/kanaler?failed=${encodeURIComponent(reason)}`);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user } = await requirePermission(request, context, 'manage:channels');
  const url = new URL(request.url);
  const saved = await readOAuthState(request, context);
  if (!saved || url.searchParams.get('state') !== saved.state) throw fail('ogiltigt eller för gammalt tillstånd (state)');
  if (url.searchParams.get('error')) throw fail(url.searchParams.get('error_description') ?? url.searchParams.get('error') ?? 'nekad');
  const code = url.searchParams.get('code');
  const channel = await getChannel(context.db, saved.channelId);
  const client = channel ? oauthClientFor(channel, config()) : null;
  if (!code || !channel || !client) throw fail('ofullständigt svar från plattformen');
  let grants: TokenGrant<unknown>[];
  try {
    grants = await platformModule(channel.platform).authorization.exchangeCode({
      apiBaseUrl: channel.apiBaseUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUri: redirectUri(context),
      code,
      codeVerifier: saved.verifier,
    });
  } catch (e) {
    throw fail(isPlatformError(e) ? e.message : 'kunde inte växla koden mot nycklar');
  }
  const matching = grants.filter((g) => g.accountId === channel.accountId);
  const only = matching.length === 1 ? matching[0] : grants.length === 1 ? grants[0] : undefined;
  if (only) {
    await storeCredentials(
      context.db,
      context.credentialsKey,
      channel.id,
      { credentials: only.credentials, accountId: only.accountId, accountName: only.accountName, via: 'oauth' },
      { userId: user.id, label: 'user' },
    );
    await afterCredentialsStored(context.db, channel.id);
    throw redirect(`/kanaler?connected=${channel.id}`);
  }
  if (grants.length === 0) throw fail('kontot administrerar inga sidor eller konton');
  return {
    channel: { id: channel.id, name: channel.name },
    sealed: sealGrants(context.credentialsKey, channel.id, grants),
    options: grants.map((g, i) => ({ index: i, name: g.accountName, accountId: g.accountId })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user } = await requirePermission(request, context, 'manage:channels');
  const { value } = parseForm(await readForm(request, context, { maxChars: { sealed: 200_000 } }), chooseGrantSchema);
  if (!value) throw fail('välj ett konto');
  const { channelId, sealed, grant } = value;
  let grants: TokenGrant<unknown>[];
  try {
    grants = openGrants(context.credentialsKey, channelId, sealed);
  } catch {
    throw fail('valet har manipulerats eller gått ut');
  }
  const chosen = grants[grant];
  if (!chosen) throw fail('välj ett konto');
  await storeCredentials(
    context.db,
    context.credentialsKey,
    channelId,
    { credentials: chosen.credentials, accountId: chosen.accountId, accountName: chosen.accountName, via: 'oauth' },
    { userId: user.id, label: 'user' },
  );
  await afterCredentialsStored(context.db, channelId);
  return redirect(`/kanaler?connected=${channelId}`);
}

export default function ChooseAccount() {
  const data = useLoaderData<typeof loader>();
  const tr = useT();
  return (
    <section aria-labelledby="choose-title">
      <h1 id="choose-title">{tr('channels.choose')}</h1>
      <p>{tr('channels.chooseHint', { name: data.channel.name })}</p>
      <Form method="post">
        <CsrfInput />
        <input type="hidden" name="channelId" value={data.channel.id} />
        <input type="hidden" name="sealed" value={data.sealed} />
        <fieldset>
          <legend>{tr('channels.account')}</legend>
          {data.options.map((o) => (
            <div className="checkbox-row" key={o.index}>
              <input type="radio" id={`grant-${o.index}`} name="grant" value={o.index} required defaultChecked={o.index === 0} />
              <label htmlFor={`grant-${o.index}`}>
                {o.name} ({o.accountId})
              </label>
            </div>
          ))}
        </fieldset>
        <button type="submit" className="button">
          {tr('channels.save')}
        </button>
      </Form>
    </section>
  );
}
