/**
 * `spikeloco <command> [options]`. Each command lives in its own module under cli/ and exports
 * `command: CommandSpec` and `run(args: ParsedArgs): Promise<number>`; modules load lazily so
 * `--help` stays fast and a command only pays for what it imports.
 */
import { formatHelp, parseArgs, UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { SchemaError } from '../core/schema.js';

interface CommandModule {
  command: CommandSpec;
  run(args: ParsedArgs): Promise<number>;
}

/** name → [one-line summary, module loader]; the summary is duplicated here so --help needs no imports */
const COMMANDS: Record<string, [string, () => Promise<CommandModule>]> = {
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

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(topLevelHelp());
    return name ? 0 : 1;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`spikeloco: unknown command "${name}"\n\n${topLevelHelp()}`);
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
    if (err instanceof UsageError || err instanceof SchemaError || (err instanceof Error && err.name === 'SpecError')) {
      console.error(`spikeloco ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
