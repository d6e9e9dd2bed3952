"""PyTorch (float64) reference for convgrad's network ops, one op at a time (test/network-ops.test.ts).

Reads a JSON list of cases on standard input. A tensor is {"shape": [...], "data": [...]} with its
entries flat, row-major, as exact strings ("3/4", "-2") read exactly and rounded once to float64.
Each case names its op and gives the input x, the op's parameters and options, and G, an upstream
gradient: the loss is (y * G).sum() (cross-entropy: F.cross_entropy itself). Prints, for each case,
{"output", "grad": {"input", <parameter>: ...}} as flat lists (cross-entropy: "loss", "elements").
"""
import json
import sys
from fractions import Fraction

import torch
import torch.nn as nn
import torch.nn.functional as F


def tensor(t):
    return torch.tensor([float(Fraction(v)) for v in t["data"]], dtype=torch.float64).reshape(t["shape"])


def flat(t):
    return t.detach().reshape(-1).tolist()


def set_parameters(module, weight, bias):
    with torch.no_grad():
        module.weight.copy_(weight)
        if bias is not None:
            module.bias.copy_(bias)


def grads(module, names):
    return {name: flat(getattr(module, pytorch).grad) for name, pytorch in names.items() if getattr(module, pytorch) is not None}


def solve(case):
    op = case["op"]
    x = tensor(case["x"]).requires_grad_(True)
    if op == "cross_entropy":
        target = torch.tensor(case["target"], dtype=torch.long)
        loss = F.cross_entropy(x, target, reduction=case["reduction"])
        loss.backward()
        elements = F.cross_entropy(x.detach(), target, reduction="none")
        return {"loss": loss.item(), "elements": flat(elements), "grad": {"input": flat(x.grad)}}
    bias = tensor(case["bias"]) if case.get("bias") is not None else None
    if op == "linear":
        weight = tensor(case["weight"])
        module = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None, dtype=torch.float64)
        set_parameters(module, weight, bias)
        names = {"weight": "weight", "bias": "bias"}
    elif op == "flatten":
        module = nn.Flatten()
        names = {}
    elif op == "batch_norm2d":
        module = nn.BatchNorm2d(x.shape[1], eps=float(Fraction(case["eps"])), dtype=torch.float64).train()
        set_parameters(module, tensor(case["weight"]), bias)
        names = {"weight": "weight", "bias": "bias"}
    elif op == "conv_transpose2d":
        kernel = tensor(case["kernel"])
        groups = case["groups"]
        module = nn.ConvTranspose2d(kernel.shape[0], kernel.shape[1] * groups, tuple(kernel.shape[2:]), stride=tuple(case["stride"]),
                                    padding=tuple(case["padding"]), output_padding=tuple(case["output_padding"]), groups=groups,
                                    bias=bias is not None, dilation=tuple(case["dilation"]), dtype=torch.float64)
        set_parameters(module, kernel, bias)
        names = {"kernel": "weight", "bias": "bias"}
    else:
        raise ValueError(f"unknown op {op!r}")
    y = module(x)
    (y * tensor(case["G"]).reshape(y.shape)).sum().backward()
    result = {"output": flat(y), "shape": list(y.shape), "grad": {"input": flat(x.grad), **grads(module, names)}}
    if op == "batch_norm2d":
        dims = [0, 2, 3]
        result["mean"] = flat(x.detach().mean(dims))
        result["variance"] = flat(x.detach().var(dims, unbiased=False))
    return result


def main():
    json.dump([solve(c) for c in json.load(sys.stdin)], sys.stdout, allow_nan=True)


if __name__ == "__main__":
    main()
