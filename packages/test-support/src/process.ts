import type { ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';

/**
 * Kills `child` (SIGKILL) when the current test ends, unless it has exited already: an assertion
 * that fails before the test stops the process must not leave it running for the next tests.
 */
export function killWhenTestEnds(child: ChildProcess): void {
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  });
}
