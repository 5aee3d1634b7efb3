import type { LoaderFunctionArgs } from '@remix-run/node';

/**
 * Unknown addresses: a 404 thrown from a route's loader, so the root loader runs and the page keeps its layout (the
 * signed-in user, the menu, log out). Without this route Remix renders the 404 with no root data.
 */
export async function loader(_args: LoaderFunctionArgs) {
  throw new Response('Not found', { status: 404 });
}

export default function NotFound() {
  return null;
}
