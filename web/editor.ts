// The problem editor: the tensors as grids, the layer's settings, activation, pooling, head, loss,
// target and optimizer as controls under PyTorch's names and defaults, and the raw problem file; for a
// network, its layers as cards that are added, moved, removed and edited. It edits the problem's JSON
// in place and says so; app.ts re-derives.
import { h, type Child } from './dom.js';
import { as4d, depth, isObject, pair, problemText, shapeOf, type Json, type ProblemJson } from './problem-json.js';
import { predictionShape } from './geometry.js';
import { asNetwork, fitNetwork, LAYER_TYPES, networkShapes, newLayer, refit, type Shape } from './network-shapes.js';
import { isNetwork } from './network-view.js';
import { ui, type UiKey, type UiLanguage } from './ui-strings.js';

export interface EditorHost {
  readonly language: () => UiLanguage;
  /** The problem the controls show, or none when the raw text is not a JSON object. */
  readonly problem: () => ProblemJson | undefined;
  /** The problem was changed in place; structural: the controls must be rebuilt (a shape or a choice changed). */
  readonly changed: (structural: boolean) => void;
  /** The raw text was edited. */
  readonly rawEdited: (text: string) => void;
}

/** A phone or a narrow window, where the editor sits above the document and starts folded. */
const narrow = () => typeof matchMedia === 'function' && matchMedia('(max-width: 62rem)').matches;

export interface Shown {
  readonly path: string;
  readonly text: string;
}

/** A number as the file writes it: a JSON number where that keeps every digit, else the text ("1/3", "1e-40", "a"). */
export function literal(text: string): Json | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(t) && String(Number(t)) === t) return Number(t);
  return t;
}

const shown = (value: Json | undefined): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

const zeros = (rows: number, cols: number): Json[][] => Array.from({ length: rows }, () => Array.from({ length: cols }, () => 0));

function zerosShaped(shape: readonly number[]): Json {
  return shape.length === 0 ? 0 : Array.from({ length: shape[0] }, () => zerosShaped(shape.slice(1)));
}


/** The most entries a tensor is shown with as grids of cells; a larger one is edited in the raw JSON (a page of a million inputs would freeze). */
const MOST_CELLS = 4096;

/** The most layers shown as cards: a network may have 64 (problem-format.md); a link with thousands would freeze the page. */
const MOST_LAYERS = 64;

/** The cells of a tensor, counted along its first entries. */
const cellCount = (value: Json | undefined) => shapeOf(value).reduce((a, b) => a * b, 1);

/** A layer's settings side by side, as many to a line as fit. */
const settings = (...fields: HTMLElement[]) => h('div', { class: 'layer-settings' }, fields);

/** A layer's groups (1 when not given). */
const groupsOf = (layer: Holder) => (typeof layer.groups === 'number' && layer.groups > 0 ? layer.groups : 1);

/** The entries a layer's bias has: a conv's output channels, a transposed conv's (C_out/groups)·groups, a linear layer's outputs. */
function layerChannels(layer: Holder, type: 'conv2d' | 'conv_transpose2d' | 'linear'): number {
  const outer = layer[type === 'linear' ? 'weight' : 'kernel'];
  if (!Array.isArray(outer)) return 1;
  if (type !== 'conv_transpose2d') return outer.length;
  return (Array.isArray(outer[0]) ? outer[0].length : 1) * groupsOf(layer);
}

const OPTIMIZERS: Record<string, [string, Json][]> = {
  sgd: [['lr', 0.01], ['momentum', 0], ['dampening', 0], ['nesterov', false], ['weight_decay', 0]],
  adam: [['lr', 0.001], ['betas', [0.9, 0.999]], ['eps', 1e-8], ['weight_decay', 0], ['amsgrad', false]],
  adamw: [['lr', 0.001], ['betas', [0.9, 0.999]], ['eps', 1e-8], ['weight_decay', 0.01], ['amsgrad', false]],
  rmsprop: [['lr', 0.01], ['alpha', 0.99], ['eps', 1e-8], ['momentum', 0], ['centered', false], ['weight_decay', 0]],
  adagrad: [['lr', 0.01], ['lr_decay', 0], ['weight_decay', 0], ['initial_accumulator_value', 0], ['eps', 1e-10]],
};

/** Whether a message's path is the field's or inside it: "layers[2].kernel[0][1]" is inside "layers[2].kernel". */
const within = (path: string, field: string) => path === field || path.startsWith(`${field}[`) || path.startsWith(`${field}.`);

type Holder = { [key: string]: Json };
const shapeText = (shape: Shape | undefined) => (shape ? shape.join('×') : '?');

export class Editor {
  readonly element: HTMLElement;
  private readonly form: HTMLElement;
  private readonly raw: HTMLTextAreaElement;
  private readonly rawMessages: HTMLElement;
  private messages = new Map<string, HTMLElement>();

  constructor(private readonly host: EditorHost) {
    this.form = h('div', { class: 'controls' });
    this.raw = h('textarea', { id: 'raw', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', rows: 14, 'aria-label': 'problem JSON', oninput: () => this.host.rawEdited(this.raw.value) });
    this.rawMessages = h('div', { class: 'messages', 'data-messages': 'raw' });
    this.element = h('div', { class: 'editor' }, this.form);
    this.rawBox = h('details', { class: 'raw', open: !narrow() }, h('summary', {}, ''), h('p', { class: 'note' }), this.raw, this.rawMessages);
    this.element.append(this.rawBox);
  }

  private readonly rawBox: HTMLDetailsElement;

  get rawText(): string {
    return this.raw.value;
  }

  /** The raw text, unless the reader is typing in it. */
  setRaw(text: string, force = false): void {
    if (force || document.activeElement !== this.raw) this.raw.value = text;
  }

  private t(key: UiKey): string {
    return ui(this.host.language(), key);
  }

  /** Builds every control again from the problem. */
  render(): void {
    this.messages = new Map();
    (this.rawBox.querySelector('summary') as HTMLElement).textContent = this.t('editor.raw');
    (this.rawBox.querySelector('.note') as HTMLElement).textContent = this.t('editor.raw-note');
    const problem = this.host.problem();
    if (!problem) {
      this.form.replaceChildren();
      return;
    }
    const focused = document.activeElement instanceof HTMLElement && this.form.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
    if (isNetwork(problem)) this.renderNetwork(problem);
    else this.renderLayer(problem);
    if (focused) (this.form.querySelector(`[data-key="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus();
  }

  /** The single layer's controls. */
  private renderLayer(problem: ProblemJson): void {
    this.form.replaceChildren(
      this.group('editor.tensors', [this.tensor(problem, 'input'), this.tensor(problem, 'kernel'), this.bias(problem)]),
      this.group('editor.layer', [
        this.pairControl(problem, 'stride', 1),
        this.padding(problem),
        this.select(problem, 'padding_mode', ['zeros', 'reflect', 'replicate', 'circular'], 'zeros'),
        this.pairControl(problem, 'dilation', 1),
        this.numberControl(problem, 'groups', 1),
      ]),
      this.group('editor.after', [this.activation(problem), this.pool(problem)]),
      this.group('editor.loss', [this.head(problem), this.loss(problem), this.select(problem, 'reduction', ['mean', 'sum'], 'mean'), this.target(problem)]),
      this.group('editor.optimizer', [this.optimizer(problem), this.numberControl(problem, 'steps', 1)]),
      this.group(undefined, [this.title(problem), this.toNetwork(problem)]),
    );
  }

  /** A network's controls: the input, the layers as cards, then the head, loss, target and optimizer as for one layer. */
  private renderNetwork(problem: ProblemJson): void {
    this.form.replaceChildren(
      this.group('editor.tensors', [this.tensor(problem, 'input')]),
      this.group('editor.layers', [this.layers(problem)]),
      this.group('editor.loss', [this.head(problem), this.loss(problem), this.select(problem, 'reduction', ['mean', 'sum'], 'mean'), this.target(problem)]),
      this.group('editor.optimizer', [this.optimizer(problem), this.numberControl(problem, 'steps', 1)]),
      this.group(undefined, [this.title(problem)]),
    );
  }

  /** Brings the first message into view (its group opened): the editor may have scrolled it away. */
  revealMessage(): void {
    const message = this.element.querySelector('.message');
    const group = message?.closest('details');
    if (group) group.open = true;
    message?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }

  /** Each message beside its field (its cell marked); the rest beside the raw JSON. */
  showMessages(messages: readonly Shown[]): void {
    for (const box of [...this.messages.values(), this.rawMessages]) box.replaceChildren();
    for (const marked of this.element.querySelectorAll('.invalid')) marked.classList.remove('invalid');
    for (const m of messages) {
      // The innermost control that holds the path; a message no control holds goes beside the raw JSON.
      const field = [...this.messages.keys()].filter((f) => within(m.path, f)).sort((a, b) => b.length - a.length)[0];
      const box = (field && this.messages.get(field)) || this.rawMessages;
      box.append(h('p', { class: 'message', role: 'alert' }, m.text));
      const cell = this.element.querySelector(`[data-path="${CSS.escape(m.path)}"]`);
      (cell ?? box.parentElement)?.classList.add('invalid');
      if (!field || !this.messages.get(field)) this.rawBox.open = true;
    }
  }

  /** Which groups the reader opened or closed; on a narrow screen only the tensors start open. */
  private readonly opened = new Map<string, boolean>();

  private group(title: UiKey | undefined, children: Child[]): HTMLElement {
    if (!title) return h('div', { class: 'group' }, ...children);
    const open = this.opened.get(title) ?? (title === 'editor.tensors' || !narrow());
    const details = h('details', { class: 'group', open }, h('summary', {}, this.t(title)), ...children);
    details.addEventListener('toggle', () => this.opened.set(title, details.open));
    return details;
  }

  private field(name: string, label: string, control: Child | Child[], extra: Child = null): HTMLElement {
    const messages = h('div', { class: 'messages', 'data-messages': name });
    this.messages.set(name, messages);
    return h('div', { class: 'field', 'data-field': name }, h('label', { class: 'name' }, label), h('div', { class: 'control' }, ...(Array.isArray(control) ? control : [control]), extra), messages);
  }

  private input(key: string, value: Json | undefined, placeholder: string, set: (value: Json | undefined) => void, size = 6, structural = false): HTMLInputElement {
    return h('input', {
      type: 'text',
      inputmode: 'decimal',
      size,
      value: shown(value),
      placeholder,
      'data-key': key,
      'aria-label': key,
      oninput: (e: Event) => {
        set(literal((e.target as HTMLInputElement).value));
        this.host.changed(structural);
      },
    });
  }

  private numberControl(problem: ProblemJson, key: string, fallback: Json, target: Holder = problem, name = key): HTMLElement {
    return this.field(name, key, this.input(name, target[key], shown(fallback), (v) => (v === undefined ? delete target[key] : (target[key] = v)), 4));
  }

  private pairControl(problem: ProblemJson, key: string, fallback: number, target: ProblemJson = problem, name = key): HTMLElement {
    const value = target[key];
    const [a, b] = value === undefined ? [undefined, undefined] : Array.isArray(value) ? [value[0], value[1]] : [value, value];
    const inputs = [0, 1].map((k) =>
      this.input(`${name}.${k}`, k === 0 ? a : b, String(fallback), () => {
        const [x, y] = inputs.map((i) => literal(i.value));
        if (x === undefined && y === undefined) delete target[key];
        else target[key] = shown(x ?? fallback) === shown(y ?? fallback) ? (x ?? fallback) : [x ?? fallback, y ?? fallback];
      }, 3),
    );
    return this.field(name, key, [inputs[0], h('span', { class: 'times' }, '×'), inputs[1]]);
  }

  private select(problem: ProblemJson, key: string, options: readonly string[], fallback: string, onChange?: (value: string) => void, target: ProblemJson = problem, name = key, current?: string): HTMLElement {
    const value = current ?? (typeof target[key] === 'string' ? (target[key] as string) : fallback);
    const choices = options.includes(value) ? options : [...options, value];
    const select = h(
      'select',
      {
        'data-key': name,
        'aria-label': name,
        onchange: () => {
          if (onChange) onChange(select.value);
          else if (select.value === fallback) delete target[key];
          else target[key] = select.value;
          this.host.changed(true);
        },
      },
      choices.map((o) => h('option', { value: o, selected: o === value }, o === fallback ? `${o} (${this.t('default')})` : o)),
    );
    return this.field(name, key, select);
  }

  private title(problem: ProblemJson): HTMLElement {
    const input = h('input', {
      type: 'text',
      class: 'wide',
      value: typeof problem.title === 'string' ? problem.title : '',
      'data-key': 'title',
      'aria-label': 'title',
      oninput: () => {
        if (input.value === '') delete problem.title;
        else problem.title = input.value;
        this.host.changed(false);
      },
    });
    return this.field('title', this.t('editor.title'), input);
  }

  /** padding: an int or a pair, or "valid" or "same" (Conv2d's strings). */
  private padding(problem: ProblemJson, target: Holder = problem, name = 'padding'): HTMLElement {
    const spec = target.padding === 'valid' || target.padding === 'same' ? target.padding : 'number';
    const select = h(
      'select',
      {
        'data-key': `${name}.kind`,
        'aria-label': name,
        onchange: () => {
          if (select.value === 'number') delete target.padding;
          else target.padding = select.value;
          this.host.changed(true);
        },
      },
      ['number', 'valid', 'same'].map((o) => h('option', { value: o, selected: o === spec }, o === 'number' ? 'int' : `"${o}"`)),
    );
    if (spec !== 'number') return this.field(name, 'padding', select);
    const inner = this.pairControl(problem, 'padding', 0, target, name);
    inner.querySelector('.control')!.prepend(select);
    return inner;
  }

  private activation(problem: ProblemJson): HTMLElement {
    const value = problem.activation;
    const kind = value && typeof value === 'object' && !Array.isArray(value) ? 'expression' : typeof value === 'string' ? value : 'none';
    const field = this.select(problem, 'activation', ['none', 'relu', 'sigmoid', 'tanh', 'leaky_relu', 'gelu', 'expression'], 'none', (v) => {
      if (v === 'none') delete problem.activation;
      else problem.activation = v === 'expression' ? { expression: 'x^2/2' } : v;
      if (v !== 'leaky_relu') delete problem.negative_slope;
    }, problem, 'activation', kind);
    if (kind === 'leaky_relu') field.querySelector('.control')!.append(' negative_slope ', this.input('negative_slope', problem.negative_slope, '0.01', (v) => (v === undefined ? delete problem.negative_slope : (problem.negative_slope = v)), 5));
    if (kind === 'expression') field.querySelector('.control')!.append(' f(x) = ', this.expression(value as ProblemJson, 'activation.expression'));
    if (kind === 'leaky_relu') this.messages.set('negative_slope', field.querySelector('.messages') as HTMLElement);
    return field;
  }

  private expression(holder: ProblemJson, key: string): HTMLInputElement {
    const input = h('input', {
      type: 'text',
      class: 'expression',
      value: typeof holder.expression === 'string' ? holder.expression : '',
      'data-key': key,
      'aria-label': key,
      spellcheck: 'false',
      oninput: () => {
        holder.expression = input.value;
        this.host.changed(false);
      },
    });
    return input;
  }

  private pool(problem: ProblemJson): HTMLElement {
    const pool = problem.pool && typeof problem.pool === 'object' && !Array.isArray(problem.pool) ? problem.pool : undefined;
    const kind = pool && typeof pool.type === 'string' ? pool.type : 'none';
    const field = this.select(problem, 'pool', ['none', 'max', 'avg'], 'none', (v) => {
      if (v === 'none') delete problem.pool;
      else problem.pool = { ...(pool ?? { size: 2 }), type: v };
    }, problem, 'pool', kind);
    if (pool) {
      const size = this.pairControl(problem, 'size', 2, pool, 'pool.size');
      const stride = this.pairControl(problem, 'stride', pool.size === undefined ? 2 : pair(pool.size, 2)[0], pool, 'pool.stride');
      size.querySelector('.name')!.textContent = 'size (kernel_size)';
      stride.querySelector('.name')!.textContent = 'stride';
      field.append(h('div', { class: 'sub' }, size, stride));
      this.messages.set('pool', field.querySelector('.messages') as HTMLElement);
    }
    return field;
  }

  private head(problem: ProblemJson): HTMLElement {
    return this.select(problem, 'head', ['sum', 'mean', 'none'], 'sum', (v) => {
      if (v === 'sum') delete problem.head;
      else problem.head = v;
      if (v === 'none') {
        const shape = predictionShape(problem);
        if (shape) problem.target = zerosShaped(shape);
      } else if (Array.isArray(problem.target)) problem.target = 0;
    });
  }

  private loss(problem: ProblemJson): HTMLElement {
    const value = problem.loss;
    const kind = value && typeof value === 'object' && !Array.isArray(value) ? 'expression' : typeof value === 'string' ? value : 'mse';
    // cross_entropy takes the network's [N][classes] prediction (head "none") and N class indices.
    const losses = ['mse', 'l1', 'smooth_l1', 'huber', 'bce', ...(isNetwork(problem) ? ['cross_entropy'] : []), 'expression'];
    const field = this.select(problem, 'loss', losses, 'mse', (v) => {
      if (v === 'mse') delete problem.loss;
      else problem.loss = v === 'expression' ? { expression: '(y - t)^2' } : v;
      if (v !== 'smooth_l1') delete problem.beta;
      if (v !== 'huber') delete problem.delta;
      if (v === 'cross_entropy') problem.head = 'none';
      else if (kind === 'cross_entropy') problem.target = zerosShaped(predictionShape(problem) ?? []);
    }, problem, 'loss', kind);
    const control = field.querySelector('.control')!;
    const messages = field.querySelector('.messages') as HTMLElement;
    if (kind === 'smooth_l1') control.append(' beta ', this.input('beta', problem.beta, '1', (v) => (v === undefined ? delete problem.beta : (problem.beta = v)), 4));
    if (kind === 'huber') control.append(' delta ', this.input('delta', problem.delta, '1', (v) => (v === undefined ? delete problem.delta : (problem.delta = v)), 4));
    if (kind === 'expression') control.append(' l(y, t) = ', this.expression(value as ProblemJson, 'loss.expression'));
    this.messages.set('beta', messages);
    this.messages.set('delta', messages);
    return field;
  }

  private target(problem: ProblemJson): HTMLElement {
    if (problem.loss === 'cross_entropy') {
      const classes = Array.isArray(problem.target) ? problem.target : [];
      if (classes.length > MOST_CELLS) return this.field('target', `${this.t('tensor.target')} [N]`, this.tooLarge(classes));
      return this.field('target', `${this.t('tensor.target')} [N]`, h('div', { class: 'bias-cells' }, classes.map((v, n) => this.cell(`target[${n}]`, v, (x) => (classes[n] = x)))));
    }
    if (problem.head === 'none') return this.tensor(problem, 'target');
    return this.field('target', 'target', this.input('target', problem.target, '', (v) => (v === undefined ? delete problem.target : (problem.target = v)), 8));
  }

  private optimizer(problem: ProblemJson): HTMLElement {
    const optimizer = problem.optimizer && typeof problem.optimizer === 'object' && !Array.isArray(problem.optimizer) ? problem.optimizer : undefined;
    const type = optimizer && typeof optimizer.type === 'string' ? optimizer.type : 'sgd';
    const field = this.select(problem, 'type', Object.keys(OPTIMIZERS), 'sgd', (v) => {
      const lr = optimizer?.lr;
      problem.optimizer = v === 'sgd' ? { type: v, lr: lr ?? 0.01 } : { type: v };
    }, problem, 'optimizer', type);
    field.querySelector('.name')!.textContent = 'optimizer';
    const holder = optimizer ?? (problem.optimizer = { type: 'sgd', lr: 0.01 });
    const settings = (OPTIMIZERS[type] ?? []).map(([key, fallback]) => {
      if (typeof fallback === 'boolean') {
        const box = h('input', {
          type: 'checkbox',
          checked: holder[key] === true,
          'data-key': `optimizer.${key}`,
          'aria-label': key,
          onchange: () => {
            if (box.checked) holder[key] = true;
            else delete holder[key];
            this.host.changed(false);
          },
        });
        return h('label', { class: 'setting check' }, box, ` ${key}`);
      }
      if (Array.isArray(fallback)) {
        const value = holder[key];
        const inputs = [0, 1].map((k) =>
          this.input(`optimizer.${key}.${k}`, Array.isArray(value) ? value[k] : undefined, shown(fallback[k]), () => {
            const [x, y] = inputs.map((i) => literal(i.value));
            if (x === undefined && y === undefined) delete holder[key];
            else holder[key] = [x ?? fallback[0], y ?? fallback[1]];
          }, 5),
        );
        return h('label', { class: 'setting' }, `${key} `, inputs[0], ' ', inputs[1]);
      }
      return h('label', { class: 'setting' }, `${key} `, this.input(`optimizer.${key}`, holder[key], shown(fallback), (v) => (v === undefined ? delete holder[key] : (holder[key] = v)), 6));
    });
    field.append(h('div', { class: 'settings' }, settings));
    return field;
  }

  // ---- a network's layers ----------------------------------------------------------------------

  /** The layers as cards, each with the shape it gives, and between them the place to add one. */
  private layers(problem: ProblemJson): HTMLElement {
    const layers = problem.layers;
    if (!Array.isArray(layers)) return this.field('layers', 'layers', h('p', { class: 'note' }, 'JSON ↓'));
    if (layers.length > MOST_LAYERS) return this.field('layers', 'layers', h('p', { class: 'note' }, ui(this.host.language(), 'editor.too-many-layers', { count: layers.length.toLocaleString('en-US'), most: MOST_LAYERS })));
    const shapes = networkShapes(problem);
    const cards: Child[] = [this.adder(problem, layers, 0, shapes[0])];
    layers.forEach((layer, i) => {
      cards.push(isObject(layer) ? this.layerCard(problem, layers, i, shapes[i], shapes[i + 1]) : this.field(`layers[${i}]`, `layers[${i}]`, h('p', { class: 'note' }, 'JSON ↓')));
      cards.push(this.adder(problem, layers, i + 1, shapes[i + 1]));
    });
    const messages = h('div', { class: 'messages', 'data-messages': 'layers' });
    this.messages.set('layers', messages);
    return h('div', { class: 'layers', 'data-field': 'layers' }, h('p', { class: 'note' }, `${this.t('tensor.input')}: ${shapeText(shapes[0])}. ${this.t('editor.layers-note')}`), messages, ...cards);
  }

  /** A select that adds a layer of the chosen type at `at`, shaped for what the layer before gives. */
  private adder(problem: ProblemJson, layers: Json[], at: number, shape: Shape | undefined): HTMLElement {
    const select = h(
      'select',
      {
        class: 'add-layer',
        'data-key': `layers.add.${at}`,
        'aria-label': `${this.t('layer.add')} ${at}`,
        onchange: () => {
          if (select.value === '') return;
          layers.splice(at, 0, newLayer(select.value, shape));
          fitNetwork(problem);
          this.host.changed(true);
        },
      },
      h('option', { value: '', selected: true }, this.t('layer.add')),
      LAYER_TYPES.map((type) => h('option', { value: type }, type)),
    );
    return h('div', { class: 'adder' }, select);
  }

  /** Layer i: its type, the shape it gives, the buttons that move and remove it, and its fields. */
  private layerCard(problem: ProblemJson, layers: Json[], i: number, takes: Shape | undefined, gives: Shape | undefined): HTMLElement {
    const layer = layers[i] as Holder;
    const name = `layers[${i}]`;
    const type = typeof layer.type === 'string' ? layer.type : '';
    const typeSelect = h(
      'select',
      {
        'data-key': `${name}.type`,
        'aria-label': `${name}.type`,
        onchange: () => {
          layers[i] = newLayer(typeSelect.value, networkShapes(problem)[i]);
          fitNetwork(problem);
          this.host.changed(true);
        },
      },
      (LAYER_TYPES.includes(type as (typeof LAYER_TYPES)[number]) ? [...LAYER_TYPES] : [type, ...LAYER_TYPES]).map((t) => h('option', { value: t, selected: t === type }, t)),
    );
    const act = (label: string, title: UiKey, enabled: boolean, action: () => void) =>
      h('button', { type: 'button', class: 'small', title: this.t(title), 'aria-label': `${name} ${this.t(title)}`, disabled: !enabled, onclick: () => { action(); fitNetwork(problem); this.host.changed(true); } }, label);
    const swap = (a: number, b: number) => ([layers[a], layers[b]] = [layers[b], layers[a]]);
    const messages = h('div', { class: 'messages', 'data-messages': name });
    this.messages.set(name, messages);
    const head = h(
      'div',
      { class: 'layer-head' },
      h('span', { class: 'layer-index' }, name),
      typeSelect,
      h('span', { class: 'gives', title: `${this.t('layer.gives')} ${shapeText(gives)}` }, `→ ${shapeText(gives)}`),
      h('span', { class: 'layer-buttons' }, act('↑', 'layer.up', i > 0, () => swap(i - 1, i)), act('↓', 'layer.down', i < layers.length - 1, () => swap(i, i + 1)), act('✕', 'layer.remove', true, () => layers.splice(i, 1))),
    );
    return h('div', { class: 'layer', 'data-layer': String(i) }, head, messages, ...this.layerFields(problem, layer, name, type, takes));
  }

  /** The fields of one layer, under the layer's own names (problem-format.md's table) and PyTorch's defaults. */
  private layerFields(problem: ProblemJson, layer: Holder, name: string, type: string, takes: Shape | undefined): HTMLElement[] {
    const at = (key: string) => `${name}.${key}`;
    switch (type) {
      case 'conv2d':
        return this.convFields(problem, layer, name, 'conv2d', this.padding(problem, layer, at('padding')), this.select(problem, 'padding_mode', ['zeros', 'reflect', 'replicate', 'circular'], 'zeros', undefined, layer, at('padding_mode')));
      case 'conv_transpose2d':
        return this.convFields(problem, layer, name, 'conv_transpose2d', this.pairControl(problem, 'padding', 0, layer, at('padding')), this.pairControl(problem, 'output_padding', 0, layer, at('output_padding')));
      case 'leaky_relu':
        return [this.numberControl(problem, 'negative_slope', 0.01, layer, at('negative_slope'))];
      case 'activation':
        return [this.field(at('expression'), 'f(x) =', this.expression(layer, at('expression')))];
      case 'max_pool':
      case 'avg_pool':
        return [settings(this.pairControl(problem, 'size', 2, layer, at('size')), this.pairControl(problem, 'stride', pair(layer.size, 2)[0], layer, at('stride')))];
      case 'batch_norm2d': {
        const channels = () => takes?.[1] ?? 1;
        return [settings(this.vector(layer, 'weight', at('weight'), 'weight γ', channels, 1), this.vector(layer, 'bias', at('bias'), 'bias β', channels, 0), this.numberControl(problem, 'eps', 0.00001, layer, at('eps')))];
      }
      case 'linear':
        return [this.parameter(problem, layer, 'weight', name, this.t('tensor.weight'), 'out-first'), this.vector(layer, 'bias', at('bias'), this.t('tensor.bias'), () => layerChannels(layer, 'linear'), 0)];
      default:
        return [];
    }
  }

  /**
   * A convolution's fields: its kernel (a conv2d's output channels first, a transposed conv's second),
   * its bias, and its settings in Conv2d's order, the two where the kinds differ given (padding, and
   * padding_mode or output_padding).
   */
  private convFields(problem: ProblemJson, layer: Holder, name: string, type: 'conv2d' | 'conv_transpose2d', padding: HTMLElement, third: HTMLElement): HTMLElement[] {
    const at = (key: string) => `${name}.${key}`;
    return [
      this.parameter(problem, layer, 'kernel', name, this.t('tensor.kernel'), type === 'conv2d' ? 'out-first' : 'out-second'),
      this.vector(layer, 'bias', at('bias'), this.t('tensor.bias'), () => layerChannels(layer, type), 0),
      settings(this.pairControl(problem, 'stride', 1, layer, at('stride')), padding, third, this.pairControl(problem, 'dilation', 1, layer, at('dilation')), this.numberControl(problem, 'groups', 1, layer, at('groups'))),
    ];
  }

  /**
   * A layer's weight as grids (a conv's kernel, one plane per [a][b]; a linear layer's matrix), with
   * the buttons that resize it: rows and columns of a kernel, and its output channels or features (the
   * first dimension, or a transposed conv's second); its bias follows. The input dimension follows the
   * layer before (fitNetwork).
   */
  private parameter(problem: ProblemJson, layer: Holder, key: 'kernel' | 'weight', name: string, label: string, out: 'out-first' | 'out-second'): HTMLElement {
    const path = `${name}.${key}`;
    const value = layer[key];
    const matrix = depth(value) === 2;
    const planes = matrix ? [[value as Json[][]]] : as4d(value);
    if (!planes || !planes.every((a) => Array.isArray(a) && a.every((b) => Array.isArray(b) && b.every((c) => Array.isArray(c))))) return this.field(path, label, h('p', { class: 'note' }, 'JSON ↓'));
    if (cellCount(value) > MOST_CELLS) return this.field(path, label, this.tooLarge(value));
    const grids = planes.flatMap((outer, a) =>
      outer.map((plane, b) => {
        const rows = plane.map((row, i) => h('div', { class: 'row' }, (row as Json[]).map((v, j) => this.cell(matrix ? `${path}[${i}][${j}]` : `${path}[${a}][${b}][${i}][${j}]`, v, (x) => ((plane[i] as Json[])[j] = x)))));
        const dense = ((plane[0] as Json[] | undefined)?.length ?? 0) > 6;
        return h('div', { class: 'plane' }, matrix ? null : h('div', { class: 'plane-name' }, `[${a}][${b}]`), h('div', { class: dense ? 'grid dense' : 'grid' }, rows));
      }),
    );
    const changed = (action: () => void) => () => {
      action();
      fitNetwork(problem);
      this.host.changed(true);
    };
    const resize = (what: string, action: () => void, change: string) => h('button', { type: 'button', class: 'small', title: `${what} ${change}`, 'aria-label': `${path} ${what} ${change}`, onclick: changed(action) }, change === '+1' ? '+' : '−');
    const buttons: Child[] = [];
    const bias = () => (Array.isArray(layer.bias) ? layer.bias : undefined);
    if (matrix) {
      const weight = value as Json[][];
      const features = this.t('tensor.out-features');
      buttons.push(h('span', { class: 'resize' }, `${features} `, resize(features, () => weight.length > 1 && (weight.pop(), bias()?.pop()), '−1'), resize(features, () => (weight.push(weight[0].map(() => 0)), bias()?.push(0)), '+1')));
    } else {
      const kernel = value as Json[][][][];
      const [kh, kw] = [kernel[0][0].length, (kernel[0][0][0] as Json[]).length];
      const each = (f: (plane: Json[][]) => void) => kernel.forEach((o) => o.forEach((p) => f(p as Json[][])));
      const rows = this.t('tensor.rows');
      const cols = this.t('tensor.cols');
      const channels = this.t('tensor.out-channels');
      const zeroPlane = () => zeros(kh, kw);
      // out_channels: a conv's first dimension (its bias one entry each); a transposed conv's second, times groups.
      const more = out === 'out-first' ? () => (kernel.push(kernel[0].map(zeroPlane)), bias()?.push(0)) : () => (kernel.forEach((o) => o.push(zeroPlane())), bias()?.push(...Array.from({ length: groupsOf(layer) }, () => 0)));
      const fewer = out === 'out-first' ? () => kernel.length > 1 && (kernel.pop(), bias()?.pop()) : () => kernel[0].length > 1 && (kernel.forEach((o) => o.pop()), bias()?.splice(-groupsOf(layer)));
      buttons.push(
        h('span', { class: 'resize' }, `${rows} `, resize(rows, () => kh > 1 && each((p) => p.pop()), '−1'), resize(rows, () => each((p) => p.push(zeros(1, kw)[0])), '+1')),
        h('span', { class: 'resize' }, `${cols} `, resize(cols, () => kw > 1 && each((p) => p.forEach((r) => (r as Json[]).pop())), '−1'), resize(cols, () => each((p) => p.forEach((r) => (r as Json[]).push(0))), '+1')),
        h('span', { class: 'resize' }, `${channels} `, resize(channels, fewer, '−1'), resize(channels, more, '+1')),
      );
    }
    return this.field(path, label, h('div', { class: 'planes' }, grids), h('div', { class: 'buttons' }, buttons));
  }

  /** An optional vector of a layer (bias; batch norm's weight and bias): a box that gives it, and its cells. */
  private vector(layer: Holder, key: string, path: string, label: string, length: () => number, fill: Json): HTMLElement {
    const value = layer[key];
    const box = h('input', {
      type: 'checkbox',
      checked: value !== undefined,
      'data-key': `${path}.on`,
      'aria-label': path,
      onchange: () => {
        if (box.checked) layer[key] = Array.from({ length: length() }, () => fill);
        else delete layer[key];
        this.host.changed(true);
      },
    });
    const values = Array.isArray(value) ? value : [];
    if (values.length > MOST_CELLS) return this.field(path, label, this.tooLarge(values));
    const cells = values.map((v, k) => this.cell(`${path}[${k}]`, v, (x) => (values[k] = x)));
    return this.field(path, label, [h('label', { class: 'check' }, box, ` ${key}`), value !== undefined ? h('div', { class: 'bias-cells' }, cells) : null]);
  }

  /** A tensor too large for grids: its shape and where to edit it. */
  private tooLarge(value: Json | undefined): HTMLElement {
    return h('p', { class: 'note' }, ui(this.host.language(), 'tensor.too-large', { shape: shapeOf(value).join('×'), cells: cellCount(value).toLocaleString('en-US'), most: MOST_CELLS.toLocaleString('en-US') }));
  }

  /** For a single layer: the same problem as a network of layers ([conv2d, activation, pool]), to build on. */
  private toNetwork(problem: ProblemJson): HTMLElement {
    return h('button', { type: 'button', id: 'to-network', onclick: () => {
      const network = asNetwork(problem);
      for (const key of Object.keys(problem)) delete problem[key];
      Object.assign(problem, network);
      fitNetwork(problem);
      this.host.changed(true);
    } }, this.t('editor.to-network'));
  }

  private bias(problem: ProblemJson): HTMLElement {
    const has = problem.bias !== undefined;
    const box = h('input', {
      type: 'checkbox',
      checked: has,
      'data-key': 'bias.on',
      'aria-label': 'bias',
      onchange: () => {
        if (box.checked) {
          const out = as4d(problem.kernel)?.length ?? 1;
          problem.bias = depth(problem.kernel) === 4 ? zerosShaped([out]) : 0;
        } else delete problem.bias;
        this.host.changed(true);
      },
    });
    const values = Array.isArray(problem.bias) ? problem.bias : has ? [problem.bias!] : [];
    if (values.length > MOST_CELLS) return this.field('bias', this.t('tensor.bias'), this.tooLarge(values));
    const cells = values.map((v, k) => this.cell(Array.isArray(problem.bias) ? `bias[${k}]` : 'bias', v, (x) => (Array.isArray(problem.bias) ? (problem.bias[k] = x) : (problem.bias = x))));
    return this.field('bias', this.t('tensor.bias'), [h('label', { class: 'check' }, box, ' bias'), has ? h('div', { class: 'bias-cells' }, cells) : null]);
  }

  private cell(path: string, value: Json, set: (value: Json) => void): HTMLInputElement {
    return h('input', {
      type: 'text',
      inputmode: 'decimal',
      class: 'cell',
      value: shown(value),
      'data-path': path,
      'data-key': path,
      'aria-label': path,
      oninput: (e: Event) => {
        set(literal((e.target as HTMLInputElement).value) ?? '');
        this.host.changed(false);
      },
    });
  }

  /** A tensor as grids, one a plane, with the buttons that add and remove rows, columns and channels. */
  private tensor(problem: ProblemJson, key: 'input' | 'kernel' | 'target'): HTMLElement {
    const value = problem[key];
    const form = depth(value);
    const planes = as4d(value);
    const label = key === 'input' ? this.t('tensor.input') : key === 'kernel' ? this.t('tensor.kernel') : this.t('tensor.target');
    if (!planes || !planes.every((a) => Array.isArray(a) && a.every((b) => Array.isArray(b) && b.every((c) => Array.isArray(c))))) {
      return this.field(key, label, h('p', { class: 'note' }, 'JSON ↓'));
    }
    if (cellCount(value) > MOST_CELLS) return this.field(key, label, this.tooLarge(value));
    const grids = planes.flatMap((outer, a) =>
      outer.map((plane, b) => {
        const prefix = form === 2 ? '' : form === 3 ? `[${b}]` : `[${a}][${b}]`;
        const name = form === 2 ? '' : key === 'kernel' ? `K(${a + 1},${b + 1})` : form === 3 ? (key === 'input' ? `X(${b + 1})` : `c ${b + 1}`) : `n ${a + 1}, c ${b + 1}`;
        const rows = plane.map((row, i) => h('div', { class: 'row' }, (row as Json[]).map((v, j) => this.cell(`${key}${prefix}[${i}][${j}]`, v, (x) => ((plane[i] as Json[])[j] = x)))));
        const dense = ((plane[0] as Json[] | undefined)?.length ?? 0) > 6;
        return h('div', { class: 'plane' }, name ? h('div', { class: 'plane-name' }, name) : null, h('div', { class: dense ? 'grid dense' : 'grid' }, rows));
      }),
    );
    const buttons: Child[] = [];
    if (key !== 'target') {
      const resize = (label: string, action: () => void, title: string) => h('button', { type: 'button', class: 'small', title, 'aria-label': `${key} ${title}`, onclick: () => { action(); this.fitTarget(problem); this.host.changed(true); } }, label);
      const planesOf = () => as4d(problem[key])!;
      const rows = planes[0][0].length;
      const cols = (planes[0][0][0] as Json[]).length;
      buttons.push(
        h('span', { class: 'resize' }, `${this.t('tensor.rows')} `, resize('−', () => rows > 1 && planesOf().forEach((o) => o.forEach((p) => p.pop())), `${this.t('tensor.rows')} −1`), resize('+', () => planesOf().forEach((o) => o.forEach((p) => p.push(zeros(1, cols)[0]))), `${this.t('tensor.rows')} +1`)),
        h('span', { class: 'resize' }, `${this.t('tensor.cols')} `, resize('−', () => cols > 1 && planesOf().forEach((o) => o.forEach((p) => p.forEach((r) => (r as Json[]).pop()))), `${this.t('tensor.cols')} −1`), resize('+', () => planesOf().forEach((o) => o.forEach((p) => p.forEach((r) => (r as Json[]).push(0)))), `${this.t('tensor.cols')} +1`)),
      );
      const channelLabel = key === 'input' ? this.t('tensor.channels') : this.t('tensor.out-channels');
      buttons.push(h('span', { class: 'resize' }, `${channelLabel} `, resize('−', () => this.channels(problem, key, -1), `${channelLabel} −1`), resize('+', () => this.channels(problem, key, 1), `${channelLabel} +1`)));
      if (key === 'input') {
        const batch = this.t('tensor.batch');
        buttons.push(h('span', { class: 'resize' }, `${batch} `, resize('−', () => this.samples(problem, -1), `${batch} −1`), resize('+', () => this.samples(problem, 1), `${batch} +1`)));
      }
    }
    return this.field(key, label, h('div', { class: 'planes' }, grids), buttons.length > 0 ? h('div', { class: 'buttons' }, buttons) : null);
  }

  /** One channel more or fewer: the input's (the kernel's planes follow), or the kernel's output channels (the bias follows). */
  private channels(problem: ProblemJson, key: 'input' | 'kernel', change: 1 | -1): void {
    const planes = as4d(problem[key])!;
    const [rows, cols] = [planes[0][0].length, (planes[0][0][0] as Json[]).length];
    if (key === 'input') {
      const count = planes[0].length;
      if (change < 0 && count === 1) return;
      if (depth(problem.input) === 2) problem.input = [problem.input as Json[][]];
      for (const sample of as4d(problem.input)!) {
        if (change > 0) sample.push(zeros(rows, cols));
        else sample.pop();
      }
      this.syncKernel(problem);
      return;
    }
    const count = planes.length;
    if (change < 0 && count === 1) return;
    const inner = planes[0].length;
    if (depth(problem.kernel) === 2) problem.kernel = [[problem.kernel as Json[][]]];
    const kernel = as4d(problem.kernel)!;
    if (change > 0) kernel.push(Array.from({ length: inner }, () => zeros(rows, cols)));
    else kernel.pop();
    if (problem.bias !== undefined) {
      const bias = Array.isArray(problem.bias) ? problem.bias : [problem.bias];
      if (change > 0) bias.push(0);
      else bias.pop();
      problem.bias = bias;
    }
  }

  /** One sample more (zeros) or fewer in the input's batch; the input becomes [N][C][H][W]. */
  private samples(problem: ProblemJson, change: 1 | -1): void {
    const planes = as4d(problem.input)!;
    if (change < 0 && planes.length === 1) return;
    if (depth(problem.input) < 4) problem.input = planes;
    const batch = problem.input as Json[][][][];
    if (change > 0) batch.push(batch[0].map((plane) => zeros(plane.length, (plane[0] as Json[]).length)));
    else batch.pop();
  }

  /** The kernel's input planes, C_in/groups of them, after the input's channels changed. */
  private syncKernel(problem: ProblemJson): void {
    const input = as4d(problem.input)!;
    const groups = typeof problem.groups === 'number' ? problem.groups : 1;
    const wanted = input[0].length / groups;
    if (!Number.isInteger(wanted)) return;
    const kernel = as4d(problem.kernel);
    if (!kernel) return;
    const [rows, cols] = [kernel[0][0].length, (kernel[0][0][0] as Json[]).length];
    if (depth(problem.kernel) === 2 && wanted !== 1) problem.kernel = [[problem.kernel as Json[][]]];
    for (const out of as4d(problem.kernel)!) {
      while (out.length < wanted) out.push(zeros(rows, cols));
      while (out.length > wanted) out.pop();
    }
  }

  /** With head "none", the target follows the prediction's shape; in a network, every layer the one before it. */
  fitTarget(problem: ProblemJson): boolean {
    if (isNetwork(problem)) return fitNetwork(problem);
    if (problem.head !== 'none') return false;
    const shape = predictionShape(problem);
    if (!shape || shapeOf(problem.target).join() === shape.join()) return false;
    problem.target = refit(problem.target, shape);
    return true;
  }

  /** The raw text for a problem: as a person writes it. */
  static text(problem: ProblemJson): string {
    return problemText(problem);
  }
}
