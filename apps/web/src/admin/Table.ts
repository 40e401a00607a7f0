/** A column: its header and how a row shows in it (text only: values come from players). */
export interface Column<R> {
  readonly title: string;
  readonly cell: (row: R) => string;
}

/** One page as the dashboard API answers it. */
export interface Page<R> {
  readonly total: number;
  readonly rows: readonly R[];
}

const PAGE_SIZE = 15;

/**
 * A table with a search box and previous/next pages, loading each page from `load(q, offset,
 * limit)`; `refresh()` reloads the current page (the dashboard calls it every few seconds).
 */
export class Table<R> {
  readonly #body: HTMLTableSectionElement;
  readonly #info: HTMLElement;
  readonly #prev: HTMLButtonElement;
  readonly #next: HTMLButtonElement;
  #q = '';
  #offset = 0;
  #total = 0;
  #loading: Promise<void> | undefined;
  readonly columns: ReadonlyArray<Column<R>>;
  readonly load: (q: string, offset: number, limit: number) => Promise<Page<R>>;
  readonly onPick: ((row: R) => void) | undefined;

  constructor(
    root: HTMLElement,
    columns: ReadonlyArray<Column<R>>,
    load: (q: string, offset: number, limit: number) => Promise<Page<R>>,
    onPick?: (row: R) => void,
  ) {
    this.columns = columns;
    this.load = load;
    this.onPick = onPick;
    const search = root.querySelector('input')!;
    const table = root.querySelector('table')!;
    this.#info = root.querySelector('.info')!;
    [this.#prev, this.#next] = [...root.querySelectorAll('button')] as [HTMLButtonElement, HTMLButtonElement];
    const head = table.createTHead().insertRow();
    for (const c of columns) head.appendChild(document.createElement('th')).textContent = c.title;
    this.#body = table.createTBody();
    let timer: ReturnType<typeof setTimeout> | undefined;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.#q = search.value.trim();
        this.#offset = 0;
        void this.refresh();
      }, 200);
    });
    this.#prev.addEventListener('click', () => {
      this.#offset = Math.max(0, this.#offset - PAGE_SIZE);
      void this.refresh();
    });
    this.#next.addEventListener('click', () => {
      if (this.#offset + PAGE_SIZE < this.#total) this.#offset += PAGE_SIZE;
      void this.refresh();
    });
  }

  refresh(): Promise<void> {
    return (this.#loading ??= this.#load().finally(() => (this.#loading = undefined)));
  }

  async #load(): Promise<void> {
    const page = await this.load(this.#q, this.#offset, PAGE_SIZE);
    this.#total = page.total;
    if (this.#offset > 0 && this.#offset >= page.total) {
      this.#offset = Math.max(0, Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE);
      return this.#load();
    }
    this.#body.replaceChildren(
      ...page.rows.map((row) => {
        const tr = document.createElement('tr');
        for (const c of this.columns) tr.insertCell().textContent = c.cell(row);
        const pick = this.onPick;
        if (pick !== undefined) tr.addEventListener('click', () => pick(row));
        return tr;
      }),
    );
    const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
    this.#info.textContent = `${page.total} · page ${Math.floor(this.#offset / PAGE_SIZE) + 1} of ${pages}`;
    this.#prev.disabled = this.#offset === 0;
    this.#next.disabled = this.#offset + PAGE_SIZE >= page.total;
  }
}
