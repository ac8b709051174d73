/**
 * `spikeloco <command> [options]`. Each command lives in its own module under cli/ and exports
 * `command: CommandSpec` and `run(args: ParsedArgs): Promise<number>`; modules load lazily so
 * `--help` stays fast and a command only pays for what it imports.
 *
 * Exit codes: 0 done; 2 a user error (`spikeloco CMD: what is wrong and what to do` on one
 * line: a UserError or a file/port problem a person caused); 1 a bug (stack trace and a line
 * saying so).
 */
import { formatHelp, parseArgs, type CommandSpec, type ParsedArgs } from './args.js';
import { UserError } from '../core/errors.js';

interface CommandModule {
  command: CommandSpec;
  run(args: ParsedArgs): Promise<number>;
}

/** name → [one-line summary, module loader]; the summary is duplicated here so --help needs no imports */
const COMMANDS: Record<string, [string, () => Promise<CommandModule>]> = {
  main: ['the default job (npm start): train a gait, evaluate it on unseen conditions, watch it', () => import('./main-job.js')],
  rollout: ['run one controller on one robot and condition; print distance, speed, falls, state hash', () => import('./rollout.js')],
  train: ['train a controller headless with evolution strategies on all cores', () => import('./train.js')],
  eval: ['evaluate checkpoints on a suite of (unseen) conditions: table, JSON, CSV, picture', () => import('./eval.js')],
  curves: ['learning curves of several runs side by side, as SVG', () => import('./curves.js')],
  study: ['the adaptation study: train every arm × regime × seed, evaluate all on the unseen suite', () => import('./study.js')],
  adapt: ['speed before and after a condition switched on mid-episode, plastic vs static (picture)', () => import('./adapt.js')],
  windows: ['a policy over a long episode, window by window: speed, action change, pinned torques, spikes, Hebb at the clip', () => import('./windows.js')],
  watch: ['serve the live three.js viewer on a checkpoint (default: the pretrained plastic-SNN Ant)', () => import('./watch.js')],
  'learn-rule': ['learn a plasticity rule by BPTT with surrogate gradients (TensorFlow.js)', () => import('./learn-rule.js')],
  worker: ['serve rollouts for train/eval/study --redis on this machine (Redis + BullMQ)', () => import('./worker.js')],
  'export-mjcf': ['write a robot as MuJoCo MJCF XML (spikeloco export-mjcf ant > ant.xml)', () => import('./export-mjcf.js')],
};

export function topLevelHelp(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length)) + 2;
  return [
    'spikeloco: legged-robot locomotion driven by plastic spiking neural networks',
    '',
    'usage: spikeloco <command> [options]      spikeloco <command> --help',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, [summary]]) => `  ${name.padEnd(w)}${summary}`),
  ].join('\n');
}

/** Node's error codes for problems a person causes with a path or a port, and what to do about each. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory; check the path',
  EACCES: 'permission denied; choose a path you may read/write, or change its permissions',
  EPERM: 'operation not permitted; choose another path',
  EROFS: 'the file system is read-only; choose a writable path',
  ENOSPC: 'no space left on the device; free some space or choose another path',
  EDQUOT: 'disk quota exceeded; free some space or choose another path',
  EISDIR: 'is a directory, a file was expected; give a file path',
  ENOTDIR: 'a part of the path is not a directory; check the path',
  EMFILE: 'too many open files; close other programs or raise the limit (ulimit -n)',
};

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
  dest?: string;
  address?: string;
  port?: number;
}

/** The one-line message of an error a person can fix, or null for a bug. */
export function userErrorMessage(err: unknown): string | null {
  if (err instanceof UserError) return err.message;
  if (!(err instanceof Error)) return null;
  const e = err as SystemError;
  if (e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL') {
    const where = `${e.address ?? 'the address'}${e.port !== undefined ? `:${e.port}` : ''}`;
    return e.code === 'EADDRINUSE'
      ? `port ${e.port ?? '?'} on ${e.address ?? 'this host'} is already in use (another spikeloco watch?); pick another with --port N (--port 0: any free port)`
      : `cannot bind ${where}: the address is not on this machine; use --host 127.0.0.1 or one of this machine's addresses`;
  }
  if (e.code && SYSTEM_ERRORS[e.code] && (e.path || e.syscall)) {
    const what = e.path ? `${e.path}${e.dest ? ` → ${e.dest}` : ''}` : e.syscall;
    return `${what}: ${SYSTEM_ERRORS[e.code]} (${e.code}${e.syscall ? ` in ${e.syscall}` : ''})`;
  }
  return null;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(topLevelHelp());
    return name ? 0 : 1;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`spikeloco: unknown command "${name}"; spikeloco --help lists them\n\n${topLevelHelp()}`);
    return 2;
  }
  const mod = await entry[1]();
  try {
    const args = parseArgs(mod.command, rest);
    if (args.help) {
      console.log(formatHelp(mod.command));
      return 0;
    }
    return await mod.run(args);
  } catch (err) {
    const message = userErrorMessage(err);
    if (message !== null) {
      // the message proper is its first line; a list of known values may follow, indented
      console.error(`spikeloco ${name}: ${message}`);
      return 2;
    }
    console.error(err instanceof Error ? (err.stack ?? String(err)) : String(err));
    console.error(`spikeloco ${name}: this is a bug in spikeloco, not something you did wrong (an unexpected ${err instanceof Error ? err.name : typeof err}); please report it with the command line and the trace above`);
    return 1;
  }
}
