/**
 * A small, strict argument parser shared by every command: declared options only, typed
 * values, `--help` generated from the declarations. Unknown flags are errors that list the
 * known ones.
 */
import { UserError } from '../core/errors.js';

export interface OptionSpec {
  /** long name without dashes, e.g. 'seconds' */
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'strings';
  description: string;
  default?: string | number | boolean | string[];
  /** placeholder shown in help, e.g. 'FILE' */
  metavar?: string;
  /** inclusive bounds of a number/integer option: shown in help, enforced by parseArgs */
  min?: number;
  max?: number;
  /** a default that is not filled in by parseArgs (it comes from a config), shown in help only */
  shownDefault?: string | number;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  /** name of positional arguments for help, e.g. 'CHECKPOINT...' */
  positionals?: string;
}

export type ParsedArgs = {
  positionals: string[];
  options: Record<string, string | number | boolean | string[] | undefined>;
  help: boolean;
};

export class UsageError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(cmd: CommandSpec, argv: string[]): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  for (const o of cmd.options) if (o.default !== undefined) options[o.name] = o.default;
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      help = true;
      continue;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const opt = cmd.options.find((o) => o.name === name);
    if (!opt) {
      throw new UsageError(`unknown option --${name}; known: ${cmd.options.map((o) => '--' + o.name).join(', ')}, --help`);
    }
    if (opt.type === 'boolean') {
      options[name] = eq < 0 ? true : parseBool(cmd, name, a.slice(eq + 1));
      continue;
    }
    const raw = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value (${opt.metavar ?? opt.type})`);
    if (opt.type === 'number' || opt.type === 'integer') {
      const v = raw.trim() === '' ? NaN : Number(raw);
      if (!Number.isFinite(v) || (opt.type === 'integer' && !Number.isInteger(v))) {
        throw new UsageError(`--${name} expects ${opt.type === 'integer' ? 'an integer' : 'a number'}${rangeText(opt) ? ` in ${rangeText(opt)}` : ''}, got "${raw}"`);
      }
      if ((opt.min !== undefined && v < opt.min) || (opt.max !== undefined && v > opt.max)) {
        throw new UsageError(`--${name} must be in ${rangeText(opt)}, got ${raw}`);
      }
      options[name] = v;
    } else if (opt.type === 'strings') {
      const prev = options[name];
      options[name] = Array.isArray(prev) && prev !== opt.default ? [...prev, raw] : [raw];
    } else {
      options[name] = raw;
    }
  }
  return { positionals, options, help };
}

function parseBool(cmd: CommandSpec, name: string, raw: string): boolean {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new UsageError(`--${name} expects true or false, got "${raw}"`);
}

const fmtBound = (x: number) => (Number.isInteger(x) && Math.abs(x) >= 1e5 ? (x === 2 ** 32 - 1 ? '2^32-1' : x === 2 ** 31 ? '2^31' : x.toExponential().replace('e+', 'e')) : String(x));

/** "1..64", "≥ 0", "≤ 600", or '' for an unbounded option */
export function rangeText(o: OptionSpec): string {
  if (o.min !== undefined && o.max !== undefined) return `${fmtBound(o.min)}..${fmtBound(o.max)}`;
  if (o.min !== undefined) return `≥ ${fmtBound(o.min)}`;
  if (o.max !== undefined) return `≤ ${fmtBound(o.max)}`;
  return '';
}

export function formatHelp(cmd: CommandSpec): string {
  const lines = [`spikeloco ${cmd.name}: ${cmd.summary}`, '', `usage: ${cmd.usage}`, '', 'options:'];
  const width = Math.max(...cmd.options.map((o) => o.name.length + (o.metavar ?? o.type).length), 10) + 6;
  for (const o of cmd.options) {
    const left = `  --${o.name}${o.type === 'boolean' ? '' : ' ' + (o.metavar ?? o.type.toUpperCase())}`;
    const shown = o.default !== undefined && o.default !== false ? (Array.isArray(o.default) ? o.default.join(', ') : String(o.default)) : o.shownDefault !== undefined ? String(o.shownDefault) : undefined;
    const notes = [rangeText(o), shown !== undefined ? `default: ${shown}` : ''].filter(Boolean).join(', ');
    lines.push(`${left.padEnd(width)} ${o.description}${notes ? ` (${notes})` : ''}`);
  }
  lines.push(`  --help${' '.repeat(Math.max(1, width - 7))} show this help`);
  return lines.join('\n');
}

export function str(p: ParsedArgs, name: string): string | undefined {
  const v = p.options[name];
  return typeof v === 'string' ? v : undefined;
}
export function num(p: ParsedArgs, name: string): number | undefined {
  const v = p.options[name];
  return typeof v === 'number' ? v : undefined;
}
export function flag(p: ParsedArgs, name: string): boolean {
  return p.options[name] === true;
}
