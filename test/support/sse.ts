/** A real HTTP client for server-sent events (/api/v1/stream): parsed events, comments, the retry advice and the end of the stream. */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** A real HTTP client reading a text/event-stream: parsed events, comments, and the end of the stream. */
export async function openStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let retry: number | undefined;
  let ended = false;
  const done = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const e: SseEvent = { data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('retry: ')) retry = Number(line.slice(7));
            else if (line.startsWith('id: ')) [e.id, isEvent] = [line.slice(4), true];
            else if (line.startsWith('event: ')) [e.event, isEvent] = [line.slice(7), true];
            else if (line.startsWith('data: ')) [e.data, isEvent] = [e.data + line.slice(6), true];
          }
          if (isEvent) events.push(e);
        }
      }
    } catch {
      /* aborted */
    }
    ended = true;
  })();
  return {
    res,
    events,
    comments,
    get retry() {
      return retry;
    },
    get ended() {
      return ended;
    },
    /** The parsed data of the events of `type` so far. */
    of: <T = Record<string, unknown>>(type: string) => events.filter((e) => e.event === type).map((e) => JSON.parse(e.data) as { id: string; type: string; actor: string; occurredAt: number; data: T }),
    close: async () => {
      abort.abort();
      await done;
    },
    done,
  };
}
export type Stream = Awaited<ReturnType<typeof openStream>>;
