/**
 * Bench processes under valgrind's callgrind, shared by bench/instructions.ts and
 * bench/gateway-instructions.ts: fork one, zero its counters, dump them, read the JavaScript
 * thread's instruction count (repeatable on a busy machine, unlike CPU seconds).
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Whether valgrind and callgrind_control are installed (Debian package "valgrind"). */
export function hasCallgrind(): boolean {
  const has = (cmd: string) => {
    try {
      execFileSync(cmd, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  return has('valgrind') && has('callgrind_control');
}

/**
 * Forks `file` (relative to bench/) under callgrind, its dumps written into `out`. Background
 * timers (key-cache and book sync, usage flush, settlement, webhook and email rounds) fire per
 * second of wall time, and under valgrind a batch takes a machine-dependent number of seconds:
 * they are slowed to once a minute so that they add no load-dependent share to per-request counts;
 * a run signs once, and on a slow day it outlasts the ±30 s timestamp window, hence a wide one.
 */
export function underCallgrind(
  file: string,
  out: string,
  opts: { nodeFlags?: readonly string[]; env?: Record<string, string> } = {},
): ChildProcess {
  return fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      `--callgrind-out-file=${out}/cg.%p`,
      '--separate-threads=yes',
      '--dump-instr=no',
      '--collect-jumps=no',
      process.execPath,
      ...(opts.nodeFlags ?? []),
      '--import',
      'tsx',
    ],
    stdio: ['ignore', 'inherit', 'ignore', 'ipc'],
    env: {
      ...process.env,
      ...opts.env,
      SIGNET_KEY_SYNC_MS: '60000',
      SIGNET_USAGE_FLUSH_MS: '60000',
      SIGNET_WITHDRAWAL_SETTLE_MS: '60000',
      SIGNET_BOOK_SYNC_MS: '60000',
      SIGNET_NOTIFY_MS: '60000',
      SIGNET_TIMESTAMP_WINDOW_S: '3600',
    },
  });
}

/** Counts per process: `zero(pid)` resets its counters, `count(pid)` dumps them and answers the JavaScript thread's instructions since. */
export function callgrindCounter(out: string) {
  const dumps = new Map<string, number>();
  return {
    zero: (pid: string) => execFileSync('callgrind_control', ['-z', pid], { stdio: 'ignore' }),
    count: (pid: string): number => {
      execFileSync('callgrind_control', ['-d', pid], { stdio: 'ignore' });
      const dump = (dumps.get(pid) ?? 0) + 1;
      dumps.set(pid, dump);
      // The JavaScript thread only (-01): V8's compiler and GC helper threads run when they will.
      const file = readdirSync(out).find((f) => f === `cg.${pid}.${dump}-01`);
      if (file === undefined) throw new Error(`callgrind wrote no dump for process ${pid}`);
      return Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(join(out, file), 'utf8'))?.[1]);
    },
  };
}
