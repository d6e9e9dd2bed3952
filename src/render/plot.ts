// The one chart convgrad draws (the loss over the steps), laid out once for SVG and TikZ alike.

export interface PlotLayout {
  /** Points in the frame [0, width] × [0, height], y upwards. */
  readonly points: readonly (readonly [number, number])[];
  readonly xTicks: readonly { readonly at: number; readonly label: string }[];
  readonly yTicks: readonly { readonly at: number; readonly label: string }[];
}

/** Short, deterministic tick labels: up to 4 significant digits. */
export function tickLabel(value: number): string {
  if (value === 0) return '0';
  const text = Number(value.toPrecision(4)).toString();
  return text.includes('e') ? value.toExponential(2) : text;
}

export function plotLayout(x: readonly number[], y: readonly number[], width: number, height: number): PlotLayout {
  const range = (v: readonly number[]) => v.reduce(([lo, hi], a) => [Math.min(lo, a), Math.max(hi, a)], [Infinity, -Infinity]);
  const [[x0, x1], [y0, y1]] = [range(x), range(y)];
  const sx = (v: number) => (x1 === x0 ? width / 2 : ((v - x0) / (x1 - x0)) * width);
  const sy = (v: number) => (y1 === y0 ? height / 2 : ((v - y0) / (y1 - y0)) * height);
  const round = (v: number) => Math.round(v * 100) / 100;
  const xs = x.length <= 10 ? x : [x0, Math.round((x0 + x1) / 2), x1];
  return {
    points: x.map((v, i) => [round(sx(v)), round(sy(y[i]))] as const),
    xTicks: xs.map((v) => ({ at: round(sx(v)), label: tickLabel(v) })),
    yTicks: (y1 === y0 ? [y0] : [y0, y1]).map((v) => ({ at: round(sy(v)), label: tickLabel(v) })),
  };
}
