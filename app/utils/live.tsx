import { useEffect, useState } from 'react';

/**
 * The live half of a page served by app/utils/sse.server.ts (ADR 039): starts from what the loader rendered and
 * replaces it with every state the event stream sends. Without JavaScript (or EventSource) the page is the loader's
 * render, and a reload shows the same state, read by the same function.
 */
export function useLiveState<T>(url: string, initial: T, enabled = true): T {
  const [state, setState] = useState<T>(initial);
  // The loader ran again (after an action, or a navigation): its state is the newest.
  useEffect(() => setState(initial), [initial]);
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const source = new EventSource(url);
    const onState = (e: MessageEvent<string>) => {
      try {
        setState(JSON.parse(e.data) as T);
      } catch {
        // A torn message is followed by a whole one on the next change.
      }
    };
    source.addEventListener('state', onState);
    source.addEventListener('gone', () => source.close());
    return () => source.close();
  }, [url, enabled]);
  return state;
}
