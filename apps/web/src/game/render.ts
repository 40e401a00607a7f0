import { ARENA } from '@hearth/server/messages';
import type { ArenaModel } from './ArenaModel.ts';

const COLORS = ['#e76f51', '#2a9d8f', '#e9c46a', '#8ab17d', '#b56576', '#6d597a', '#4ea8de', '#f4a261'];
const RADIUS = 12;
/** How long a tagged player flashes, in ms. */
const FLASH_MS = 400;

/** A canvas sized to its box (device pixels), and the world-to-canvas scale. */
export interface View {
  readonly canvas: HTMLCanvasElement;
  scale: number;
}

/** Keeps the canvas' pixel size equal to its CSS box × devicePixelRatio. */
export function fit(view: View): void {
  const { canvas } = view;
  const dpr = window.devicePixelRatio || 1;
  const size = Math.max(100, Math.floor(Math.min(canvas.clientWidth, canvas.clientHeight) * dpr));
  if (canvas.width !== size || canvas.height !== size) canvas.width = canvas.height = size;
  view.scale = size / ARENA.worldSize;
}

/** World coordinates of a pointer event on the canvas. */
export function toWorld(view: View, clientX: number, clientY: number): { x: number; y: number } {
  const r = view.canvas.getBoundingClientRect();
  return { x: ((clientX - r.left) / r.width) * ARENA.worldSize, y: ((clientY - r.top) / r.height) * ARENA.worldSize };
}

/** Draws one frame of the room at local time `now`. */
export function draw(view: View, model: ArenaModel, now: number): void {
  fit(view);
  const ctx = view.canvas.getContext('2d');
  if (ctx === null) return;
  const s = view.scale;
  const size = view.canvas.width;
  ctx.fillStyle = '#14161c';
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = '#23262f';
  ctx.lineWidth = 1;
  for (let g = 0; g <= ARENA.worldSize; g += 100) {
    ctx.beginPath();
    ctx.moveTo(g * s, 0);
    ctx.lineTo(g * s, size);
    ctx.moveTo(0, g * s);
    ctx.lineTo(size, g * s);
    ctx.stroke();
  }
  const you = model.you;
  const self = you === undefined ? undefined : model.drawPosition(you, now);
  if (self !== undefined) {
    ctx.strokeStyle = 'rgba(255,255,255,0.25)';
    ctx.setLineDash([6, 6]);
    ctx.beginPath();
    ctx.arc(self.x * s, self.y * s, ARENA.tagRadius * s, 0, Math.PI * 2);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  const dpr = window.devicePixelRatio || 1;
  ctx.font = `${12 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  for (const p of model.players.values()) {
    const at = model.drawPosition(p.pid, now);
    if (at === undefined) continue;
    const mine = p.pid === you;
    const flash = now - p.taggedAt < FLASH_MS;
    ctx.fillStyle = flash ? '#ffffff' : COLORS[p.pid % COLORS.length]!;
    ctx.beginPath();
    ctx.arc(at.x * s, at.y * s, RADIUS * dpr, 0, Math.PI * 2);
    ctx.fill();
    if (mine) {
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 3 * dpr;
      ctx.stroke();
      ctx.lineWidth = 1;
    }
    ctx.fillStyle = mine ? '#ffffff' : '#c9ccd6';
    ctx.fillText(`${p.name} · ${p.score}`, at.x * s, at.y * s - (RADIUS + 6) * dpr);
  }
}

/** The player drawn under world point `w` (within its circle plus a margin), other than you. */
export function playerAt(view: View, model: ArenaModel, w: { x: number; y: number }, now: number): number | undefined {
  const reach = ((RADIUS + 6) * (window.devicePixelRatio || 1)) / view.scale;
  let best: number | undefined;
  let bestD = reach;
  for (const p of model.players.values()) {
    if (p.pid === model.you) continue;
    const at = model.drawPosition(p.pid, now);
    if (at === undefined) continue;
    const d = Math.hypot(at.x - w.x, at.y - w.y);
    if (d <= bestD) {
      bestD = d;
      best = p.pid;
    }
  }
  return best;
}
