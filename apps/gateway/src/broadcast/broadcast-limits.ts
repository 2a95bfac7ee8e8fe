// The last look at a broadcast request before it becomes an event: what no later stage can store
// or send is refused here with a 400 naming the field, whichever public API it came through.
import {
  INPUT_LIMITS,
  illFormedString,
  jsonSizeProblem,
  mayBeIllFormed,
  variablesProblem,
  type BroadcastRequested,
  type InputProblem,
} from '@herald/contracts';
import { HeraldError } from '@herald/errors';

/** Throws a 400 for the first problem of `event`; `json` is the event as JSON (already made for its size). */
export function checkBroadcastLimits(event: BroadcastRequested, json: string): void {
  const problem = problemOf(event, json);
  if (problem) throw HeraldError.invalid(problem.field, problem.message, limitsFix(problem.field));
}

function problemOf(event: BroadcastRequested, json: string): InputProblem | undefined {
  if (mayBeIllFormed(json)) {
    const problem = illFormedString(event, 'request');
    if (problem) return problem;
  }
  for (const [i, target] of (event.targets ?? []).entries()) {
    const problem = target.variables && variablesProblem(target.variables, `targets[${i}]`);
    if (problem) return problem;
  }
  return (
    (event.setVariables && variablesProblem(event.setVariables, 'set_variables')) ||
    jsonSizeProblem(event.payload, INPUT_LIMITS.payloadBytes, 'payload')
  );
}

function limitsFix(field: string): string {
  if (field === 'payload')
    return `Forward at most ${INPUT_LIMITS.payloadBytes} bytes of JSON; keep large data on your side and send an id.`;
  return `Send at most ${INPUT_LIMITS.variables} variables, names up to ${INPUT_LIMITS.variableName} and values up to ${INPUT_LIMITS.variableValue} characters, as valid Unicode text without NUL.`;
}
