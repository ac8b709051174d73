import type { CommandSpec, ParsedArgs } from './args.js';
import { str, UsageError } from './args.js';
import { loadMorphology, MORPHOLOGIES, toMJCF } from '../morphologies/index.js';
import { applyConditionToSpec } from '../sim/robot.js';
import { parseCondition } from '../sim/conditions.js';
import { writeOutput } from './output.js';

export const command: CommandSpec = {
  name: 'export-mjcf',
  summary: 'write a robot as MuJoCo MJCF XML (spikeloco export-mjcf ant > ant.xml)',
  usage: 'spikeloco export-mjcf ROBOT [--condition "damaged(leg=front-left, length=0.1)"] [--out FILE]',
  positionals: 'ROBOT',
  options: [
    { name: 'condition', type: 'string', description: 'apply the morphological part of a condition (damaged, payload, weak-motor, locked-joint)', metavar: 'COND' },
    { name: 'out', type: 'string', description: 'write to this file instead of stdout', metavar: 'FILE' },
  ],
};

export async function run(args: ParsedArgs): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError(`export-mjcf needs exactly one robot: ${Object.keys(MORPHOLOGIES).join(', ')}, or a JSON spec file`);
  let spec = loadMorphology(args.positionals[0]);
  const cond = str(args, 'condition');
  if (cond) spec = applyConditionToSpec(spec, parseCondition(cond));
  const xml = toMJCF(spec);
  const out = str(args, 'out');
  if (out) writeOutput(out, xml);
  else process.stdout.write(xml);
  return 0;
}
