// convgrad's library API: read a problem, solve it exactly, derive it step by step, render it.
export { parseAnyProblemText, parseProblem, parseProblemText, type AnyParseResult } from './problem/parse-problem.js';
export { formatDiagnostic, type Diagnostic, type ParseResult, type Problem } from './problem/problem.js';
export { SEED_PROBLEM_SOURCE } from './problem/seed.js';
export { solve, type Solution, type TrainingStep } from './trajectory/train.js';
export { derive } from './derivation/derive.js';
// Networks of layers (the problem's `layers`).
export type { Layer, NetworkProblem } from './problem/network.js';
export { solveNetwork, type NetworkSolution } from './trajectory/train-network.js';
export { deriveNetwork } from './derivation/network/derive-network.js';
export { networkResultDocument, networkResultJson, type NetworkResultDocument } from './result/network-document.js';
export { networkDerivationRefusal, networkRefusals } from './model/network-workload.js';
export type { Derivation, Section, Step, Block, Chain, EntryRef, RuleId } from './derivation/step.js';
export { resultDocument, resultJson, type ResultDocument } from './result/result-document.js';
export { renderTex } from './render/tex.js';
export { htmlStyles, renderHtml, renderHtmlMain, renderHtmlMainParts } from './render/html.js';
export { markdownFigures, renderMarkdown } from './render/markdown.js';
export { renderAll, renderNetworkAll, FORMATS, type Format, type Rendered } from './render/render-all.js';
export type { Language } from './strings/strings.js';
export type { Rational } from './numbers/rational.js';
// For the playground (web/), which checks a problem as the command line does before any work.
export { refusals, derivationRefusal } from './model/workload.js';
export { ProblemError } from './problem/problem-error.js';
export { firstNonFinite, nonFiniteMessage } from './result/result-document.js';
export { DETAILS, type Detail } from './derivation/elide.js';
