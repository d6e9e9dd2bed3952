// The seed problem of the contract: the default when no file is given.
export const SEED_PROBLEM_NAME = 'seed';

export const SEED_PROBLEM_SOURCE = `{
  "input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
  "kernel": [[3, 2], [1, 5]],
  "head": "sum",
  "loss": "mse",
  "target": 230,
  "optimizer": {"type": "sgd", "lr": 0.01}
}
`;
