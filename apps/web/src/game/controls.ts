import { ARENA } from '@hearth/server/messages';
import type { ArenaModel } from './ArenaModel.ts';
import type { GameLink } from './arenaFeed.ts';

/** Your speed: under the server's limit (`ARENA.maxSpeed`), so a held key is never refused. */
const SPEED = ARENA.maxSpeed * 0.9;
/** Moves sent per second at most (the room's tick rate is 20 Hz). */
const SEND_EVERY_MS = 50;

const KEYS: Readonly<Record<string, readonly [number, number]>> = {
  KeyW: [0, -1],
  ArrowUp: [0, -1],
  KeyS: [0, 1],
  ArrowDown: [0, 1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};

/**
 * WASD / arrow keys move you: the position advances locally every frame (drawn at once) and is
 * sent as `move` at most every {@link SEND_EVERY_MS}. Keys typed into a text field are not moves.
 */
export class Controls {
  readonly #held = new Set<string>();
  #lastSent = { x: NaN, y: NaN, at: -Infinity };

  constructor(target: Window) {
    target.addEventListener('keydown', (e) => {
      if (KEYS[e.code] === undefined || isTyping(e.target)) return;
      this.#held.add(e.code);
      e.preventDefault();
    });
    target.addEventListener('keyup', (e) => this.#held.delete(e.code));
    target.addEventListener('blur', () => this.#held.clear());
  }

  /** Advances your position by `dtMs` of held keys and sends it when due. */
  step(model: ArenaModel, link: GameLink | undefined, dtMs: number, now: number): void {
    const self = model.self;
    if (self === undefined || link === undefined) return;
    let dx = 0;
    let dy = 0;
    for (const code of this.#held) {
      dx += KEYS[code]![0];
      dy += KEYS[code]![1];
    }
    if (dx !== 0 || dy !== 0) {
      const len = Math.hypot(dx, dy);
      const d = (SPEED * Math.min(dtMs, 100)) / 1000;
      self.x = clamp(self.x + (dx / len) * d);
      self.y = clamp(self.y + (dy / len) * d);
    }
    const x = Math.round(self.x);
    const y = Math.round(self.y);
    if ((x !== this.#lastSent.x || y !== this.#lastSent.y) && now - this.#lastSent.at >= SEND_EVERY_MS && model.status.state === 'online') {
      link.move(x, y);
      this.#lastSent = { x, y, at: now };
    }
  }
}

function clamp(v: number): number {
  return Math.max(0, Math.min(ARENA.worldSize, v));
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
}
