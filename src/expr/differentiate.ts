// ∂e/∂v by the rules of a first calculus course; the constructors tidy the result.
import { addAll, mul, num, one, pow, sameSymbol, zero, type Expr, type Sym } from './expr.js';

export function differentiate(e: Expr, v: Sym): Expr {
  switch (e.kind) {
    // ∂c/∂v = 0
    case 'num':
      return zero;
    // ∂u/∂v = 1 if u is v, else 0
    case 'sym':
      return sameSymbol(e, v) ? one : zero;
    // ∂(Σ f_i)/∂v = Σ ∂f_i/∂v
    case 'add':
      return addAll(e.terms.map((term) => differentiate(term, v)));
    // ∂(Π f_i)/∂v = Σ_i (∂f_i/∂v) Π_{j≠i} f_j   (product rule), a vanishing ∂f_i/∂v skipped
    case 'mul': {
      const terms: Expr[] = [];
      e.factors.forEach((factor, i) => {
        const d = differentiate(factor, v);
        if (d === zero || (d.kind === 'num' && d.value.equals(0))) return;
        terms.push(mul(...e.factors.slice(0, i), d, ...e.factors.slice(i + 1)));
      });
      return addAll(terms);
    }
    // ∂(f^n)/∂v = n f^(n−1) ∂f/∂v   (power rule, constant n)
    case 'pow':
      return mul(num(e.exponent), pow(e.base, e.exponent.sub(1)), differentiate(e.base, v));
  }
}
