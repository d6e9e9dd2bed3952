// The document's fractions as decimals, exactly: 63/25 → 2.52, 1/3 → 0.\overline{3}; a period too
// long to write is cut after a few digits and marked with \ldots.

/** The longest repeating block written out in full. */
const MAX_PERIOD = 6;
/** Digits after the point shown before \ldots when the period is longer. */
const SHOWN_DIGITS = 6;

/** n/d (n ≥ 0, d > 0) as a decimal in TeX: terminating, repeating with \overline, or cut with \ldots. */
export function fractionAsDecimal(n: bigint, d: bigint): string {
  const whole = n / d;
  let remainder = n % d;
  const digits: string[] = [];
  const seen = new Map<bigint, number>();
  while (remainder !== 0n && !seen.has(remainder) && digits.length < 64) {
    seen.set(remainder, digits.length);
    remainder *= 10n;
    digits.push((remainder / d).toString());
    remainder %= d;
  }
  if (remainder === 0n) return digits.length === 0 ? `${whole}` : `${whole}.${digits.join('')}`;
  const start = seen.get(remainder);
  if (start !== undefined && digits.length - start <= MAX_PERIOD) return `${whole}.${digits.slice(0, start).join('')}\\overline{${digits.slice(start).join('')}}`;
  return `${whole}.${digits.slice(0, SHOWN_DIGITS).join('')}\\ldots`;
}

/** Every \frac{digits}{digits} of a TeX string as a decimal; symbolic fractions stay. */
export function decimalTex(tex: string): string {
  if (!tex.includes('frac{')) return tex;
  return tex.replace(/\\(?:d|t)?frac\{(\d+)\}\{(\d+)\}/g, (_, n: string, d: string) => fractionAsDecimal(BigInt(n), BigInt(d)));
}

/** "63/25", "-1/3", "48" (the result document's exact strings) as a decimal in plain text. */
export function exactAsDecimal(text: string): string {
  const match = /^(-?)(\d+)(?:\/(\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign, n, d] = match;
  const written = fractionAsDecimal(BigInt(n), BigInt(d ?? '1'));
  return sign + written.replace(/\\overline\{(\d+)\}/, (_, p: string) => `${p.replace(/./g, (c) => `${c}\u0305`)}`).replace('\\ldots', '…');
}
