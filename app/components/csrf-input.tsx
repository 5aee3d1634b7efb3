import { useRouteLoaderData } from '@remix-run/react';
import type { RootData } from '../root';

/** The hidden field every mutating form carries (see utils/csrf.server.ts). */
export function CsrfInput() {
  const data = useRouteLoaderData<RootData>('root');
  return <input type="hidden" name="csrf" value={data?.csrf ?? ''} />;
}
