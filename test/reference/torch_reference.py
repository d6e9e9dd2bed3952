"""PyTorch (float64) reference for convgrad's problems.

Reads a JSON list of problem files on standard input and prints, for each, the quantities of
convgrad's result document in the contract's shapes: forward.conv, forward.output,
forward.prediction, forward.loss, grad.kernel, grad.bias, grad.input, and updated.kernel/bias after
one torch.optim.SGD step. Numbers written as strings ("1/3", "0.01") are read exactly and rounded
once to float64, as convgrad's doubles are. An expression (activation in x, loss in y and t) is
evaluated with torch's functions.
"""
import json
import math
import sys
import warnings
from fractions import Fraction

import torch
import torch.nn.functional as F

# PyTorch notes that "same" with an even kernel pads a copy of the input: expected, and what convgrad models.
warnings.filterwarnings("ignore", message="Using padding='same'")

FUNCTIONS = {name: getattr(torch, name) for name in ["exp", "log", "sqrt", "tanh", "sinh", "cosh", "sin", "cos", "tan", "atan", "log1p", "expm1", "abs"]}


def number(value):
    return float(Fraction(value)) if isinstance(value, str) else float(value)


def tensor(nested):
    if isinstance(nested, list):
        return torch.stack([tensor(v) for v in nested])
    return torch.tensor(number(nested), dtype=torch.float64)


def depth(nested):
    return 1 + depth(nested[0]) if isinstance(nested, list) else 0


def pair(value, default):
    if value is None:
        return (default, default)
    return tuple(value) if isinstance(value, list) else (value, value)


def expression(source, **variables):
    return eval(source.replace("^", "**"), {"__builtins__": {}, "e": math.e, "pi": math.pi, **FUNCTIONS}, variables)


def make_optimizer(spec, parameters):
    """torch.optim's optimizer for the problem's settings; convgrad's defaults are torch.optim's."""
    kind = spec.get("type", "sgd")
    settings = {key: (number(value) if not isinstance(value, (bool, list)) else value) for key, value in spec.items() if key != "type"}
    if "betas" in settings:
        settings["betas"] = tuple(number(b) for b in settings["betas"])
    if kind == "sgd":
        settings.setdefault("lr", 0.01)
        return torch.optim.SGD(parameters, **settings)
    if kind == "adam":
        return torch.optim.Adam(parameters, **settings)
    if kind == "adamw":
        return torch.optim.AdamW(parameters, **settings)
    if kind == "adagrad":
        return torch.optim.Adagrad(parameters, **settings)
    return torch.optim.RMSprop(parameters, **settings)


def solve(problem):
    raw_input, raw_kernel = problem["input"], problem["kernel"]
    input_form, kernel_form = depth(raw_input), depth(raw_kernel)
    x = tensor(raw_input).reshape(*([1] * (4 - input_form)), *tensor(raw_input).shape).clone().requires_grad_(True)
    k = tensor(raw_kernel).reshape(*([1] * (4 - kernel_form)), *tensor(raw_kernel).shape).clone().requires_grad_(True)
    bias = problem.get("bias")
    b = None
    if bias is not None:
        b = torch.tensor([number(v) for v in bias] if isinstance(bias, list) else [number(bias)], dtype=torch.float64, requires_grad=True)
    parameters = [k] + ([b] if b is not None else [])
    optimizer = make_optimizer(problem.get("optimizer", {"type": "sgd", "lr": 0.01}), parameters)
    first = None
    trajectory = []
    for step in range(1, problem.get("steps", 1) + 1):
        optimizer.zero_grad()
        if x.grad is not None:
            x.grad = None
        values = forward(problem, x, k, b)
        values["loss"].backward()
        if first is None:
            first = {key: value for key, value in values.items()}
            first["grad_kernel"], first["grad_input"] = k.grad.clone(), x.grad.clone()
            first["grad_bias"] = b.grad.clone() if b is not None else None
        loss_before = values["loss"].item()
        optimizer.step()
        trajectory.append({"step": step, "loss": loss_before, "kernel": shaped(k, kernel_form)})
        if b is not None:
            trajectory[-1]["bias"] = b.detach().tolist() if isinstance(bias, list) else b.detach().item()

    out_channels = k.shape[0]
    map_form = (2 if out_channels == 1 else 3) if input_form == 2 else input_form
    head = problem.get("head", "sum")
    result = {
        "forward": {
            "conv": shaped(first["conv"], map_form),
            "output": shaped(first["pooled"], map_form),
            "prediction": first["prediction"].item() if head != "none" else shaped(first["prediction"], map_form),
            "loss": first["loss"].item(),
        },
        "grad": {"kernel": shaped(first["grad_kernel"], kernel_form), "input": shaped(first["grad_input"], input_form)},
        "updated": {"kernel": shaped(k, kernel_form)},
        "trajectory": trajectory,
    }
    if b is not None:
        result["grad"]["bias"] = first["grad_bias"].tolist() if isinstance(bias, list) else first["grad_bias"].item()
        result["updated"]["bias"] = b.detach().tolist() if isinstance(bias, list) else b.detach().item()
    return result


def shaped(t, form):
    return t.detach().reshape(t.shape[4 - form:] if form > 0 else ()).tolist()


def forward(problem, x, k, b):
    stride, dilation = pair(problem.get("stride"), 1), pair(problem.get("dilation"), 1)
    groups = problem.get("groups", 1)
    mode = problem.get("padding_mode", "zeros")
    padding = problem.get("padding", 0)
    if mode == "zeros":
        conv = F.conv2d(x, k, b, stride=stride, padding=padding if isinstance(padding, str) else pair(padding, 0), dilation=dilation, groups=groups)
    else:
        if padding == "same":
            totals = [dilation[0] * (k.shape[2] - 1), dilation[1] * (k.shape[3] - 1)]
            (top, bottom), (left, right) = [(t // 2, t - t // 2) for t in totals]
        elif padding == "valid":
            top = bottom = left = right = 0
        else:
            (top, left) = pair(padding, 0)
            bottom, right = top, left
        conv = F.conv2d(F.pad(x, (left, right, top, bottom), mode=mode), k, b, stride=stride, dilation=dilation, groups=groups)
    activation = problem.get("activation", "none")
    if activation == "none":
        a = conv
    elif activation == "relu":
        a = F.relu(conv)
    elif activation == "leaky_relu":
        a = F.leaky_relu(conv, negative_slope=number(problem.get("negative_slope", 0.01)))
    elif activation == "sigmoid":
        a = torch.sigmoid(conv)
    elif activation == "tanh":
        a = torch.tanh(conv)
    elif activation == "gelu":
        a = F.gelu(conv)
    else:
        a = expression(activation["expression"], x=conv)
    pool = problem.get("pool")
    if pool is None:
        p = a
    else:
        size = pair(pool["size"], 1)
        pool_stride = pair(pool.get("stride", pool["size"]), 1)
        p = F.max_pool2d(a, size, pool_stride) if pool["type"] == "max" else F.avg_pool2d(a, size, pool_stride)
    head = problem.get("head", "sum")
    prediction = p.sum() if head == "sum" else p.mean() if head == "mean" else p
    target = torch.tensor(number(problem["target"]), dtype=torch.float64) if head != "none" else tensor(problem["target"]).reshape(p.shape)
    reduction = problem.get("reduction", "mean")
    loss_kind = problem.get("loss", "mse")
    if loss_kind == "mse":
        loss = F.mse_loss(prediction, target, reduction=reduction)
    elif loss_kind == "l1":
        loss = F.l1_loss(prediction, target, reduction=reduction)
    elif loss_kind == "smooth_l1":
        loss = F.smooth_l1_loss(prediction, target, reduction=reduction, beta=number(problem.get("beta", 1)))
    elif loss_kind == "huber":
        loss = F.huber_loss(prediction, target, reduction=reduction, delta=number(problem.get("delta", 1)))
    elif loss_kind == "bce":
        loss = F.binary_cross_entropy(prediction, target, reduction=reduction)
    else:
        elements = expression(loss_kind["expression"], y=prediction, t=target)
        loss = elements.mean() if reduction == "mean" else elements.sum()
    return {"conv": conv, "pooled": p, "prediction": prediction, "loss": loss}


def main():
    problems = json.load(sys.stdin)
    json.dump([solve(p) for p in problems], sys.stdout)


if __name__ == "__main__":
    main()
