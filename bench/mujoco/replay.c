/*
 * replay: drive a MuJoCo model with an open-loop action sequence, several starts, and report
 * per start what the spikeloco fidelity bench compares (bench/fidelity.ts compiles this with
 * `cc` when libmujoco is installed).
 *
 *   replay MODEL.xml ACTIONS.txt [--starts N] [--noise S] [--seed K] [--integrator euler|rk4]
 *          [--timestep DT] [--settle-from T] [--trace K]   (K > 0: the first start's state
 *          every K control steps on stderr)
 *
 * ACTIONS.txt (written from an action JSON by bench/fidelity.ts):
 *   spikeloco-actions 1
 *   joints J name_1 ... name_J       actions are mapped to actuators by their joint's name
 *   controlDt DT
 *   steps N
 *   N lines of J numbers in [-1, 1]
 *
 * Each start: mj_resetData (qpos0: torso at its spawn pose, joints at 0), then every dof's
 * velocity gets N(0, S²) from a seeded generator (start k uses seed K + k), then mj_forward.
 * Each control step holds ctrl for frameSkip = round(controlDt / timestep) physics steps.
 * No termination: the whole sequence runs. Output, one JSON object on stdout:
 *   x        root body x displacement at the end, m
 *   flipped  the root body's up-vector z (xmat[8]) went below 0 after some control step
 *   flipTime the first such time, s (null if never)
 *   amplitudeDeg  per actuated joint, half the peak-to-peak joint angle after --settle-from s
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mujoco/mujoco.h>

static uint64_t rng_state;
static uint64_t splitmix64(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static double uniform01(void) { return ((splitmix64() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
/* Box-Muller: one normal per call (the second is dropped: simplicity over speed here) */
static double normal(void) {
  double u = uniform01(), v = uniform01();
  return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static void die(const char* msg, const char* what) {
  fprintf(stderr, "replay: %s%s%s\n", msg, what ? ": " : "", what ? what : "");
  exit(2);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: replay MODEL.xml ACTIONS.txt [--starts N] [--noise S] [--seed K] [--integrator euler|rk4] [--timestep DT] [--settle-from T]\n");
    return 2;
  }
  int starts = 10;
  double noise = 0.01, timestep = 0, settle = 1.0;
  long seed = 1;
  const char* integrator = NULL;
  int trace = 0;
  for (int i = 3; i < argc; i++) {
    if (i + 1 >= argc) die("missing value for", argv[i]);
    if (!strcmp(argv[i], "--starts")) starts = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--noise")) noise = atof(argv[++i]);
    else if (!strcmp(argv[i], "--seed")) seed = atol(argv[++i]);
    else if (!strcmp(argv[i], "--integrator")) integrator = argv[++i];
    else if (!strcmp(argv[i], "--timestep")) timestep = atof(argv[++i]);
    else if (!strcmp(argv[i], "--settle-from")) settle = atof(argv[++i]);
    else if (!strcmp(argv[i], "--trace")) trace = atoi(argv[++i]);
    else die("unknown option", argv[i]);
  }

  char err[1000] = "";
  mjModel* m = mj_loadXML(argv[1], NULL, err, sizeof err);
  if (!m) die("cannot load model", err);
  if (timestep > 0) m->opt.timestep = timestep;
  if (integrator) {
    if (!strcmp(integrator, "euler")) m->opt.integrator = mjINT_EULER;
    else if (!strcmp(integrator, "rk4")) m->opt.integrator = mjINT_RK4;
    else die("--integrator must be euler or rk4, got", integrator);
  }

  FILE* f = fopen(argv[2], "r");
  if (!f) die("cannot open actions file", argv[2]);
  char word[256];
  int version, J, N;
  double controlDt;
  if (fscanf(f, "%255s %d", word, &version) != 2 || strcmp(word, "spikeloco-actions") || version != 1) die("not a spikeloco-actions 1 file", argv[2]);
  if (fscanf(f, "%255s %d", word, &J) != 2 || strcmp(word, "joints") || J <= 0) die("expected 'joints J names...'", argv[2]);
  int* act = malloc(sizeof(int) * J);   /* action column -> actuator id */
  int* qadr = malloc(sizeof(int) * J);  /* action column -> qpos address of its joint */
  for (int j = 0; j < J; j++) {
    if (fscanf(f, "%255s", word) != 1) die("short joint list", argv[2]);
    int jid = mj_name2id(m, mjOBJ_JOINT, word);
    if (jid < 0) die("joint not in the model", word);
    act[j] = -1;
    for (int a = 0; a < m->nu; a++)
      if (m->actuator_trntype[a] == mjTRN_JOINT && m->actuator_trnid[2 * a] == jid) act[j] = a;
    if (act[j] < 0) die("no actuator drives joint", word);
    qadr[j] = m->jnt_qposadr[jid];
  }
  if (fscanf(f, "%255s %lf", word, &controlDt) != 2 || strcmp(word, "controlDt") || !(controlDt > 0)) die("expected 'controlDt DT'", argv[2]);
  if (fscanf(f, "%255s %d", word, &N) != 2 || strcmp(word, "steps") || N <= 0) die("expected 'steps N'", argv[2]);
  double* A = malloc(sizeof(double) * (size_t)J * N);
  for (long k = 0; k < (long)J * N; k++)
    if (fscanf(f, "%lf", &A[k]) != 1) die("short action table", argv[2]);
  fclose(f);

  int frameSkip = (int)lround(controlDt / m->opt.timestep);
  if (frameSkip < 1) frameSkip = 1;
  int settleStep = (int)lround(settle / controlDt);
  mjData* d = mj_makeData(m);
  double* qmin = malloc(sizeof(double) * J);
  double* qmax = malloc(sizeof(double) * J);
  const int root = 1; /* the first body under the world: the robot's root (torso) */

  printf("{\"model\":\"%s\",\"mujoco\":\"%s\",\"integrator\":\"%s\",\"timestep\":%g,\"frameSkip\":%d,\"controlDt\":%g,\"steps\":%d,\"noise\":%g,\"seed\":%ld,\"runs\":[",
         argv[1], mj_versionString(), m->opt.integrator == mjINT_RK4 ? "RK4" : m->opt.integrator == mjINT_EULER ? "Euler" : "other",
         m->opt.timestep, frameSkip, controlDt, N, noise, seed);
  for (int s = 0; s < starts; s++) {
    rng_state = (uint64_t)(seed + s);
    mj_resetData(m, d);
    for (int i = 0; i < m->nv; i++) d->qvel[i] = noise * normal();
    mj_forward(m, d);
    double x0 = d->xpos[3 * root];
    double flipTime = -1;
    int finite = 1;
    for (int j = 0; j < J; j++) { qmin[j] = INFINITY; qmax[j] = -INFINITY; }
    for (int t = 0; t < N; t++) {
      for (int j = 0; j < J; j++) {
        double u = A[(long)t * J + j];
        d->ctrl[act[j]] = u > 1 ? 1 : u < -1 ? -1 : u;
      }
      for (int k = 0; k < frameSkip; k++) mj_step(m, d);
      if (!isfinite(d->qpos[0]) || !isfinite(d->qvel[0])) { finite = 0; break; }
      if (flipTime < 0 && d->xmat[9 * root + 8] < 0) flipTime = (t + 1) * controlDt;
      if (trace && s == 0 && t % trace == 0) {
        fprintf(stderr, "t %.2f x %.3f z %.3f upz %.3f q", (t + 1) * controlDt, d->xpos[3 * root], d->xpos[3 * root + 2], d->xmat[9 * root + 8]);
        for (int j = 0; j < J; j++) fprintf(stderr, " %.1f", d->qpos[qadr[j]] * 180 / M_PI);
        fprintf(stderr, "\n");
      }
      if (t + 1 >= settleStep)
        for (int j = 0; j < J; j++) {
          double q = d->qpos[qadr[j]];
          if (q < qmin[j]) qmin[j] = q;
          if (q > qmax[j]) qmax[j] = q;
        }
    }
    printf("%s{\"start\":%d,\"seed\":%ld,\"finite\":%s,\"x\":%.6f,\"flipped\":%s,\"flipTime\":", s ? "," : "", s, seed + s,
           finite ? "true" : "false", finite ? d->xpos[3 * root] - x0 : 0.0, flipTime >= 0 ? "true" : "false");
    if (flipTime >= 0) printf("%.3f", flipTime); else printf("null");
    printf(",\"amplitudeDeg\":{");
    for (int j = 0; j < J; j++)
      printf("%s\"%s\":%.3f", j ? "," : "", mj_id2name(m, mjOBJ_JOINT, m->actuator_trnid[2 * act[j]]),
             isfinite(qmax[j] - qmin[j]) ? (qmax[j] - qmin[j]) * 90.0 / M_PI : 0.0);
    printf("}}");
  }
  printf("]}\n");
  mj_deleteData(d);
  mj_deleteModel(m);
  free(A); free(act); free(qadr); free(qmin); free(qmax);
  return 0;
}
