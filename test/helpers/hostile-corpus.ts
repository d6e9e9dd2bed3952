// Problem files an attacker would write, by class: injection into every output format and into the
// PyTorch script, bombs (geometry, steps, pooling windows, expressions, digits), long inputs, deep
// nesting, malformed JSON and fields, __proto__ and friends, Unicode. Each must end in exit 0 or 2,
// quickly, in bounded memory, with no stack trace, nothing written on exit 2, and nothing run.

export interface HostileCase {
  readonly name: string;
  readonly kind: 'injection' | 'bomb' | 'long' | 'malformed' | 'unicode' | 'number';
  /** The file's bytes; a string is written as UTF-8. */
  readonly contents: string | Uint8Array;
  /** Also typeset as PDF (LaTeX injection through the title). */
  readonly pdf?: boolean;
  /** Also turned into a PyTorch script and run (code injection). */
  readonly torch?: boolean;
}

/** A file that creates this marker, if anything in a problem ever runs as code. */
export const MARKER = 'PWNED';

const base = { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, 5]], target: 230 };
const json = (o: unknown) => JSON.stringify(o);
const grid = (rows: number, cols: number, f: (i: number, j: number) => number | string = (i, j) => ((i * 7 + j * 3) % 11) - 5) =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (__, j) => f(i, j)));

/** Code that would create the marker, in the syntax of each language a problem's text could be spliced into. */
const PAYLOADS = [
  `"\n    "#"; __import__('os').system('touch ${MARKER}') #`,
  `'''; import os; os.system("touch ${MARKER}"); '''`,
  `"""); __import__("os").system("touch ${MARKER}"); ("""`,
  `\\"; open('${MARKER}', 'w') #`,
  `\n__import__('os').system('touch ${MARKER}')\n`,
  `\\input{/etc/passwd}\\immediate\\write18{touch ${MARKER}}`,
  `^^5cimmediate^^5cwrite18{touch ${MARKER}}`,
  `$\\catcode\`\\^^M=13 \\def^^M{\\write18{touch ${MARKER}}}$`,
  `</h1><script>fetch('/${MARKER}')</script><img src=x onerror="alert(1)">`,
  `\`\`\`\n# ${MARKER}\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> $\\href{javascript:alert(1)}{x}$`,
  `{{input}} {{data}} %s %d \${process.exit(1)}`,
  `import("os") evaluate("1") x.constructor["constructor"]("return process")()`,
];

const EXPRESSION_PAYLOADS = [
  ...PAYLOADS.map((p) => `x + ${p}`),
  'x + __proto__(2)', 'x + __defineGetter__(2)', 'x + constructor', 'x + toString', 'x + hasOwnProperty(1)', 'x.constructor', 'x["a"]', 'f(x) = x',
  'x = 1', '[1, 2]', '{a: 1}', 'x ? 1 : 2', '1:3', "x'", 'x!', '5 cm', '0x10', '2 x', 'x # comment', 'x + "1\n"', 'x + "\t1"', 'x + "1\u00a0"',
  'x + exp()', 'log(x, 3)', 'exp(2, 3)', 'abs(x, 3)', 'sin(1, 2, 3)', 'import(x)', 'evaluate(x)', 'x @ x', 'x; 1', '(x\n)', 'x + 1e5000', 'x\u2028+ 1',
];

export function hostileCorpus(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (kind: HostileCase['kind'], name: string, contents: string | Uint8Array, extra: Partial<HostileCase> = {}) => cases.push({ kind, name, contents, ...extra });

  // Injection: every payload as an activation, as a loss, and as a title, typeset and scripted.
  EXPRESSION_PAYLOADS.forEach((p, i) => {
    add('injection', `activation expression ${i}`, json({ ...base, activation: { expression: p } }), { torch: true });
    add('injection', `loss expression ${i}`, json({ ...base, loss: { expression: p.replaceAll('x', 'y') } }), { torch: true });
  });
  PAYLOADS.forEach((p, i) => add('injection', `title ${i}`, json({ ...base, title: p.slice(0, 200) }), { torch: true, pdf: i % 3 === 0 }));
  // Field values that reach the outputs as text: every string field with a payload.
  for (const field of ['padding', 'padding_mode', 'activation', 'head', 'loss', 'reduction'] as const) add('injection', `${field} as a payload`, json({ ...base, [field]: PAYLOADS[0] }));
  add('injection', 'optimizer type as a payload', json({ ...base, optimizer: { type: PAYLOADS[1] } }));
  add('injection', 'a payload as a key', json({ ...base, [PAYLOADS[0]]: 1 }));

  // Bombs: geometry, steps, pooling windows, expressions, digits.
  const bombs: [string, object | string][] = [
    ['padding 30000, stride 30000', { input: [[1]], kernel: [[1]], padding: 30000, stride: 30000, target: 1 }],
    ['padding 5000', { input: [[1]], kernel: [[1]], padding: 5000, target: 1 }],
    ['padding 100000, stride 10^6', { input: [[1]], kernel: [[1]], padding: 100000, stride: 1000000, target: 1 }],
    ['dilation 10^6 with padding', { input: [[1, 2], [3, 4]], kernel: [[1, 1], [1, 1]], dilation: 1000000, padding: 1000000, target: 1 }],
    ['dilation 10^6', { ...base, dilation: 1000000 }],
    ['stride 10^6', { ...base, stride: 1000000 }],
    ['stride 10^7', { ...base, stride: 10000000 }],
    ['kernel wider than the input', { input: [[1, 2]], kernel: grid(1, 3), target: 1 }],
    ['reflect padding wider than the input', { ...base, padding: 5, padding_mode: 'reflect' }],
    ['circular padding 10^6', { ...base, padding: 1000000, padding_mode: 'circular' }],
    ['replicate padding 2000', { ...base, padding: 2000, padding_mode: 'replicate' }],
    ['1000 steps of 128×128 with a 5×5 kernel', { input: grid(128, 128), kernel: grid(5, 5), target: 1, steps: 1000, optimizer: { type: 'sgd', lr: 0.0001 } }],
    ['1001 steps', { ...base, steps: 1001 }],
    ['10^9 steps', { ...base, steps: 1000000000 }],
    ['50 steps of 64×64 with momentum', { input: grid(64, 64), kernel: grid(5, 5, (i, j) => `0.${i}${j}`), target: 1, steps: 50, optimizer: { type: 'sgd', lr: '0.001', momentum: 0.9 } }],
    ['average pool of 300×300', { input: grid(302, 302, (i, j) => (i + j) % 3), kernel: [[1, 0], [0, 1]], pool: { type: 'avg', size: 300 }, target: 1 }],
    ['max pool of 300×300', { input: grid(302, 302, (i, j) => (i + j) % 3), kernel: [[1, 0], [0, 1]], pool: { type: 'max', size: 300 }, target: 1 }],
    ['pool 10^6', { ...base, pool: { type: 'max', size: 1000000 } }],
    ['pool stride 1 over 200×200 windows', { input: grid(220, 220), kernel: [[1]], pool: { type: 'avg', size: 200, stride: 1 }, target: 1 }],
    ['x·x·…·x with 14 factors', { ...base, activation: { expression: Array(14).fill('x').join('*') } }],
    ['x + x + … 1000 terms', { ...base, activation: { expression: Array(1000).fill('x').join('+') } }],
    ['sin nested 30 deep', { ...base, activation: { expression: `${'sin('.repeat(30)}x${')'.repeat(30)}` } }],
    ['sin nested 40 deep', { ...base, activation: { expression: `${'sin('.repeat(40)}x${')'.repeat(40)}` } }],
    ['x^x^… 50 high', { ...base, activation: { expression: Array(50).fill('x').join('^') } }],
    ['x^x^… 12 high', { ...base, activation: { expression: Array(12).fill('x').join('^') } }],
    ['loss (y − t)^10000000', { ...base, loss: { expression: '(y - t)^10000000' } }],
    ['x^1000000000', { ...base, activation: { expression: 'x^1000000000' } }],
    ['exp(exp(exp(x)))', { ...base, activation: { expression: 'exp(exp(exp(x)))' } }],
    ['an expression of 3000 terms', { ...base, activation: { expression: Array(3000).fill('x').join(' + ') } }],
    ['an expression of 1 MB', { ...base, activation: { expression: `x${' + 1'.repeat(250000)}` } }],
    ['parentheses 100,000 deep', { ...base, activation: { expression: `${'('.repeat(100000)}x${')'.repeat(100000)}` } }],
    ['one entry 1e-100000', { ...base, target: '1e-100000' }],
    ['one entry 1e999', { ...base, kernel: [[3, 2], [1, '1e999']] }],
    ['a fraction of 10,000 digits', { ...base, bias: `${'7'.repeat(10000)}/${'3'.repeat(9999)}` }],
    ['a number of 10,000 digits as a JSON number', `{"input": [[1, 2], [3, 4]], "kernel": [[${'9'.repeat(10000)}]], "target": 1}`],
    ['1/0', { ...base, target: '1/0' }],
    ['learning rate 1e-100', { ...base, optimizer: { type: 'sgd', lr: '1e-100' } }],
    ['exponent 10^30', { ...base, target: '1e1000000000000000000000000000000' }],
    ['Adam with eps 0 and a zero gradient', { input: [[1, 2], [3, 4]], kernel: [[0]], target: 0, optimizer: { type: 'adam', eps: 0 } }],
    ['x^-1 at 0', { input: [[0, 1]], kernel: [[1]], activation: { expression: 'x^-1' }, target: 1 }],
    ['log at a negative', { input: [[-1, 1]], kernel: [[1]], activation: { expression: 'log(x)' }, target: 1 }],
    ['sqrt at 0 (an infinite slope)', { input: [[0, 1]], kernel: [[1]], activation: { expression: 'sqrt(x)' }, target: 1 }],
    ['a result past 1.8e308', { input: [['1e99', 2]], kernel: [['1e99']], activation: { expression: 'x^4' }, target: 1 }],
    ['bce outside [0, 1]', { ...base, loss: 'bce' }],
    ['dilation 5000 with "same" padding', { ...base, dilation: 5000, padding: 'same' }],
    ['groups 10^6', { ...base, groups: 1000000 }],
    ['a kernel of 500,000 output channels (4 MB)', `{"input": [[[1]]], "kernel": [${Array(500000).fill('[[[1]]]').join(',')}], "target": 1}`],
    ['a kernel of 10^6 output channels (8 MB)', `{"input": [[[1]]], "kernel": [${Array(1000000).fill('[[[1]]]').join(',')}], "target": 1}`],
    ['a bias of 10^6 entries', `{"input": [[1]], "kernel": [[1]], "bias": [${Array(1000000).fill('1').join(',')}], "target": 1}`],
    ['a target map of 10^6 entries', `{"input": [[1]], "kernel": [[1]], "head": "none", "target": [[${Array(1000000).fill('1').join(',')}]]}`],
    ['stride [1, 10^6]', { ...base, stride: [1, 1000000] }],
    ['padding [10^6, 0]', { ...base, padding: [1000000, 0] }],
    ['negative padding', { ...base, padding: [-1, -1] }],
    ['steps 10^100', { ...base, steps: '1e100' }],
    ['lr 10^99', { ...base, optimizer: { type: 'sgd', lr: '1e99' }, steps: 50 }],
    ['momentum 10^99 over 1000 steps', { ...base, optimizer: { type: 'sgd', momentum: '1e99' }, steps: 1000 }],
    ['negative_slope 10^99 with leaky relu', { ...base, activation: 'leaky_relu', negative_slope: '-1e99', bias: -1000 }],
    ['an expression that doubles its digits each step', { input: grid(16, 16, (i, j) => `${i - j}/7`), kernel: grid(3, 3, (i, j) => `${i + j}/11`), activation: { expression: 'x^2 / (1 + x^2)' }, target: 1, steps: 100, optimizer: { type: 'sgd', lr: '1/3', momentum: '1/2' } }],
    ['1600 fractions with distinct 100-digit denominators (S over their lcm: 528,000 bits)', { input: grid(40, 40, (i, j) => `1/${10n ** 99n + BigInt(2 * (40 * i + j) + 1)}`), kernel: [[1, 2], [3, 4]], target: 1, steps: 3 }],
    ['4×512×512 input, 64×4×9×9 kernel', `{"input": [${Array(4).fill(json(grid(512, 512, () => 1))).join(',')}], "kernel": ${json(Array.from({ length: 64 }, () => Array.from({ length: 4 }, () => grid(9, 9, () => 1))))}, "target": 1}`],
  ];
  for (const [name, problem] of bombs) add('bomb', name, typeof problem === 'string' ? problem : json(problem));

  // Long inputs and deep nesting.
  add('long', '1×200,000 input with a bias', json({ input: [Array.from({ length: 200000 }, (_, j) => j % 5)], kernel: [[1, 2]], bias: 1, target: 1 }));
  add('long', '360×360 input with a bias', json({ input: grid(360, 360), kernel: grid(3, 3), bias: 1, target: 1 }));
  add('long', 'JSON nested 70 deep', `{"input": ${'['.repeat(70)}1${']'.repeat(70)}, "kernel": [[1]], "target": 1}`);
  add('long', 'JSON nested 100,000 deep', `${'['.repeat(100000)}${']'.repeat(100000)}`);
  add('long', 'objects nested 10,000 deep', `${'{"a":'.repeat(10000)}1${'}'.repeat(10000)}`);
  add('long', 'a 9 MB file', json({ ...base, title: 'x', pad: ' '.repeat(9 * 1024 * 1024) }));
  add('long', 'a title of 10,000 characters', json({ ...base, title: 'x'.repeat(10000) }));
  add('long', '100,000 unknown keys', `{${Array.from({ length: 100000 }, (_, i) => `"k${i}": 1`).join(',')}}`);
  add('long', 'a 5-D input', json({ ...base, input: [[[[[1]]]]] }));
  add('long', 'a ragged input', json({ ...base, input: [[1, 2, 3], [4, 5], [7, 8, 9]] }));
  add('long', 'an input of empty rows', json({ ...base, input: [[], []] }));
  add('long', 'an empty input', json({ ...base, input: [] }));

  // Malformed JSON and fields.
  const texts = ['', ' ', '{', '}', '[', 'null', '1', '"problem"', '[1, 2]', '{"input": }', '{"input": [[1]],}', "{'input': 1}", '{"input": [[1]] "kernel": 1}',
    '{"input": NaN}', '{"input": [[Infinity]]}', '{"input": [[-Infinity]]}', '{"input": [[1e]]}', '{"input": [[01]]}', '{"input": [[.5]]}', '{"input": [[1.]]}',
    '{"input": [[0x10]]}', '{"a": "\\u12"}', '{"a": "\\x41"}', '{"a": "raw\ttab"}', '/* comment */ {}', '{"input": [[1]]} // comment', '{"input": [[1]]} {}',
    `{"input": [[1]], "input": [[2]], "kernel": [[1]], "target": 1}`, '\ufeff{"input": [[1]], "kernel": [[1]], "target": 1}',
    '{"\\ud800": 1}', '{"input": [[1e400]], "kernel": [[1]], "target": 1}', '{"input": [[-0]], "kernel": [[-0.0]], "target": -0}', '\ufeff\ufeff{}', 'true', 'false', '[]', '{}',
    `{"${'k'.repeat(100000)}": 1}`, '{"input": [[1]], "kernel": [[1]], "target": 1, "title": "\\u0000"}'];
  texts.forEach((t, i) => add('malformed', `text ${i}: ${JSON.stringify(t.slice(0, 30))}`, t));
  const fields: [string, object][] = [
    ['__proto__ key', JSON.parse(`{"__proto__": {"polluted": 1}, "input": [[1]], "kernel": [[1]], "target": 1}`)],
    ['constructor key', { ...base, constructor: { prototype: { polluted: 1 } } }],
    ['prototype key', { ...base, prototype: 1 }],
    ['__proto__ in the optimizer', { ...base, optimizer: JSON.parse('{"type": "sgd", "__proto__": {"lr": 1}}') }],
    ['__proto__ in the pool', { ...base, pool: JSON.parse('{"type": "max", "size": 2, "__proto__": {"stride": 1}}') }],
    ['__proto__ as the activation', { ...base, activation: '__proto__' }],
    ['toString as the loss', { ...base, loss: 'toString' }],
    ['hasOwnProperty as the head', { ...base, head: 'hasOwnProperty' }],
    ['constructor as the optimizer type', { ...base, optimizer: { type: 'constructor' } }],
    ['valueOf as the padding mode', { ...base, padding_mode: 'valueOf' }],
    ['kernel of strings', { ...base, kernel: [['a', 'b'], ['c', 'd']] }],
    ['kernel of booleans', { ...base, kernel: [[true, false], [null, 1]] }],
    ['kernel of objects', { ...base, kernel: [[{}, []], [1, 1]] }],
    ['target an object', { ...base, target: { value: 1 } }],
    ['steps 0', { ...base, steps: 0 }],
    ['steps -1', { ...base, steps: -1 }],
    ['steps 1.5', { ...base, steps: 1.5 }],
    ['steps "2"', { ...base, steps: '2' }],
    ['stride 0', { ...base, stride: 0 }],
    ['stride [1, 2, 3]', { ...base, stride: [1, 2, 3] }],
    ['padding -1', { ...base, padding: -1 }],
    ['padding "same" with stride 2', { ...base, padding: 'same', stride: 2 }],
    ['groups 0', { ...base, groups: 0 }],
    ['groups 3 of 1 channel', { ...base, groups: 3 }],
    ['lr negative', { ...base, optimizer: { type: 'sgd', lr: -1 } }],
    ['betas of 3', { ...base, optimizer: { type: 'adam', betas: [0.9, 0.9, 0.9] } }],
    ['beta 1', { ...base, optimizer: { type: 'adam', betas: [1, 0.9] } }],
    ['nesterov without momentum', { ...base, optimizer: { type: 'sgd', nesterov: true } }],
    ['an unknown optimizer setting', { ...base, optimizer: { type: 'sgd', momentun: 0.9 } }],
    ['title a number', { ...base, title: 1 }],
    ['bias of the wrong length', { ...base, bias: [1, 2] }],
    ['target map of the wrong shape', { ...base, head: 'none', target: [[1]] }],
    ['every field wrong', { input: 1, kernel: 'k', bias: {}, stride: 'a', padding: {}, padding_mode: 1, dilation: [], groups: 'g', activation: 7, negative_slope: 'x', pool: 3, head: 0, loss: [], beta: 'b', delta: -1, reduction: 'max', target: [], optimizer: 'adam', steps: {} }],
  ];
  for (const [name, problem] of fields) add('malformed', name, json(problem));
  add('malformed', 'bytes that are not UTF-8', new Uint8Array([0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
  add('malformed', 'UTF-16 with a byte-order mark', new Uint8Array([0xff, 0xfe, ...Array.from(json(base)).flatMap((c) => [c.charCodeAt(0), 0])]));
  add('malformed', 'a NUL byte in the JSON', `{"input": [[1]],\u0000 "kernel": [[1]], "target": 1}`);

  // Unicode: titles in every script (typeset), and what a title or a number may not hold.
  const titles = ['Ω and ∑ over σ', '卷积层的反向传播', 'Emoji 😀 🚀 ✅', 'zero\u200bwidth\u200d\ufeff', 'עברית and العربية', '\u202eevil\u202c override', 'combining e\u0301\u0308', 'Ελληνικά Кириллица',
    '𝔽𝕣𝕒𝕜𝕥𝕦𝕣 𝟙𝟚𝟛', 'ﷺ ﷽', 'tab\there and\nnewline', 'ﬁ ligature ½ ™ ©', 'ภาษาไทย', 'हिन्दी', '한국어 カタカナ', 'Հայերեն ქართული', '𝄞 ♩ ♪', '👨‍👩‍👧 family', '⟨x, y⟩ ∀∃ ≤ ≥', 'Łódź Čeština Ærø'];
  titles.forEach((t) => add('unicode', `title ${JSON.stringify(t)}`, json({ ...base, title: t }), { pdf: true }));
  for (const [name, title] of [['an ANSI escape', '\u001b[31mred\u001b[0m'], ['a NUL', 'a\u0000b'], ['a lone surrogate', 'a\ud800b'], ['a bell', 'a\u0007'], ['DEL', 'a\u007f'], ['a C1 control', 'a\u0085b']]) {
    add('unicode', `title with ${name}`, json({ ...base, title }));
  }
  const numbers = ['١', '１', ' 1', '1 ', '1\n', '\t1', '1\u00a0', '\u20281', '\ufeff1', '+1', '--1', '1/-2', '1/0', '3/4/5', '1e', '.', '-', 'e5', '½', 'Infinity', 'NaN', '0x10', '1_000', '1,5', '∞'];
  numbers.forEach((n) => add('number', `the number ${JSON.stringify(n)}`, json({ ...base, target: n })));
  add('number', 'numbers written every way', json({ input: [['1', '-2.5', '1e-3', '1/3'], ['.5', '0.01', '-0', '7/8']], kernel: [['3E2', '2e+1']], target: '1e-50' }));
  return cases;
}
