/** One server-sent event. */
export interface StreamEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Splits a text/event-stream into events (the parts of the format the dashboard's feed uses:
 * `event:`, `data:` and comments). Feed it chunks; it returns the events completed so far.
 */
export class EventStreamParser {
  #buffer = '';

  push(chunk: string): StreamEvent[] {
    this.#buffer += chunk.replace(/\r\n?/g, '\n');
    const events: StreamEvent[] = [];
    let end: number;
    while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
      if (data.length > 0) events.push({ event, data: data.join('\n') });
    }
    return events;
  }
}

/**
 * Reads server-sent events with `fetch` (an `EventSource` cannot send the admin token's
 * `Authorization` header). Resolves when the stream ends; rejects with the HTTP status on refusal.
 */
export async function readEvents(url: string, headers: Record<string, string>, onEvent: (e: StreamEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal, cache: 'no-store' });
  if (!res.ok || res.body === null) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
  const parser = new EventStreamParser();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    for (const e of parser.push(value)) onEvent(e);
  }
}
