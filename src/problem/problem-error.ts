// A problem whose fields are each valid but whose numbers the model cannot take (bce of a prediction
// outside [0, 1], log of a negative number in a user's expression). Reported like a diagnostic: exit 2.
import type { Diagnostic } from './problem.js';

export class ProblemError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(`${diagnostic.path}: ${diagnostic.message}`);
  }
}
