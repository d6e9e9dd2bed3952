// Shortcuts for tests: a problem (JSON text or object) to its parsed problem, solution and result document.
import { parseProblemText } from '../../src/problem/parse-problem.js';
import type { Problem } from '../../src/problem/problem.js';
import { formatDiagnostic } from '../../src/problem/problem.js';
import { resultDocument } from '../../src/result/result-document.js';
import { solve } from '../../src/trajectory/train.js';

export function problemOf(source: string | object): Problem {
  const parsed = parseProblemText(typeof source === 'string' ? source : JSON.stringify(source));
  if (!parsed.ok) throw new Error(`test problem is not valid: ${parsed.errors.map(formatDiagnostic).join('; ')}`);
  return parsed.problem;
}

export function solutionOf(source: string | object) {
  return solve(problemOf(source));
}

export function resultOf(source: string | object) {
  return resultDocument(solutionOf(source));
}
