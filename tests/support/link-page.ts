/**
 * A linked page for the link-card tests (ADR 038): a real local HTTP server with Open Graph tags and an image, named
 * as a configured test host (LINK_CARD_TEST_HOSTS) so the SSRF guard lets the composer reach it on loopback.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jpeg } from '../pipeline/harness';

export interface LinkPage {
  /** The page's address. */
  url: string;
  image: Buffer;
  close(): Promise<void>;
}

export async function startLinkPage(meta: { title: string; description: string; siteName?: string }, path = '/nyheter'): Promise<LinkPage> {
  const image = jpeg(1200, 630).data!;
  const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const server = http.createServer((req, res) => {
    if (req.url === '/kort.jpg') {
      res.setHeader('Content-Type', 'image/jpeg');
      res.end(image);
      return;
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(
      `<html><head><title>Reserv</title><meta property="og:title" content="${esc(meta.title)}"><meta property="og:description" content="${esc(meta.description)}">` +
        `${meta.siteName ? `<meta property="og:site_name" content="${esc(meta.siteName)}">` : ''}<meta property="og:image" content="/kort.jpg"></head><body></body></html>`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const hosts = new Set((process.env.LINK_CARD_TEST_HOSTS ?? '').split(',').filter(Boolean));
  hosts.add(host);
  process.env.LINK_CARD_TEST_HOSTS = [...hosts].join(',');
  return {
    url: `http://${host}${path}`,
    image,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
