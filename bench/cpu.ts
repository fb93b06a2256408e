import { execFileSync } from 'node:child_process';

/** Whether `taskset` is here, to pin the server and the load generator to a core each. */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
