// 中文读者看到的每一个字。$…$ 为数学公式（LaTeX）；{name} 由推导填入。
import type { en } from './en.js';

export const zh: Readonly<Record<keyof typeof en, string>> = {
  'doc.title': '卷积层的反向传播：逐步推导',
  'doc.language': 'zh',
  'doc.intro': '本文所有数值都是精确值：分数保持为分数，只有有限小数才写成小数。每一步依次给出符号形式、代入数值、计算结果。',
  'doc.generated': '由 convgrad {version} 生成。',

  'section.problem': '问题',
  'section.forward': '前向传播',
  'section.backward': '反向传播：链式法则',
  'section.update': '参数更新',
  'section.summary': '总结',

  'step.problem.statement': '已知条件',
  'problem.tensors': '输入 $X$ 为 {inputShape}，卷积核 $K$ 为 {kernelShape}：',
  'problem.bias': '该层对每个输出元素加上偏置 {bias}。',
  'problem.layer': '层参数：步长 {stride}，填充 {padding}，膨胀 {dilation}。',
  'problem.head.sum': '预测值 $S$ 为卷积输出 $\\sigma$ 所有元素之和。',
  'problem.head.mean': '预测值 $S$ 为卷积输出 $\\sigma$ 所有元素的平均值。',
  'problem.loss.mse': '损失为与目标值之差的平方：$L = (S - T)^2$，其中 {target}。',
  'problem.optimizer.sgd': '用学习率 {lr} 做一步梯度下降（SGD）。',

  'step.problem.symbols': '元素的记号',
  'problem.symbols': '行号和列号均从 1 开始：$x_{ij}$ 表示输入第 $i$ 行第 $j$ 列的元素，$k_{mn}$ 表示卷积核第 $m$ 行第 $n$ 列的元素。',
  'problem.symbols.channels': '上标表示通道：$x^{(c)}_{ij}$ 是输入第 $c$ 个通道中位置 $(i, j)$ 的元素（$x^{(n,c)}_{ij}$ 中 $n$ 表示批次中的第 $n$ 个样本），$k^{(o,c)}_{mn}$ 是输出通道 $o$ 作用在它读取的第 $c$ 个输入通道上的卷积核元素。',
  'problem.groups': '通道分为 {groups} 组：输出通道 $o$ 只读取本组的 {perGroup} 个输入通道。',
  'problem.padding-mode': '填充模式 {mode}：边框中是输入元素的副本而不是零，因此这些元素会被读取不止一次。',
  'problem.activation': '加上偏置后，每个元素再经过激活函数 {formula}。',
  'problem.pool.max': '然后做最大池化，窗口大小 {size}，步长 {stride}：每个窗口保留其中最大的元素。',
  'problem.pool.avg': '然后做平均池化，窗口大小 {size}，步长 {stride}：每个窗口保留其元素的平均值。',
  'problem.head.none': '预测值就是整个特征图，与形状相同的目标图逐元素比较。',
  'problem.loss.single': '损失比较预测值与目标值：{formula}，其中 {target}。',
  'problem.loss.mean': '每个预测值 $y$ 与其目标值 $t$ 用 {formula} 比较，损失为 {count} 个元素上的平均值。',
  'problem.loss.sum': '每个预测值 $y$ 与其目标值 $t$ 用 {formula} 比较，损失为 {count} 个元素上的总和。',

  'step.conv.padding': '填充',
  'conv.padding':
    '在输入四周补零：上方 {top} 行，下方 {bottom} 行，左侧 {left} 列，右侧 {right} 列。填充后的输入 $\\tilde X$ 如下（补的零对求和没有贡献，下文的和式中将其略去）：',
  'conv.padding.border': '在输入四周加一圈边框：上方 {top} 行，下方 {bottom} 行，左侧 {left} 列，右侧 {right} 列。',

  'step.conv.geometry': '输出的尺寸',
  'conv.geometry': '设输入大小为 $H \\times W$，卷积核为 $k_h \\times k_w$，步长为 $s$，膨胀为 $d$，填充为 $p$，则输出的尺寸为',

  'step.conv.unroll': '把每个输出元素写成乘积之和',
  'conv.unroll': '把卷积核放在输入的一个窗口上，对应元素相乘后相加。PyTorch 的 Conv2d 不翻转卷积核（实际是互相关）：',
  'conv.unroll.zeros': '落在零填充上的卷积核元素没有贡献，已略去。',

  'step.conv.output': '卷积输出',
  'conv.output': '写成矩阵：',

  'step.head.reduce': '预测值',
  'head.sum': '把所有输出元素相加：',
  'head.mean': '对 {count} 个输出元素取平均：',
  'head.expanded': '用卷积核元素和输入元素完整展开，这就是我们要求导的式子：',

  'step.loss.mse': '损失',
  'loss.mse': '与目标值之差的平方：',
  'conv.padding.copies': '边框中是输入元素的副本（{mode}），先写出每个边框单元复制的元素（灰色），再写出数值：',
  'conv.unroll.channels': '每个输出元素对其输出通道读取的 {perGroup} 个输入通道求和，每对通道使用对应的卷积核切片：',
  'step.activation': '激活',
  'activation.intro': '$\\sigma$ 的每个元素都经过激活函数；反向传播需要的是同一位置的导数：',
  'activation.maps': '全部元素，以及每个位置的导数：',
  'step.pool': '池化',
  'pool.max': '每个窗口保留最大的元素。获胜者（若有并列，按行优先取第一个，与 PyTorch 相同）是唯一梯度不为 0 的元素：',
  'pool.avg': '每个窗口保留其 {count} 个元素的平均值：',
  'pool.output': '池化后的特征图：',
  'head.none': '预测值就是特征图本身：{equation}。',
  'loss.single': '预测值相对于目标值的损失：',
  'loss.map.mean': '每个元素相对于其目标值的损失，再对全部 {count} 个取平均：',
  'loss.map.sum': '每个元素相对于其目标值的损失，再对全部 {count} 个求和：',
  'doc.rounded': '带 $\\approx$ 的数值来自 float64 计算（激活函数或损失不是有理函数），只显示 6 位有效数字；JSON 文件中有全部位数。',

  'step.chain.loss-prediction': '损失的导数',
  'chain.loss-prediction': '将 $L = (S - T)^2$ 对 $S$ 求导：',

  'step.chain.delta': '每个输出元素上的梯度',
  'chain.delta.sum': '每个 $\\sigma_{ij}$ 在 $S$ 中的系数都是 1，所以每个输出元素得到相同的梯度 $\\delta_{ij} = \\partial L / \\partial \\sigma_{ij}$：',
  'chain.delta.mean': '每个 $\\sigma_{ij}$ 在 $S$ 中的系数都是 {weight}，所以每个输出元素得到相同的梯度 $\\delta_{ij} = \\partial L / \\partial \\sigma_{ij}$：',

  'step.chain.kernel-entry': '每个卷积核元素的梯度',
  'chain.kernel-entry':
    '卷积核元素 $k_{mn}$ 在每个 $\\sigma_{ij}$ 中恰好出现一次，与它覆盖的输入元素相乘。因此 $\\partial S / \\partial k_{mn}$ 等于 $k_{mn}$ 覆盖过的输入元素之和，由链式法则得 $\\partial L / \\partial k_{mn} = \\partial L / \\partial S \\cdot \\partial S / \\partial k_{mn}$：',
  'chain.kernel-matrix': '所有卷积核梯度合在一起：',

  'step.grad.kernel-compact': '同一梯度写成一次互相关',
  'grad.kernel-compact.plain': '卷积核的梯度等于输入与 $\\delta$ 的互相关（valid，步长 1）：第 $(m, n)$ 个元素就是把 $\\delta$ 放在输入的偏移 $(m, n)$ 处。',
  'grad.kernel-compact.general':
    '卷积核的梯度等于填充后的输入与 $\\delta$ 的互相关，其中步长与膨胀互换角色：$\\delta$ 的元素按步长 {stride} 隔开，结果按间隔 {dilation} 读取。',
  'grad.kernel-compact.entry': '逐个元素写出，例如：',
  'grad.same-result': '这正是上面逐个元素求得的矩阵。',

  'step.chain.bias': '偏置的梯度',
  'chain.bias': '偏置在每个 $\\sigma_{ij}$ 中的系数都是 1，所以它的梯度是 $\\delta$ 所有元素之和：',
  'chain.loss-prediction.general': '将损失对预测值 $S$ 求导：',
  'chain.loss-map': '对每个元素，损失对该预测值的导数，再乘以{reduction}带来的 {weight}：',
  'reduction.mean': '取平均',
  'reduction.sum': '求和',
  'chain.head.sum': '{map} 的每个元素在 $S$ 中的系数都是 1，所以每个元素得到相同的梯度：',
  'chain.head.mean': '{map} 的每个元素在 $S$ 中的系数都是 {weight}，所以每个元素得到相同的梯度：',
  'step.chain.pool': '反向通过池化层',
  'chain.pool.max': '最大池化把每个窗口的梯度只传给该窗口的获胜者：一个元素收集它获胜的所有窗口的梯度，从未获胜的元素梯度为 0。',
  'chain.pool.avg': '平均池化把每个窗口的梯度平均分给窗口内的 {count} 个元素；属于多个窗口的元素从每个窗口各得一份。',
  'step.chain.activation': '反向通过激活函数',
  'chain.activation': '链式法则在每个位置乘以激活函数的导数：$\\delta = \\partial L / \\partial \\sigma = \\partial L / \\partial a \\cdot f\'(\\sigma)$。',
  'chain.delta.map': '卷积输出每个位置上的梯度 $\\delta = \\partial L / \\partial \\sigma$：',
  'chain.kernel-entry.delta': '卷积核元素 $k_{mn}$ 在每个 $\\sigma_{ij}$ 中乘以一个输入元素，由链式法则 $\\partial L / \\partial k_{mn} = \\sum_{i,j} \\delta_{ij} \\, \\partial \\sigma_{ij} / \\partial k_{mn}$：即每个 $\\delta_{ij}$ 乘以 $k_{mn}$ 覆盖的输入元素。',
  'chain.input-entry.delta': '输入元素 $x_{ij}$ 与所有落在它上面的卷积核元素相乘，所以 $\\partial L / \\partial x_{ij}$ 是 $\\delta$ 与这些卷积核元素乘积之和：',
  'grad.kernel-compact.channels': '对每一对输出通道 $o$ 与输入通道 $c$，卷积核切片的梯度等于该输入通道与 $\\delta^{(o)}$ 的互相关，再对批次求和。第一对：',
  'grad.input-compact.channels': '对每个输入通道，把读取它的所有输出通道的转置卷积相加。第一个通道：',
  'grad.input-compact.fold': '边框单元是输入元素的副本，所以到达边框单元的梯度要加回到它复制的元素上：',
  'chain.bias.channels': '输出通道 $o$ 的偏置在该通道每个元素中的系数都是 1，所以它的梯度是 $\\delta^{(o)}$ 所有元素之和：',

  'step.chain.input-entry': '每个输入元素的梯度',
  'chain.input-entry':
    '输入元素 $x_{ij}$ 会与所有在某个窗口中落在它上面的卷积核元素相乘。因此 $\\partial S / \\partial x_{ij}$ 等于这些卷积核元素之和，且 $\\partial L / \\partial x_{ij} = \\partial L / \\partial S \\cdot \\partial S / \\partial x_{ij}$：',
  'chain.input-entry.untouched': '没有任何窗口覆盖的输入元素，梯度为 0。',
  'chain.input-matrix': '所有输入梯度合在一起：',

  'step.grad.input-compact': '同一梯度写成一次完整卷积',
  'grad.input-compact.plain': '输入的梯度等于 $\\delta$ 与卷积核的完整（full）卷积：在 $\\delta$ 四周补 $k - 1$ 行和列的零，再把旋转 180° 的卷积核在上面滑动。',
  'grad.input-compact.general':
    '输入的梯度是一次转置卷积：在 $\\delta$ 相邻元素之间插入 $s - 1$ 个零（步长 {stride}），四周补 $d(k - 1)$ 行和列的零，再把膨胀后并旋转 180° 的卷积核在上面滑动。',
  'grad.input-compact.crop': '这样得到的是填充后输入 $\\tilde X$ 上的梯度；填充不是参数，去掉边框即可。',
  'grad.input-compact.unreached': '步长始终到达不了的行或列，梯度保持为 0。',

  'step.optim.sgd-update': '梯度下降一步',
  'optim.sgd': '每个参数沿梯度的反方向移动，步幅为学习率 $\\eta$：$\\theta\' = \\theta - \\eta \\, \\partial L / \\partial \\theta$。',
  'optim.kernel-matrix': '更新后的卷积核（小数形式与精确分数形式）：',
  'optim.kernel-matrix.single': '更新后的卷积核：',

  'step.summary.results': '结果',
  'summary.quantity': '量',
  'summary.value': '值',

  'elide.entries': '这里只列出 {total} 个元素中的 {shown} 个；其余元素遵循同一规则，全部数值见下方矩阵。',
  'elide.terms': '较长的和式只写出开头和结尾的几项，$\\cdots$ 代表其余各项。',
};
