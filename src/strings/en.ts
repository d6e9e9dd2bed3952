// Every word an English reader sees. $…$ is math (LaTeX); {name} is filled in by the derivation.
export const en = {
  'doc.title': 'Backpropagation through a convolution layer, step by step',
  'doc.language': 'en',
  'doc.intro':
    'Every number here is exact: fractions stay fractions, and a decimal is shown only where it terminates. Each step reads symbolic form, then the numbers, then the value.',
  'doc.generated': 'Written by convgrad {version}.',

  'section.problem': 'The problem',
  'section.forward': 'Forward pass',
  'section.backward': 'Backward pass: the chain rule',
  'section.update': 'Update',
  'section.summary': 'Summary',

  'step.problem.statement': 'Given',
  'problem.tensors': 'The input $X$ is {inputShape}, the kernel $K$ is {kernelShape}:',
  'problem.bias': 'The layer adds the bias {bias} to every output entry.',
  'problem.layer': 'Layer: stride {stride}, padding {padding}, dilation {dilation}.',
  'problem.head.sum': 'The prediction $S$ is the sum of all entries of the convolution output $\\sigma$.',
  'problem.head.mean': 'The prediction $S$ is the mean of all entries of the convolution output $\\sigma$.',
  'problem.loss.mse': 'The loss is the squared error against the target: $L = (S - T)^2$ with {target}.',
  'problem.optimizer.sgd': 'One step of gradient descent (SGD) with learning rate {lr}.',

  'step.problem.symbols': 'Names for the entries',
  'problem.symbols': 'Rows and columns count from 1: $x_{ij}$ is the input entry in row $i$ and column $j$, $k_{mn}$ the kernel entry in row $m$ and column $n$.',
  'problem.symbols.channels': 'Superscripts name the channels: $x^{(c)}_{ij}$ is entry $(i, j)$ of input channel $c$ (of batch item $n$ in $x^{(n,c)}_{ij}$), and $k^{(o,c)}_{mn}$ is the kernel entry that output channel $o$ applies to the $c$-th input channel it reads.',
  'problem.groups': 'The channels are split into {groups} groups: output channel $o$ reads only the {perGroup} input channel(s) of its own group.',
  'problem.padding-mode': 'Padding mode {mode}: the border holds copies of input entries, not zeros, so those entries are read more than once.',
  'problem.activation': 'After the bias every entry passes through the activation {formula}.',
  'problem.pool.max': 'Then max pooling over {size} windows with stride {stride}: each window keeps its largest entry.',
  'problem.pool.avg': 'Then average pooling over {size} windows with stride {stride}: each window keeps the mean of its entries.',
  'problem.head.none': 'The prediction is the map itself, compared entry by entry with a target map of the same shape.',
  'problem.loss.single': 'The loss compares the prediction with the target: {formula} with {target}.',
  'problem.loss.mean': 'Each prediction $y$ is compared with its target $t$ by {formula}, and the loss is the mean over the {count} entries.',
  'problem.loss.sum': 'Each prediction $y$ is compared with its target $t$ by {formula}, and the loss is the sum over the {count} entries.',

  'step.conv.padding': 'Padding',
  'conv.padding':
    'Zeros are added around the input: {top} row(s) above, {bottom} below, {left} column(s) on the left and {right} on the right. The padded input $\\tilde X$ (the zeros contribute nothing, so they drop out of the sums below):',
  'conv.padding.border': 'A border is added around the input: {top} row(s) above, {bottom} below, {left} column(s) on the left and {right} on the right.',

  'step.conv.geometry': 'Size of the output',
  'conv.geometry': 'With input size $H \\times W$, kernel $k_h \\times k_w$, stride $s$, dilation $d$ and padding $p$, the output has',

  'step.conv.unroll': 'Every output entry as a sum of products',
  'conv.unroll':
    'The kernel is laid on a window of the input; matching entries are multiplied and the products added. PyTorch\'s Conv2d does not flip the kernel (it is a cross-correlation):',
  'conv.unroll.zeros': 'Kernel entries that fall on the zero padding contribute nothing and are left out.',

  'step.conv.output': 'The convolution output',
  'conv.output': 'Collected into a matrix:',

  'step.head.reduce': 'The prediction',
  'head.sum': 'Adding up the output entries:',
  'head.mean': 'Averaging the {count} output entries:',
  'head.expanded': 'Written out in kernel and input entries, the form we differentiate:',

  'step.loss.mse': 'The loss',
  'loss.mse': 'The squared error against the target:',
  'conv.padding.copies': 'The border holds copies of input entries ({mode}), named after the entry each one copies (in grey), then their values:',
  'conv.unroll.channels': 'Each output entry sums over the {perGroup} input channel(s) its output channel reads, with that channel pair\'s kernel slice:',
  'step.activation': 'Activation',
  'activation.intro': 'Each entry of $\\sigma$ passes through the activation; the derivative at the same entry is what the backward pass needs:',
  'activation.maps': 'All entries, and the derivative at each:',
  'step.pool': 'Pooling',
  'pool.max': 'Each window keeps its largest entry. The winner (if several tie, the first row by row, as in PyTorch) is the only entry whose gradient is not 0:',
  'pool.avg': 'Each window keeps the mean of its {count} entries:',
  'pool.output': 'The pooled map:',
  'head.none': 'The prediction is the map itself: {equation}.',
  'loss.single': 'The loss of the prediction against the target:',
  'loss.map.mean': 'Each entry\'s loss against its target, then the mean over all {count}:',
  'loss.map.sum': 'Each entry\'s loss against its target, then the sum over all {count}:',
  'doc.rounded': 'Values marked with $\\approx$ come from float64 (the activation or the loss is not rational) and are shown to 6 significant digits; the JSON document has every digit.',

  'step.chain.loss-prediction': 'Derivative of the loss',
  'chain.loss-prediction': 'Differentiating $L = (S - T)^2$ with respect to $S$:',

  'step.chain.delta': 'The gradient at each output entry',
  'chain.delta.sum': 'Each $\\sigma_{ij}$ enters $S$ with weight 1, so every output entry receives the same gradient $\\delta_{ij} = \\partial L / \\partial \\sigma_{ij}$:',
  'chain.delta.mean': 'Each $\\sigma_{ij}$ enters $S$ with weight {weight}, so every output entry receives the same gradient $\\delta_{ij} = \\partial L / \\partial \\sigma_{ij}$:',

  'step.chain.kernel-entry': 'Gradient of every kernel entry',
  'chain.kernel-entry':
    'A kernel entry $k_{mn}$ appears once in every $\\sigma_{ij}$, multiplied by the input entry under it. So $\\partial S / \\partial k_{mn}$ collects the input entries that $k_{mn}$ touches, and the chain rule gives $\\partial L / \\partial k_{mn} = \\partial L / \\partial S \\cdot \\partial S / \\partial k_{mn}$:',
  'chain.kernel-matrix': 'All kernel gradients together:',

  'step.grad.kernel-compact': 'The same gradient as one cross-correlation',
  'grad.kernel-compact.plain': 'The gradient of the kernel is the input cross-correlated with $\\delta$ (valid, stride 1): entry $(m, n)$ lays $\\delta$ on the input at offset $(m, n)$.',
  'grad.kernel-compact.general':
    'The gradient of the kernel is the padded input cross-correlated with $\\delta$, with stride and dilation swapping roles: $\\delta$\'s entries are spaced by the stride {stride} and the result is read with step {dilation}.',
  'grad.kernel-compact.entry': 'Entry by entry, for example:',
  'grad.same-result': 'This is the matrix found entry by entry above.',

  'step.chain.bias': 'Gradient of the bias',
  'chain.bias': 'The bias enters every $\\sigma_{ij}$ with coefficient 1, so its gradient is the sum of $\\delta$:',
  'chain.loss-prediction.general': 'Differentiating the loss with respect to the prediction $S$:',
  'chain.loss-map': 'For every entry, the loss\'s derivative with respect to that prediction, times {weight} from the {reduction}:',
  'reduction.mean': 'mean',
  'reduction.sum': 'sum',
  'chain.head.sum': 'Each entry of {map} enters $S$ with weight 1, so every entry receives the same gradient:',
  'chain.head.mean': 'Each entry of {map} enters $S$ with weight {weight}, so every entry receives the same gradient:',
  'step.chain.pool': 'Back through the pooling',
  'chain.pool.max': 'Max pooling sends each window\'s gradient to its winner alone: an entry collects the gradients of the windows it wins, and an entry that wins none gets 0.',
  'chain.pool.avg': 'Average pooling shares each window\'s gradient equally among its {count} entries; an entry in several windows collects a share from each.',
  'step.chain.activation': 'Back through the activation',
  'chain.activation': 'The chain rule multiplies by the activation\'s derivative at each entry: $\\delta = \\partial L / \\partial \\sigma = \\partial L / \\partial a \\cdot f\'(\\sigma)$.',
  'chain.delta.map': 'The gradient at every output entry of the convolution, $\\delta = \\partial L / \\partial \\sigma$:',
  'chain.kernel-entry.delta': 'A kernel entry $k_{mn}$ multiplies one input entry in every $\\sigma_{ij}$, so by the chain rule $\\partial L / \\partial k_{mn} = \\sum_{i,j} \\delta_{ij} \\, \\partial \\sigma_{ij} / \\partial k_{mn}$: each $\\delta_{ij}$ times the input entry under $k_{mn}$.',
  'chain.input-entry.delta': 'An input entry $x_{ij}$ is multiplied by every kernel entry that lands on it, so $\\partial L / \\partial x_{ij}$ is the sum of $\\delta$ times those kernel entries:',
  'grad.kernel-compact.channels': 'For each pair of output channel $o$ and input channel $c$, the kernel slice\'s gradient is the cross-correlation of that input channel with $\\delta^{(o)}$, summed over the batch. The first pair:',
  'grad.input-compact.channels': 'For each input channel, the transposed convolutions of every output channel that reads it are added up. The first channel:',
  'grad.input-compact.fold': 'The border cells are copies of input entries, so the gradient that reaches a border cell is added onto the entry it copies:',
  'chain.bias.channels': 'Output channel $o$\'s bias enters each of its entries with coefficient 1, so its gradient is the sum of $\\delta^{(o)}$:',

  'step.chain.input-entry': 'Gradient of every input entry',
  'chain.input-entry':
    'An input entry $x_{ij}$ is multiplied by every kernel entry that lands on it in some window. So $\\partial S / \\partial x_{ij}$ collects those kernel entries, and $\\partial L / \\partial x_{ij} = \\partial L / \\partial S \\cdot \\partial S / \\partial x_{ij}$:',
  'chain.input-entry.untouched': 'An input entry that no window reaches gets gradient 0.',
  'chain.input-matrix': 'All input gradients together:',

  'step.grad.input-compact': 'The same gradient as a full convolution',
  'grad.input-compact.plain':
    'The gradient of the input is the full convolution of $\\delta$ with the kernel: surround $\\delta$ with $k - 1$ rows and columns of zeros and slide the kernel turned by 180° over it.',
  'grad.input-compact.general':
    'The gradient of the input is a transposed convolution: spread $\\delta$ with $s - 1$ zeros between neighbours (stride {stride}), surround it with $d(k - 1)$ rows and columns of zeros, and slide the dilated kernel turned by 180° over it.',
  'grad.input-compact.crop': 'That gives the gradient on the padded input $\\tilde X$; the padding is not a parameter, so its border is cut off.',
  'grad.input-compact.unreached': 'Rows or columns that the stride never reaches stay 0.',

  'step.optim.sgd-update': 'Gradient descent step',
  'optim.sgd': 'Each parameter moves against its gradient by the learning rate $\\eta$: $\\theta\' = \\theta - \\eta \\, \\partial L / \\partial \\theta$.',
  'optim.kernel-matrix': 'The updated kernel (as decimals, and as exact fractions):',
  'optim.kernel-matrix.single': 'The updated kernel:',

  'step.summary.results': 'Results',
  'summary.quantity': 'Quantity',
  'summary.value': 'Value',

  'elide.entries': 'Shown here: {shown} of the {total} entries; the others follow the same rule and all values are in the matrix below.',
  'elide.terms': 'Long sums show their first and last terms; $\\cdots$ stands for the rest.',
} as const;
