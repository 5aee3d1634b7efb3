/**
 * The link-card fetch (ADR 038) against real local HTTP servers: what it reads from a page, and every refusal the
 * SSRF guard owes — loopback, private, link-local and metadata addresses, a public name resolving to a private
 * address, a redirect to one, an oversize body, a slow server — each refused before the target is reached.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLinkCard } from '../../app/models/link-cards.server';
import { isPublicAddress, safeFetch, SafeFetchError, systemResolver, type Resolver } from '../../common/safe-fetch.server';
import { mediaStore, sha256Of } from '../../common/media-store.server';
import { jpeg } from '../pipeline/harness';

const image = jpeg(1200, 630).data!;

interface Site {
  url: string;
  hostPort: string;
  hits: string[];
  close(): Promise<void>;
}

/** A real HTTP server; `hits` records every path it was asked for, so a refusal can be shown to reach nothing. */
async function site(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Site> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let page: Site;
let other: Site;
beforeAll(async () => {
  other = await site((_req, res) => res.end('<title>intern</title>'));
  page = await site((req, res) => {
    const path = req.url ?? '/';
    if (path === '/nyhet') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><html><head><title>Reserv</title>
        <meta property="og:title" content="Nytt bibliotek &amp; kulturhus">
        <meta property="og:description" content="Öppnar i maj på Drottninggatan.">
        <meta property="og:site_name" content="Helsingborgs stad">
        <meta property="og:image" content="/bild.jpg"></head><body><meta property="og:title" content="fel"></body></html>`,
      );
    } else if (path === '/bild.jpg') {
      res.setHeader('Content-Type', 'image/jpeg');
      res.end(image);
    } else if (path === '/bara-title') {
      res.setHeader('Content-Type', 'text/html');
      res.end('<html><head><title>  Bara\n en titel </title><meta name="description" content="Beskrivning"></head></html>');
    } else if (path.startsWith('/till/')) {
      res.writeHead(302, { Location: decodeURIComponent(path.slice('/till/'.length)) }).end();
    } else if (path === '/loop') {
      res.writeHead(301, { Location: '/loop' }).end();
    } else if (path === '/stor') {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<html><head><title>x</title></head><body>${'a'.repeat(200_000)}</body></html>`);
    } else if (path === '/stor-utan-langd') {
      // Chunked, no Content-Length: the limit must hold while reading.
      res.setHeader('Content-Type', 'text/html');
      res.write('<html><head><title>x</title></head><body>');
      for (let i = 0; i < 50; i++) res.write('b'.repeat(10_000));
      res.end('</body></html>');
    } else if (path === '/langsam') {
      // Headers at once, then the body never finishes.
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.write('<html><head>');
    } else if (path === '/pdf') {
      res.setHeader('Content-Type', 'application/pdf');
      res.end('%PDF-1.4');
    } else {
      res.writeHead(404).end();
    }
  });
});
afterAll(async () => {
  await page?.close();
  await other?.close();
});

const allow = () => ({ allowHosts: [page.hostPort], timeoutMs: 3000, maxBytes: 64 * 1024 });

/** A public-looking name whose DNS answer is private: the guard must look at the answer, not the name. */
const stubDns: Resolver = async (host) => {
  if (host === 'intranat.example.se') return [{ address: '10.20.30.40', family: 4 }];
  if (host === 'blandat.example.se') return [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }];
  if (host === 'v6.example.se') return [{ address: 'fd00::1', family: 6 }];
  if (host === 'metadata.example.se') return [{ address: '169.254.169.254', family: 4 }];
  if (host.endsWith('.example.se')) throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return systemResolver(host);
};

async function refusal(url: string, opts: Parameters<typeof fetchLinkCard>[2] = {}) {
  const r = await fetchLinkCard(url, 'sv', { ...allow(), ...opts });
  if (r.ok) throw new Error(`expected ${url} to be refused`);
  return r;
}

describe('link card: reading the page', () => {
  it('reads Open Graph title, description, site name and image (stored by hash), the first tag of each, in the head only', async () => {
    const r = await fetchLinkCard(`${page.url}/nyhet`, 'sv', allow());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.card).toMatchObject({
      url: `${page.url}/nyhet`,
      title: 'Nytt bibliotek & kulturhus',
      description: 'Öppnar i maj på Drottninggatan.',
      siteName: 'Helsingborgs stad',
      imageUrl: `${page.url}/bild.jpg`,
      imageSha256: sha256Of(image),
    });
    expect(await mediaStore().has(sha256Of(image))).toBe(true);
    expect(r.imageProblem).toBeNull();
  });

  it('falls back to <title> and the description meta, one line', async () => {
    const r = await fetchLinkCard(`${page.url}/bara-title`, 'sv', allow());
    expect(r.ok && r.card).toMatchObject({ title: 'Bara en titel', description: 'Beskrivning' });
  });

  it('refuses what is not a web page', async () => {
    expect((await refusal(`${page.url}/pdf`)).reason).toBe('not_html');
  });
});

describe('link card: SSRF refusals', () => {
  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.1.2.3/admin', 'loopback range'],
    ['http://2130706433/', 'loopback as a decimal number'],
    ['http://[::1]/', 'IPv6 loopback'],
    ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped loopback'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://10.0.0.1/', '10/8'],
    ['http://10.255.255.254/intranet', '10/8'],
    ['http://172.16.0.1/', '172.16/12'],
    ['http://192.168.1.1/', '192.168/16'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata (link-local)'],
    ['http://[fe80::1]/', 'IPv6 link-local'],
    ['http://[fd12:3456::1]/', 'IPv6 unique-local'],
    ['http://100.64.0.1/', 'carrier-grade NAT'],
  ])('refuses %s (%s) before connecting', async (url) => {
    const r = await refusal(url);
    expect(r.reason).toBe('private_address');
    expect(r.message).toMatch(/internt nät/);
  });

  it('refuses a loopback address even on the port of a listening server, which is never reached', async () => {
    const port = other.hostPort.split(':')[1];
    const before = other.hits.length;
    for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`]) {
      const r = await refusal(url);
      expect(['port', 'private_address']).toContain(r.reason);
    }
    // Without the port rule the address rule still refuses (a host that may use any port but is not allowed).
    await expect(safeFetch(`http://localhost/`, { timeoutMs: 3000, maxBytes: 1024, maxRedirects: 0 })).rejects.toMatchObject({ reason: 'private_address' });
    expect(other.hits.length).toBe(before);
  });

  it.each([
    ['http://intranat.example.se/', 'a public name resolving to 10/8'],
    ['http://blandat.example.se/', 'a name with one public and one loopback address (every address is checked)'],
    ['http://v6.example.se/', 'a name resolving to an IPv6 unique-local address'],
    ['http://metadata.example.se/', 'a name resolving to the metadata address'],
  ])('refuses %s: %s', async (url) => {
    expect((await refusal(url, { resolve: stubDns })).reason).toBe('private_address');
  });

  it('names a missing name as such', async () => {
    expect((await refusal('http://finns-inte.example.se/', { resolve: stubDns })).reason).toBe('dns');
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'the metadata address'],
    ['http://[::1]/', 'IPv6 loopback'],
    ['http://localhost/', 'localhost'],
    ['http://intranat.example.se/', 'a name resolving to a private address'],
  ])('refuses a redirect from an allowed page to %s (%s): every hop is checked', async (target) => {
    const r = await refusal(`${page.url}/till/${encodeURIComponent(target)}`, { resolve: stubDns });
    expect(r.reason).toBe('private_address');
  });

  it('refuses a redirect to another port of the same loopback host that is not itself allowed', async () => {
    const before = other.hits.length;
    const r = await refusal(`${page.url}/till/${encodeURIComponent(`${other.url}/`)}`);
    expect(['port', 'private_address']).toContain(r.reason);
    expect(other.hits.length).toBe(before);
  });

  it('follows at most three redirects', async () => {
    expect((await refusal(`${page.url}/loop`)).reason).toBe('too_many_redirects');
  });

  it('refuses an oversize body, declared or streamed', async () => {
    expect((await refusal(`${page.url}/stor`)).reason).toBe('too_large');
    expect((await refusal(`${page.url}/stor-utan-langd`)).reason).toBe('too_large');
  });

  it('gives up on a slow server at its deadline', async () => {
    const r = await refusal(`${page.url}/langsam`, { timeoutMs: 300 });
    expect(r.reason).toBe('timeout');
    expect(r.message).toBe('Sidan svarade inte i tid.');
  });

  it.each([
    ['file:///etc/passwd', 'scheme'],
    ['ftp://example.se/', 'scheme'],
    ['gopher://127.0.0.1:70/', 'scheme'],
    ['http://user:pass@example.se/', 'credentials'],
    ['http://example.se:8080/', 'port'],
    ['inte en adress', 'bad_url'],
    ['http://exa\u0000mple.se/', 'bad_url'],
  ])('refuses %s as %s', async (url, reason) => {
    expect((await refusal(url, { resolve: stubDns })).reason).toBe(reason);
  });

  it('classifies addresses: only public unicast passes', () => {
    expect(isPublicAddress('93.184.216.34')).toBe(true);
    expect(isPublicAddress('2a00:1450:4001::1')).toBe(true);
    for (const a of ['127.0.0.1', '::1', '10.1.1.1', '169.254.169.254', '192.0.2.1', '224.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', 'nonsense']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });

  it('throws SafeFetchError with the reason for direct callers', async () => {
    await expect(safeFetch('http://10.0.0.1/', { timeoutMs: 1000, maxBytes: 1024, maxRedirects: 0 })).rejects.toBeInstanceOf(SafeFetchError);
  });
});
