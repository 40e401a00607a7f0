/** One line of a chart. */
export interface Series {
  readonly values: ReadonlyArray<number | null>;
  readonly color: string;
}

/**
 * Draws small line charts (sparklines) on a canvas: every series over the same x axis (one point
 * per sample, newest at the right) and a shared y axis from 0 to the largest value.
 */
export function sparkline(canvas: HTMLCanvasElement, series: readonly Series[], capacity: number): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.floor(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.floor(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  ctx.clearRect(0, 0, w, h);
  let max = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > max) max = v;
  if (max === 0) max = 1;
  const pad = 2 * dpr;
  const step = (w - 2 * pad) / Math.max(1, capacity - 1);
  ctx.lineWidth = 1.5 * dpr;
  for (const s of series) {
    const offset = capacity - s.values.length;
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      const x = pad + (offset + i) * step;
      const y = h - pad - ((h - 2 * pad) * v) / max;
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
    });
    ctx.stroke();
  }
}
