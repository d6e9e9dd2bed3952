"""PyTorch (float64) reference for convgrad's networks of layers (the problem's `layers`).

Reads a JSON list of problem files on standard input; builds each network as the contract says
(torch.nn.Sequential of nn.Conv2d, nn.ConvTranspose2d, nn.ReLU, nn.LeakyReLU, nn.Sigmoid, nn.Tanh,
nn.GELU, an expression, nn.MaxPool2d, nn.AvgPool2d, nn.BatchNorm2d in train(), nn.Flatten,
nn.Linear), in float64, takes the problem's optimizer steps over model.parameters(), and prints
for each problem the result document's quantities for a network: forward.layers, forward.prediction,
forward.loss, grad.layers, grad.outputs, grad.input, updated.layers and the trajectory.
Numbers written as strings ("1/3", "0.01") are read exactly and rounded once to float64.
"""
import json
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_reference import depth, expression, make_optimizer, number, pair, tensor

warnings.filterwarnings("ignore", message="Using padding='same'")

# The name each layer type gives its weight in grad.layers and updated.layers.
WEIGHT_NAME = {"conv2d": "kernel", "conv_transpose2d": "kernel", "linear": "weight", "batch_norm2d": "weight"}


class Expression(nn.Module):
    """An activation written as an expression in x, evaluated with torch's functions."""

    def __init__(self, source):
        super().__init__()
        self.source = source

    def forward(self, x):
        return expression(self.source, x=x)


def vector(values):
    """A bias or a batch norm's weight: [n], or one number for one channel."""
    return torch.tensor([number(v) for v in (values if isinstance(values, list) else [values])], dtype=torch.float64)


def set_parameters(module, weight, bias):
    with torch.no_grad():
        module.weight.copy_(weight)
        if bias is not None:
            module.bias.copy_(bias)


def conv_padding(spec):
    padding = spec.get("padding", 0)
    return padding if isinstance(padding, str) else pair(padding, 0)


def build(spec, channels):
    """The module for one layer, with the problem's parameters; `channels` is the input's channel count."""
    kind = spec["type"]
    if kind == "conv2d":
        kernel = tensor(spec["kernel"])
        bias = spec.get("bias")
        module = nn.Conv2d(channels, kernel.shape[0], tuple(kernel.shape[2:]), stride=pair(spec.get("stride"), 1), padding=conv_padding(spec),
                           dilation=pair(spec.get("dilation"), 1), groups=spec.get("groups", 1), bias=bias is not None,
                           padding_mode=spec.get("padding_mode", "zeros"), dtype=torch.float64)
        set_parameters(module, kernel, vector(bias) if bias is not None else None)
        return module
    if kind == "conv_transpose2d":
        kernel = tensor(spec["kernel"])
        bias = spec.get("bias")
        groups = spec.get("groups", 1)
        module = nn.ConvTranspose2d(kernel.shape[0], kernel.shape[1] * groups, tuple(kernel.shape[2:]), stride=pair(spec.get("stride"), 1),
                                    padding=pair(spec.get("padding"), 0), output_padding=pair(spec.get("output_padding"), 0), groups=groups,
                                    bias=bias is not None, dilation=pair(spec.get("dilation"), 1), dtype=torch.float64)
        set_parameters(module, kernel, vector(bias) if bias is not None else None)
        return module
    if kind == "relu":
        return nn.ReLU()
    if kind == "leaky_relu":
        return nn.LeakyReLU(number(spec.get("negative_slope", "0.01")))
    if kind == "sigmoid":
        return nn.Sigmoid()
    if kind == "tanh":
        return nn.Tanh()
    if kind == "gelu":
        return nn.GELU()
    if kind == "activation":
        return Expression(spec["expression"])
    if kind in ("max_pool", "avg_pool"):
        size = pair(spec["size"], 1)
        stride = pair(spec.get("stride", spec["size"]), 1)
        return nn.MaxPool2d(size, stride) if kind == "max_pool" else nn.AvgPool2d(size, stride)
    if kind == "batch_norm2d":
        module = nn.BatchNorm2d(channels, eps=number(spec.get("eps", "1e-5")), dtype=torch.float64)
        set_parameters(module, vector(spec["weight"]) if "weight" in spec else torch.ones(channels, dtype=torch.float64),
                       vector(spec["bias"]) if "bias" in spec else torch.zeros(channels, dtype=torch.float64))
        return module.train()
    if kind == "flatten":
        return nn.Flatten()
    if kind == "linear":
        weight = tensor(spec["weight"])
        bias = spec.get("bias")
        module = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None, dtype=torch.float64)
        set_parameters(module, weight, vector(bias) if bias is not None else None)
        return module
    raise ValueError(f"unknown layer type {kind!r}")


def batched(raw):
    """The input as [N][C][H][W]: [H][W] is N = C = 1, [C][H][W] is N = 1."""
    x = tensor(raw)
    return x.reshape(*([1] * (4 - depth(raw))), *x.shape)


def layer_parameters(spec, module):
    """{"kernel"/"weight": …, "bias": …} of one layer after the steps, {} without parameters."""
    if spec["type"] not in WEIGHT_NAME:
        return {}
    out = {WEIGHT_NAME[spec["type"]]: module.weight.detach().tolist()}
    if module.bias is not None:
        out["bias"] = module.bias.detach().tolist()
    return out


def layer_gradients(spec, module):
    if spec["type"] not in WEIGHT_NAME:
        return {}
    out = {WEIGHT_NAME[spec["type"]]: module.weight.grad.tolist()}
    if module.bias is not None:
        out["bias"] = module.bias.grad.tolist()
    return out


def loss_of(problem, prediction):
    head = problem.get("head", "sum")
    reduction = problem.get("reduction", "mean")
    kind = problem.get("loss", "mse")
    if kind == "cross_entropy":
        return F.cross_entropy(prediction, torch.tensor(problem["target"], dtype=torch.long), reduction=reduction)
    target = torch.tensor(number(problem["target"]), dtype=torch.float64) if head != "none" else tensor(problem["target"]).reshape(prediction.shape)
    if kind == "mse":
        return F.mse_loss(prediction, target, reduction=reduction)
    if kind == "l1":
        return F.l1_loss(prediction, target, reduction=reduction)
    if kind == "smooth_l1":
        return F.smooth_l1_loss(prediction, target, reduction=reduction, beta=number(problem.get("beta", 1)))
    if kind == "huber":
        return F.huber_loss(prediction, target, reduction=reduction, delta=number(problem.get("delta", 1)))
    if kind == "bce":
        return F.binary_cross_entropy(prediction, target, reduction=reduction)
    elements = expression(kind["expression"], y=prediction, t=target)
    return elements.mean() if reduction == "mean" else elements.sum()


def solve(problem):
    x = batched(problem["input"]).clone().requires_grad_(True)
    modules = []
    probe = x.detach()
    for spec in problem["layers"]:
        module = build(spec, probe.shape[1] if probe.dim() > 1 else 0)
        modules.append(module)
        with torch.no_grad():
            probe = module(probe)
    model = nn.Sequential(*modules).train()
    optimizer = make_optimizer(problem.get("optimizer", {"type": "sgd", "lr": 0.01}), list(model.parameters()))
    head = problem.get("head", "sum")
    first = None
    trajectory = []
    for step in range(1, problem.get("steps", 1) + 1):
        optimizer.zero_grad()
        x.grad = None
        outputs = []
        value = x
        for module in modules:
            value = module(value)
            value.retain_grad()
            outputs.append(value)
        prediction = value.sum() if head == "sum" else value.mean() if head == "mean" else value
        loss = loss_of(problem, prediction)
        loss.backward()
        if first is None:
            first = {
                "forward": {
                    "layers": [o.detach().tolist() for o in outputs],
                    "prediction": prediction.item() if head != "none" else prediction.detach().tolist(),
                    "loss": loss.item(),
                },
                "grad": {
                    "layers": [layer_gradients(spec, m) for spec, m in zip(problem["layers"], modules)],
                    "outputs": [o.grad.tolist() for o in outputs],
                    "input": x.grad.tolist(),
                },
            }
        loss_before = loss.item()
        optimizer.step()
        trajectory.append({"step": step, "loss": loss_before, "layers": [layer_parameters(spec, m) for spec, m in zip(problem["layers"], modules)]})
    return {**first, "updated": {"layers": trajectory[-1]["layers"]}, "trajectory": trajectory}


def main():
    json.dump([solve(p) for p in json.load(sys.stdin)], sys.stdout, allow_nan=True)


if __name__ == "__main__":
    main()
