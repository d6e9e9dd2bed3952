// The little LaTeX a figure's caption holds, as plain Unicode text: for a standalone SVG file, where no
// math renderer runs (σ₁₂, ∂L/∂x̃₂₃, K⁽¹˒²⁾).
const GREEK: Record<string, string> = { sigma: 'σ', delta: 'δ', nu: 'ν', eta: 'η', theta: 'θ', star: '⋆', cdot: '·', partial: '∂', odot: '⊙', times: '×', uparrow: '↑' };
const SUB: Record<string, string> = { 0: '₀', 1: '₁', 2: '₂', 3: '₃', 4: '₄', 5: '₅', 6: '₆', 7: '₇', 8: '₈', 9: '₉', ',': ',', '(': '₍', ')': '₎', '+': '₊', '-': '₋', a: 'ₐ', e: 'ₑ', h: 'ₕ', i: 'ᵢ', j: 'ⱼ', k: 'ₖ', l: 'ₗ', m: 'ₘ', n: 'ₙ', o: 'ₒ', p: 'ₚ', r: 'ᵣ', s: 'ₛ', t: 'ₜ', u: 'ᵤ', v: 'ᵥ', x: 'ₓ' };
const SUP: Record<string, string> = { 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹', ',': '˒', '(': '⁽', ')': '⁾', '+': '⁺', '-': '⁻', T: 'ᵀ' };

export function texToUnicode(tex: string): string {
  // Colour is dropped; x̃ before the scripts, the scripts before \frac (whose parts then hold no braces).
  let s = tex
    .replace(/\\textcolor\{[^{}]*\}/g, '')
    .replace(/\\(?:operatorname|mathrm|mathsf|text)\s*(?:\{([^{}]*)\}|(\w))/g, '$1$2').replace(/\\tilde\s*\{?([A-Za-z])\}?/g, '$1\u0303');
  s = s.replace(/_\{([^{}]*)\}|_(\w)/g, (_, group: string | undefined, single: string | undefined) => [...(group ?? single ?? '')].map((c) => SUB[c] ?? c).join(''));
  s = s.replace(/\^\{([^{}]*)\}|\^(\w)/g, (_, group: string | undefined, single: string | undefined) => [...(group ?? single ?? '')].map((c) => SUP[c] ?? c).join(''));
  // {x} → x, innermost first, until \frac{a}{b} → a/b can read its parts.
  for (let before = ''; before !== s; ) {
    before = s;
    s = s.replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, '$1/$2').replace(/(?<!\\frac)(?<!\})\{([^{}]*)\}(?!\{)/g, '$1');
  }
  s = s.replace(/\\([a-zA-Z]+)\s*/g, (m, name: string) => GREEK[name] ?? m);
  return s.replace(/[{}]/g, '').replace(/\s+/g, ' ').trim();
}
