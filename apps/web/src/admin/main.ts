import { readEvents } from './eventStream.ts';
import { requestRows, type RequestTimesSample } from './requestRows.ts';
import { sparkline, type Series } from './sparkline.ts';
import { Table } from './Table.ts';

/** One sample of the server's feed (`apps/server/src/web/DashboardFeed.ts`). */
export interface Sample {
  t: number;
  sessions: number;
  accepted: number;
  actors: Record<string, number>;
  messagesInPerS: number;
  messagesOutPerS: number;
  bytesInPerS: number;
  bytesOutPerS: number;
  loopLagP50Ms: number;
  loopLagP99Ms: number;
  requestsPerS: number;
  requestP50Ms: number | null;
  requestP99Ms: number | null;
  /** The same by message type, for the types with requests in the interval. */
  requestsByType: Record<string, RequestTimesSample>;
  game: Record<string, number>;
  nodes: number | null;
}

interface AdminSession {
  id: number;
  user: string | null;
  remoteAddress: string | null;
  state: unknown;
  idleMs: number | null;
  groups: string[];
}

const CAPACITY = 120;
const IN = '#4ea8de';
const OUT = '#f4a261';
const num = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '–' : v.toLocaleString('en', { maximumFractionDigits: digits }));
const bytes = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} kB` : `${Math.round(v)} B`);

/** A chart card: its lines and the text of the latest values. */
interface Card {
  readonly id: string;
  readonly title: string;
  readonly lines: ReadonlyArray<{ label: string; color: string; value: (s: Sample) => number | null }>;
  readonly text: (s: Sample) => string;
}

const CARDS: readonly Card[] = [
  { id: 'sessions', title: 'Sessions', lines: [{ label: 'open', color: IN, value: (s) => s.sessions }], text: (s) => num(s.sessions) },
  {
    id: 'messages',
    title: 'Messages / s (in · out)',
    lines: [
      { label: 'in', color: IN, value: (s) => s.messagesInPerS },
      { label: 'out', color: OUT, value: (s) => s.messagesOutPerS },
    ],
    text: (s) => `${num(s.messagesInPerS)} · ${num(s.messagesOutPerS)}`,
  },
  {
    id: 'bytes',
    title: 'Bytes / s (in · out)',
    lines: [
      { label: 'in', color: IN, value: (s) => s.bytesInPerS },
      { label: 'out', color: OUT, value: (s) => s.bytesOutPerS },
    ],
    text: (s) => `${bytes(s.bytesInPerS)} · ${bytes(s.bytesOutPerS)}`,
  },
  {
    id: 'lag',
    title: 'Event-loop lag ms (p50 · p99)',
    lines: [
      { label: 'p50', color: IN, value: (s) => s.loopLagP50Ms },
      { label: 'p99', color: OUT, value: (s) => s.loopLagP99Ms },
    ],
    text: (s) => `${num(s.loopLagP50Ms, 1)} · ${num(s.loopLagP99Ms, 1)}`,
  },
  {
    id: 'requests',
    title: 'Request time ms (p50 · p99)',
    lines: [
      { label: 'p50', color: IN, value: (s) => s.requestP50Ms },
      { label: 'p99', color: OUT, value: (s) => s.requestP99Ms },
    ],
    // The last interval that had requests (a quiet second has no percentiles).
    text: (s) => {
      const r = samples.findLast((x) => x.requestP50Ms !== null) ?? s;
      return `${num(r.requestP50Ms, 3)} · ${num(r.requestP99Ms, 3)} (${num(s.requestsPerS)}/s)`;
    },
  },
  {
    id: 'game',
    title: 'Rooms · players',
    lines: [
      { label: 'rooms', color: OUT, value: (s) => s.game['arena_rooms'] ?? null },
      { label: 'players', color: IN, value: (s) => s.game['arena_players'] ?? null },
    ],
    text: (s) => `${num(s.game['arena_rooms'])} · ${num(s.game['arena_players'])}`,
  },
  { id: 'nodes', title: 'Cluster nodes', lines: [{ label: 'nodes', color: IN, value: (s) => s.nodes }], text: (s) => (s.nodes === null ? 'Redis down' : num(s.nodes)) },
];

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T: the element the page's HTML has at that id
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const samples: Sample[] = [];
/** For the console and the browser tests. */
(window as unknown as { dashboard: { samples: Sample[] } }).dashboard = { samples };

// The admin token: `#token=…` once (then kept for this tab, and removed from the address bar) or typed in.
const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash)?.[1];
if (fromHash !== undefined) {
  sessionStorage.setItem('hearth-admin-token', decodeURIComponent(fromHash));
  history.replaceState(null, '', location.pathname + location.search);
}
const auth = (): Record<string, string> => {
  const token = sessionStorage.getItem('hearth-admin-token');
  return token === null ? {} : { authorization: `Bearer ${token}` };
};
const tokenForm = $<HTMLFormElement>('token-form');
tokenForm.addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('hearth-admin-token', $<HTMLInputElement>('token').value.trim());
  tokenForm.hidden = true;
  restart();
});
function refused(status: number | undefined): boolean {
  if (status !== 401) return false;
  tokenForm.hidden = false;
  setLive('offline', 'admin token required');
  return true;
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`/admin/api/${path}`, { headers: auth(), cache: 'no-store' });
  if (!res.ok) {
    refused(res.status);
    throw new Error(`${path}: HTTP ${res.status}`);
  }
  return (await res.json()) as T;
}

// The cards.
const grid = $('cards');
const canvases = new Map<string, HTMLCanvasElement>();
const values = new Map<string, HTMLElement>();
for (const card of CARDS) {
  const el = grid.appendChild(document.createElement('div'));
  el.className = 'card';
  el.dataset['card'] = card.id;
  el.appendChild(document.createElement('h3')).textContent = card.title;
  const value = el.appendChild(document.createElement('div'));
  value.className = 'value';
  value.textContent = '–';
  const canvas = el.appendChild(document.createElement('canvas'));
  canvas.className = 'spark';
  values.set(card.id, value);
  canvases.set(card.id, canvas);
}

function drawCards(): void {
  const last = samples.at(-1);
  for (const card of CARDS) {
    if (last !== undefined) values.get(card.id)!.textContent = card.text(last);
    const series: Series[] = card.lines.map((l) => ({ color: l.color, values: samples.map(l.value) }));
    // The x axis spans the samples so far (at least 10), up to CAPACITY: a new dashboard's charts fill their card.
    sparkline(canvases.get(card.id)!, series, Math.min(CAPACITY, Math.max(10, samples.length)));
  }
  drawRequests();
  if (last !== undefined) {
    $('actors').textContent = Object.entries(last.actors)
      .map(([state, n]) => `${state} ${n}`)
      .join(' · ');
  }
}

// Request time by message: one row per type, its latest p50/p99 (text only: the names come from the server).
const requestTable = $('requests').querySelector('table')!;
const requestHead = requestTable.createTHead().insertRow();
for (const title of ['message', 'req/s', 'p50 ms', 'p99 ms', 'seen']) requestHead.appendChild(document.createElement('th')).textContent = title;
const requestBody = requestTable.createTBody();
function drawRequests(): void {
  requestBody.replaceChildren(
    ...requestRows(samples).map((r) => {
      const tr = document.createElement('tr');
      tr.dataset['type'] = r.type;
      for (const text of [r.type, num(r.perS, 1), num(r.p50Ms, 3), num(r.p99Ms, 3), r.ageS === 0 ? 'now' : `${r.ageS} s ago`]) tr.insertCell().textContent = text;
      return tr;
    }),
  );
}

function add(list: Sample[]): void {
  samples.push(...list);
  if (samples.length > CAPACITY) samples.splice(0, samples.length - CAPACITY);
  drawCards();
}

function setLive(state: 'live' | 'connecting' | 'offline', text: string): void {
  const el = $('live');
  el.dataset['state'] = state;
  el.textContent = text;
}

// The live feed, redialled after a drop.
let stream: AbortController | undefined;
function restart(): void {
  stream?.abort();
  const ctrl = (stream = new AbortController());
  setLive('connecting', 'connecting…');
  readEvents(
    '/admin/api/events',
    auth(),
    (e) => {
      setLive('live', 'live');
      if (e.event === 'history') {
        samples.length = 0;
        add(JSON.parse(e.data) as Sample[]);
      } else add([JSON.parse(e.data) as Sample]);
    },
    ctrl.signal,
  ).then(
    () => !ctrl.signal.aborted && retry(ctrl, 'stream ended'),
    (err: unknown) => {
      const { status, message } = err as Error & { status?: number };
      return !ctrl.signal.aborted && !refused(status) && retry(ctrl, message);
    },
  );
}
function retry(ctrl: AbortController, why: string): void {
  setLive('offline', `${why}; retrying…`);
  setTimeout(() => stream === ctrl && restart(), 2000);
}

// The tables and the player view.
const sessions = new Table<AdminSession>(
  $('sessions'),
  [
    { title: 'session', cell: (s) => String(s.id) },
    { title: 'user', cell: (s) => s.user ?? '–' },
    { title: 'address', cell: (s) => s.remoteAddress ?? '–' },
    { title: 'rooms', cell: (s) => s.groups.join(', ') },
    { title: 'state', cell: (s) => JSON.stringify(s.state) },
    { title: 'idle ms', cell: (s) => num(s.idleMs) },
  ],
  async (q, offset, limit) => {
    const r = await api<{ total: number; sessions: AdminSession[] }>(`sessions?q=${encodeURIComponent(q)}&offset=${offset}&limit=${limit}`);
    return { total: r.total, rows: r.sessions };
  },
  (s) => void showPlayer(s.id),
);
const rooms = new Table<{ name: string; players: number }>(
  $('rooms'),
  [
    { title: 'room', cell: (r) => r.name },
    { title: 'players here', cell: (r) => String(r.players) },
  ],
  async (q, offset, limit) => {
    const r = await api<{ total: number; rooms: Array<{ name: string; players: number }> }>(`rooms?q=${encodeURIComponent(q)}&offset=${offset}&limit=${limit}`);
    return { total: r.total, rows: r.rooms };
  },
);
let shown: number | undefined;
async function showPlayer(id: number): Promise<void> {
  shown = id;
  const pre = $('player');
  try {
    pre.textContent = JSON.stringify(await api(`player?id=${id}`), null, 2);
  } catch (err) {
    pre.textContent = `session ${id}: ${(err as Error).message} (it may have closed)`;
  }
}

restart();
const refreshTables = () => {
  void sessions.refresh().catch(() => {});
  void rooms.refresh().catch(() => {});
  if (shown !== undefined) void showPlayer(shown);
};
refreshTables();
setInterval(refreshTables, 3000);
window.addEventListener('resize', drawCards);
