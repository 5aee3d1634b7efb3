/**
 * The simulators' state on disk (ADR 018), so `npm start` keeps the demo's posts, comments and issued tokens across
 * restarts. One JSON file in the data folder, written whole to a temporary file and renamed over the old one, so a
 * crash mid-write leaves the previous state. A file that cannot be read (torn, hand-edited, from a newer version)
 * is set aside beside the original with a clear log line, and the simulators start empty: never a crash.
 * Tests pass no file and keep everything in memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SimulatorHub } from './core';

export const STATE_VERSION = 1;

const fileSchema = z.object({
  v: z.literal(STATE_VERSION),
  savedAt: z.string(),
  posts: z.array(z.looseObject({ platform: z.string(), id: z.string(), channel: z.string(), text: z.string() })),
  comments: z.array(z.looseObject({ platform: z.string(), id: z.string(), channel: z.string(), text: z.string() })),
  platforms: z.record(z.string(), z.unknown()),
});

/** Maps as JSON: arrays of [key, value], restored only when every entry has a string key. */
export function mapToJson<V>(map: Map<string, V>): [string, V][] {
  return [...map.entries()];
}

export function mapFromJson<V>(value: unknown, check: (v: unknown) => v is V): Map<string, V> {
  const out = new Map<string, V>();
  if (!Array.isArray(value)) return out;
  for (const entry of value) {
    if (Array.isArray(entry) && typeof entry[0] === 'string' && check(entry[1])) out.set(entry[0], entry[1]);
  }
  return out;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface StateStore {
  /** Marks the state changed; the write follows soon, one at a time. */
  changed(): void;
  /** Writes what is pending now (on close). */
  flush(): void;
}

function snapshot(hub: SimulatorHub): string {
  const platforms: Record<string, unknown> = {};
  for (const [name, sim] of hub.simulators) if (sim.saveState) platforms[name] = sim.saveState();
  return JSON.stringify({ v: STATE_VERSION, savedAt: new Date().toISOString(), posts: hub.posts, comments: hub.comments, platforms });
}

/** Reads the file into the hub: 'restored', 'none' (a first run) or 'unreadable' (with a log line; started empty). */
export function loadState(hub: SimulatorHub, file: string, log: (line: string) => void): 'restored' | 'none' | 'unreadable' {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    log(`Simulator state ${file} could not be read (${(e as Error).message}); the simulators start empty.`);
    return 'unreadable';
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(raw));
  } catch (e) {
    const aside = `${file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    let kept = '';
    try {
      fs.renameSync(file, aside);
      kept = ` It was kept as ${path.basename(aside)}.`;
    } catch {
      kept = '';
    }
    const why = e instanceof SyntaxError ? 'it is not complete JSON' : 'its contents do not have the expected shape';
    log(`Simulator state ${file} is unreadable (${why}); the simulators start empty.${kept}`);
    return 'unreadable';
  }
  hub.posts = parsed.posts as unknown as SimulatorHub['posts'];
  hub.comments = parsed.comments as unknown as SimulatorHub['comments'];
  for (const [name, sim] of hub.simulators) {
    const data = parsed.platforms[name];
    if (data === undefined || !sim.loadState) continue;
    try {
      sim.loadState(data);
    } catch (e) {
      sim.reset();
      log(`Simulator state for ${name} in ${file} is unreadable (${(e as Error).message}); ${name} starts without it.`);
    }
  }
  return 'restored';
}

/** Writes the whole state to `file.tmp`, then renames it over `file`: a reader sees the old or the new state, never half. */
function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function fileStore(hub: SimulatorHub, file: string, log: (line: string) => void): StateStore {
  let pending = false;
  let failedOnce = false;
  const write = () => {
    if (!pending) return;
    pending = false;
    try {
      writeAtomically(file, snapshot(hub));
      failedOnce = false;
    } catch (e) {
      // A full disk must not take the demo down; say it once, keep serving from memory.
      if (!failedOnce) log(`Simulator state could not be saved to ${file} (${(e as Error).message}); it is kept in memory.`);
      failedOnce = true;
    }
  };
  return {
    changed() {
      if (pending) return;
      pending = true;
      setImmediate(write);
    },
    flush: write,
  };
}

export const memoryStore: StateStore = { changed() {}, flush() {} };
