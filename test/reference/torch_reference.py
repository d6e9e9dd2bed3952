"""PyTorch (float64) reference for convgrad's problems.

Reads a JSON list of problem files on standard input and prints, for each, the same quantities as
convgrad's result document: forward.conv, forward.prediction, forward.loss, grad.kernel, grad.bias,
grad.input and updated.kernel/bias after one torch.optim.SGD step. Numbers written as strings
("1/3", "0.01") are read exactly and then rounded once to float64, as convgrad's doubles are.
"""
import json
import sys
import warnings
from fractions import Fraction

import torch
import torch.nn.functional as F

# PyTorch notes that "same" with an even kernel pads a copy of the input: expected, and what convgrad models.
warnings.filterwarnings("ignore", message="Using padding='same'")


def number(value):
    return float(Fraction(value)) if isinstance(value, str) else float(value)


def tensor(rows):
    return torch.tensor([[number(v) for v in row] for row in rows], dtype=torch.float64)


def pair(value, default):
    if value is None:
        return (default, default)
    return tuple(value) if isinstance(value, list) else (value, value)


def solve(problem):
    x = tensor(problem["input"])[None, None].requires_grad_(True)
    k = tensor(problem["kernel"])[None, None].requires_grad_(True)
    bias = problem.get("bias")
    b = None
    if bias is not None:
        b = torch.tensor([number(bias[0] if isinstance(bias, list) else bias)], dtype=torch.float64, requires_grad=True)
    padding = problem.get("padding", 0)
    if not isinstance(padding, str):
        padding = pair(padding, 0)
    conv = F.conv2d(x, k, b, stride=pair(problem.get("stride"), 1), padding=padding, dilation=pair(problem.get("dilation"), 1))
    prediction = conv.sum() if problem.get("head", "sum") == "sum" else conv.mean()
    target = torch.tensor(number(problem["target"]), dtype=torch.float64)
    loss = F.mse_loss(prediction, target, reduction=problem.get("reduction", "mean"))
    loss.backward()
    result = {
        "forward": {"conv": conv[0, 0].tolist(), "prediction": prediction.item(), "loss": loss.item()},
        "grad": {"kernel": k.grad[0, 0].tolist(), "input": x.grad[0, 0].tolist()},
    }
    if b is not None:
        result["grad"]["bias"] = b.grad.tolist() if isinstance(bias, list) else b.grad.item()
    optimizer = problem.get("optimizer", {"type": "sgd", "lr": 0.01})
    parameters = [k] + ([b] if b is not None else [])
    torch.optim.SGD(parameters, lr=number(optimizer.get("lr", 0.01))).step()
    result["updated"] = {"kernel": k.detach()[0, 0].tolist()}
    if b is not None:
        result["updated"]["bias"] = b.detach().tolist() if isinstance(bias, list) else b.detach().item()
    return result


def main():
    problems = json.load(sys.stdin)
    json.dump([solve(p) for p in problems], sys.stdout)


if __name__ == "__main__":
    main()
