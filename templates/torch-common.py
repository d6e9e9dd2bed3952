import json
import math
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

# The problem, every number as the nearest double, and convgrad's results.
DATA = json.loads({{data}})
P = DATA["problem"]
if P["title"] is not None and "--json" not in sys.argv:
    encoding = sys.stdout.encoding or "utf-8"
    print(P["title"].encode(encoding, "backslashreplace").decode(encoding))

# A formula from the problem file, as the tree convgrad read it: [name], [number], or
# [operation, argument, ...] with the operations below and nothing else.
OPERATIONS = {
    "+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div, "^": torch.pow, "neg": torch.neg,
    "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs, "sign": torch.sign,
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "atan": torch.atan, "sinh": torch.sinh,
    "cosh": torch.cosh, "tanh": torch.tanh, "log1p": torch.log1p, "expm1": torch.expm1,
}
CONSTANTS = {"e": math.e, "pi": math.pi}


def formula(tree, variables):
    head, *arguments = tree
    if arguments:
        return OPERATIONS[head](*(formula(argument, variables) for argument in arguments))
    if isinstance(head, str):
        return variables[head] if head in variables else torch.tensor(CONSTANTS[head])
    return torch.tensor(float(head))
