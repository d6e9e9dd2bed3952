// The colours that tie a figure to its formulas: the window of σ₁₂ is shaded in the colour σ₁₂'s sum is
// written in. Names that xcolor (dvipsnames), CSS and MathJax all know, so that every format uses the
// same words; dark enough to read as text, distinct in print.
export const PALETTE = ['RoyalBlue', 'OrangeRed', 'ForestGreen', 'DarkOrchid', 'Brown', 'CadetBlue'] as const;

export function colourName(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** LaTeX math in palette colour `index`. */
export function coloured(tex: string, index: number | undefined): string {
  return index === undefined ? tex : `\\textcolor{${colourName(index)}}{${tex}}`;
}
