// How the derivation names conv2d's entries (x, k, b, and the maps of the output's shape) and σ
// written out as a sum of products of those symbols.
import { addAll, mul, sym, type Expr, type Sym } from '../../expr/expr.js';
import { channelsPerGroup, inputChannel, paddedSource, tap, type ConvGeometry } from './geometry.js';

/** How the derivation names entries: which indices it writes as superscripts (only those that vary). */
export interface Naming {
  /** x^{(n,c)}: show the batch index, the channel index. */
  readonly input: { readonly batch: boolean; readonly channel: boolean };
  /** k^{(o,c)} */
  readonly kernel: { readonly out: boolean; readonly channel: boolean };
  /** σ^{(n,o)} */
  readonly output: { readonly batch: boolean; readonly channel: boolean };
}

export function namingFor(g: ConvGeometry): Naming {
  const batch = g.batch > 1;
  return {
    input: { batch, channel: g.inChannels > 1 },
    kernel: { out: g.outChannels > 1, channel: channelsPerGroup(g) > 1 },
    output: { batch, channel: g.outChannels > 1 },
  };
}

const pick = (parts: [boolean, number][]) => parts.filter(([shown]) => shown).map(([, index]) => index + 1);

export function inputSym(naming: Naming, n: number, c: number, i: number, j: number): Sym {
  return sym('x', [i + 1, j + 1], pick([[naming.input.batch, n], [naming.input.channel, c]]));
}

export function kernelSym(naming: Naming, o: number, c: number, m: number, q: number): Sym {
  return sym('k', [m + 1, q + 1], pick([[naming.kernel.out, o], [naming.kernel.channel, c]]));
}

export function biasSym(naming: Naming, o: number): Sym {
  return naming.kernel.out ? sym('b', [o + 1]) : sym('b', []);
}

/** Names of a map of the output's shape (σ, a, p, δ, y, t): σ^{(n,o)}_{ij}. */
export function outputSym(name: 'sigma' | 'delta' | 'a' | 'p' | 'y' | 't', naming: Naming, n: number, o: number, i: number, j: number): Sym {
  return sym(name, [i + 1, j + 1], pick([[naming.output.batch, n], [naming.output.channel, o]]));
}

/** The symbols of one problem, each made once and shared by every expression that names it. */
export interface Symbols {
  input(n: number, c: number, i: number, j: number): Sym;
  kernel(o: number, c: number, m: number, q: number): Sym;
}

export function symbolsFor(g: ConvGeometry, naming: Naming): Symbols {
  const made = new Map<number, Sym>();
  const once = (key: number, make: () => Sym) => {
    let s = made.get(key);
    if (!s) made.set(key, (s = make()));
    return s;
  };
  const inputs = g.batch * g.inChannels * g.input.rows * g.input.cols;
  return {
    input: (n, c, i, j) => once(((n * g.inChannels + c) * g.input.rows + i) * g.input.cols + j, () => inputSym(naming, n, c, i, j)),
    kernel: (o, c, m, q) => once(inputs + ((o * channelsPerGroup(g) + c) * g.kernel.rows + m) * g.kernel.cols + q, () => kernelSym(naming, o, c, m, q)),
  };
}

/** σ written out: Σ_c Σ_mn k·x (+ b); a kernel entry that falls on zero padding drops out. */
export function sigmaExpr(g: ConvGeometry, naming: Naming, n: number, o: number, i: number, j: number, hasBias: boolean, symbols: Symbols = symbolsFor(g, naming)): Expr {
  const terms: Expr[] = [];
  for (let c = 0; c < channelsPerGroup(g); c++) {
    const channel = inputChannel(g, o, c);
    for (let m = 0; m < g.kernel.rows; m++) {
      for (let q = 0; q < g.kernel.cols; q++) {
        const source = paddedSource(g, ...tap(g, i, j, m, q));
        if (source) terms.push(mul(symbols.kernel(o, c, m, q), symbols.input(n, channel, source[0], source[1])));
      }
    }
  }
  if (hasBias) terms.push(biasSym(naming, o));
  return addAll(terms);
}
