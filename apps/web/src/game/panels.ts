import type { ArenaModel } from './ArenaModel.ts';

/** The page's DOM outside the canvas: status badge, leaderboard, chat list. */
export interface PanelElements {
  status: HTMLElement;
  room: HTMLElement;
  leaderboard: HTMLOListElement;
  chat: HTMLUListElement;
}

/** Redraws the panels when the model's `version` moved (not every frame). */
export class Panels {
  #drawn = -1;
  readonly #el: PanelElements;

  constructor(el: PanelElements) {
    this.#el = el;
  }

  update(model: ArenaModel): void {
    if (model.version === this.#drawn) return;
    this.#drawn = model.version;
    const { status, room, leaderboard, chat } = this.#el;
    status.textContent = model.status.detail;
    status.dataset['state'] = model.status.state;
    const me = model.you === undefined ? undefined : model.players.get(model.you);
    room.textContent = model.room === undefined ? '' : `${model.room} · you are ${me?.name ?? '?'} (#${model.you}) · ${model.players.size} players`;
    leaderboard.replaceChildren(
      ...model.leaderboard.map((e) => {
        const li = document.createElement('li');
        li.textContent = `${e.name} — ${e.score}`;
        return li;
      }),
    );
    const atBottom = chat.scrollTop + chat.clientHeight >= chat.scrollHeight - 4;
    chat.replaceChildren(
      ...model.chat.map((c) => {
        const li = document.createElement('li');
        if (c.system) {
          li.className = 'system';
          li.textContent = c.text;
        } else {
          const who = document.createElement('b');
          who.textContent = `${c.name}: `;
          li.append(who, c.text); // text, never HTML: chat lines come from other players
        }
        return li;
      }),
    );
    if (atBottom) chat.scrollTop = chat.scrollHeight;
  }
}
