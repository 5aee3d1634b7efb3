/**
 * Serves post media by id at /media/:id from the database: the public URL the platforms (Instagram) fetch media
 * from, as the web app's media route does in production. Used by the pipeline tests, the chaos run and the bench.
 */
import http from 'node:http';
import type { Db } from '../../db/client';
import { findMedia } from '../../db/queries/post-media';
import { mediaStore } from '../../common/media-store.server';

export interface MediaServer {
  url: string;
  close(): Promise<void>;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Media rows never change, so they are kept in memory once read: the chaos run restarts PostgreSQL under the
 * simulators' feet, and a platform fetching an image then must not see an outage that production would not have.
 */
export async function startMediaServer(db: Db, opts: { port?: number } = {}): Promise<MediaServer> {
  const cache = new Map<string, { mimeType: string; data: Buffer }>();
  const server = http.createServer((req, res) => {
    void (async () => {
      const match = /^\/media\/([^/?]+)$/.exec(new URL(req.url ?? '/', 'http://media.local').pathname);
      const id = match?.[1];
      if (!id || !uuid.test(id)) {
        res.writeHead(404).end('not found');
        return;
      }
      let media = cache.get(id);
      if (!media) {
        const row = await findMedia(db, id);
        const data = row ? (row.data ?? (await mediaStore().get(row.sha256))) : null;
        if (row && data) cache.set(id, (media = { mimeType: row.mimeType, data }));
      }
      if (!media) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': media.mimeType, 'content-length': String(media.data.length) });
      res.end(media.data);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(503).end('unavailable');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
