/**
 * `spikeloco watch [CHECKPOINT] [--condition …] [--port 8080] [--host 127.0.0.1]`: serve the
 * live three.js viewer. With a checkpoint (best.json or a run checkpoint) or a built-in
 * controller name it runs that controller; with nothing, the pretrained plastic-SNN Ant.
 * `--replay FILE` plays a recording made by `spikeloco rollout --record FILE` instead.
 * `--compare A B` runs two policies side by side in lockstep (watch-compare.ts, viewer/server/compare.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CommandSpec, type ParsedArgs, UsageError, flag, num, str } from './args.js';
import { seedOption } from './limits.js';

export const command: CommandSpec = {
  name: 'watch',
  summary: 'serve the live three.js viewer on a checkpoint (or the built-in gait), or on two side by side (--compare A B)',
  usage:
    'spikeloco watch [CHECKPOINT|gait|plastic-snn|...] [--condition flat] [--episode-seconds S] [--port 8080] [--host 127.0.0.1] [--replay FILE]   (no CHECKPOINT: the pretrained plastic-SNN Ant)\n' +
    '       spikeloco watch --compare A B [--condition flat] [--episode-seconds S] [--seed N] [--port 8080]   (A, B: policy files or built-in names, for the same robot)',
  positionals: 'CHECKPOINT | A B',
  options: [
    { name: 'condition', type: 'string', default: 'flat', metavar: 'COND', description: `starting condition, e.g. 'rough(amplitude=0.08)+friction(mu=0.5)'; change it live from the page` },
    { name: 'morphology', type: 'string', shownDefault: 'ant', metavar: 'NAME|FILE', description: "robot: a registered morphology (ant, hexapod) or a spec .json; with --compare, unless given, the policy files' robot" },
    { name: 'port', type: 'integer', default: 8080, min: 0, max: 65535, description: 'TCP port (0: any free port)' },
    { name: 'host', type: 'string', default: '127.0.0.1', description: 'interface to bind; anything but loopback exposes the viewer to the network' },
    { name: 'replay', type: 'string', metavar: 'FILE', description: 'replay a recording (spikeloco rollout --record FILE) instead of simulating' },
    {
      name: 'compare',
      type: 'boolean',
      description:
        'run the two policies A B side by side in lockstep: same seed, condition, episode length and perturbations; both restart when both episodes ended or at the episode length',
    },
    { name: 'speed', type: 'number', default: 1, min: 0.25, max: 8, description: 'playback speed (changeable from the page)' },
    seedOption(0, 'episode seed (reset noise; untrained built-in networks)'),
    { name: 'max-fps', type: 'integer', default: 60, min: 1, max: 240, description: 'at most this many frames a second per client' },
    { name: 'episode-seconds', type: 'number', min: 0, max: 86400, metavar: 'S', description: "live episode length, s (0 = endless; default: the policy's training episode length, with --compare the longer of the two, else 10); changeable from the page" },
  ],
};

// the study's plastic SNN with the covariance rule: it keeps walking over minutes (the round-1
// viewer/pretrained/ant-plastic walks faster for 10–25 s, then locks in and stands)
const PRETRAINED = fileURLToPath(new URL('../../viewer/pretrained/ant-plastic-switched/best.json', import.meta.url));

export async function run(args: ParsedArgs): Promise<number> {
  const { createLiveSession } = await import('../viewer/server/session.js');
  const { gaitPolicy, loadPolicy, resolvePolicy } = await import('../training/policy.js');
  const { ReplaySession } = await import('../viewer/server/replay.js');
  const { startViewerServer } = await import('../viewer/server/server.js');
  const compare = flag(args, 'compare');
  const replay = str(args, 'replay');
  const morphologyArg = str(args, 'morphology');
  if (compare && replay) throw new UsageError('--compare runs two policies live; it cannot replay a recording (--replay FILE): give one or the other');
  if (!compare && args.positionals.length > 1) throw new UsageError(`at most one CHECKPOINT, got ${args.positionals.join(' ')} (to watch two side by side: watch --compare A B)`);
  // no argument: the shipped pretrained plastic-SNN Ant (made by `spikeloco train`, see its README)
  const checkpoint = args.positionals[0] ?? (replay || (morphologyArg ?? 'ant') !== 'ant' ? undefined : PRETRAINED);
  const speed = num(args, 'speed')!;
  const seed = num(args, 'seed')!;
  if (replay && checkpoint) throw new UsageError('give either a CHECKPOINT (live run) or --replay FILE, not both');
  const checkSeconds = (s: number | undefined) => {
    if (s !== undefined && !(s >= 0 && s <= 3600)) throw new UsageError(`--episode-seconds must be 0 (endless) … 3600, got ${s}`);
    return s;
  };

  let source;
  try {
    if (compare) {
      const { comparePlan } = await import('./watch-compare.js');
      const { createCompareSession } = await import('../viewer/server/compare.js');
      const plan = comparePlan(args.positionals, morphologyArg);
      const [a, b] = plan.sides.map((s) => ({ name: s.name, reward: s.policy?.reward, controller: (env: Parameters<typeof resolvePolicy>[1]) => resolvePolicy(s.policy ?? s.arg, env, seed) }));
      source = await createCompareSession({
        morphology: plan.morphology,
        condition: str(args, 'condition')!,
        episodeSeconds: checkSeconds(num(args, 'episode-seconds') ?? plan.episodeSeconds),
        seed,
        speed,
        maxFps: num(args, 'max-fps'),
        worlds: [a, b],
      });
    } else if (replay) {
      source = ReplaySession.fromFile(replay, { speed });
    } else {
      const { loadMorphology } = await import('../morphologies/index.js');
      const morphology = loadMorphology(morphologyArg ?? 'ant');
      const condition = str(args, 'condition')!;
      // a policy file is read once: its reward weights, episode length and controller
      const trained = checkpoint && existsSync(checkpoint) ? loadPolicy(checkpoint) : undefined;
      const reward = trained?.file.config.reward;
      const episodeSeconds = checkSeconds(num(args, 'episode-seconds') ?? trained?.episodeSeconds);
      source = await createLiveSession({
        morphology,
        condition,
        reward,
        episodeSeconds,
        seed,
        speed,
        maxFps: num(args, 'max-fps'),
        controller: checkpoint
          ? (env) => resolvePolicy(trained ?? checkpoint, env, seed)
          : gaitPolicy,
      });
    }
  } catch (err) {
    if ((err as Error).name === 'ConditionError') throw new UsageError(`${(err as Error).message}`);
    throw err;
  }

  const server = await startViewerServer({
    source,
    host: str(args, 'host'),
    port: num(args, 'port'),
    log: (line) => console.error(line),
  });
  const h = source.hello();
  console.log(`spikeloco watch: ${h.mode === 'replay' ? `replaying ${replay}` : `${h.compare ? 'comparing ' : ''}${h.controller} on ${h.spec.name}, ${h.condition}`}`);
  console.log(`spikeloco watch: open ${server.url}  (Ctrl-C to stop)`);
  if (!['127.0.0.1', 'localhost', '::1'].includes(server.host)) console.log(`spikeloco watch: bound to ${server.host}: anyone who can reach this machine can watch and perturb the run`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
