/**
 * The one HTML page helper of the simulators: consent dialogs (X, Facebook Login, Google) and the post pages the
 * demo's permalinks open. People read these pages, so they are Swedish, reflow at 360 px and have visible focus.
 */
import type { SimPost, SimResponse } from './core';

/** The one escapeHtml for every simulator page: text and attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const style = `body{font-family:system-ui,sans-serif;background:#fff;color:#1a1a1a;margin:0;line-height:1.5}
main{max-width:36rem;margin:2rem auto;padding:0 1rem;overflow-wrap:anywhere}
fieldset{border:1px solid #595959;border-radius:.5rem;padding:1rem;margin:1rem 0}
button{font:inherit;padding:.6rem 1.4rem;border-radius:.4rem;border:2px solid #1a1a1a;background:#fff;color:#1a1a1a;margin-right:.5rem;cursor:pointer}
button[value=approve]{background:#1a1a1a;color:#fff}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #1d6fb8;outline-offset:2px}
.note{color:#595959}
.text{white-space:pre-wrap}`;

/** A whole page; `site` names the simulated platform in the title ("X", "Facebook", "Google"). */
export function htmlPage(status: number, site: string, title: string, body: string): SimResponse {
  const html = `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – ${escapeHtml(site)} (simulator)</title>
<style>
${style}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
}

/**
 * The simulator's own page for one post: where the demo's permalinks point (ADR 018). A deleted or unknown post
 * answers 404, like the platforms' own pages.
 */
export function postPage(site: string, post: SimPost | undefined, author: { name: string; handle?: string } | null, extra = ''): SimResponse {
  if (!post || post.deleted) {
    return htmlPage(404, site, 'Inlägget finns inte', '<h1>Inlägget finns inte</h1><p>Det kan ha tagits bort.</p>');
  }
  const name = author?.name ?? post.channel;
  const time = new Date(post.createdAt).toLocaleString('sv-SE', { timeZone: 'Europe/Stockholm' });
  const media = post.media.length === 0 ? '' : ` · ${post.media.length} ${post.media.length === 1 ? 'bilaga' : 'bilagor'}`;
  return htmlPage(
    200,
    site,
    `Inlägg av ${name}`,
    `<p class="note">${escapeHtml(site)}-simulatorn</p>
<article>
<h1>${escapeHtml(name)}${author?.handle ? ` <span class="note">@${escapeHtml(author.handle)}</span>` : ''}</h1>
${extra}<p class="text">${escapeHtml(post.text)}</p>
<p class="note"><time datetime="${escapeHtml(post.createdAt)}">${escapeHtml(time)}</time>${media}</p>
</article>`,
  );
}
