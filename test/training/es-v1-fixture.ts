/**
 * Values computed by the class-based optimisers (training/optimizers/ at commit 01bcf63, before
 * the state records), with the setups written out in es.test.ts (`legacySetup`) and
 * es-compat.test.ts (`tinyConfig`): the state-record strategies must reproduce them bit for
 * bit. Regenerating them from the new code would make the tests that use them unable to fail;
 * do not.
 */

/** 5 generations on a 7-D quadratic (see es.test.ts `legacySetup`): SHA-256 prefixes of the population's float32 bytes and of the base64 text (core/codec.ts) of the float64 centre / σ after each tell. */
export const legacyTrajectories: Record<string, { pop: string; center: string; sigma: string }[]> = {
  "openai-es": [
    {
      "pop": "72d6303343e8e7e9",
      "center": "0d5feedd7b7187c9",
      "sigma": "cee64b577a04cd28"
    },
    {
      "pop": "f858141af8f35ba5",
      "center": "abf86712a28b692c",
      "sigma": "cee64b577a04cd28"
    },
    {
      "pop": "217f07fad4e4abb7",
      "center": "88cacb5c51462b5f",
      "sigma": "cee64b577a04cd28"
    },
    {
      "pop": "a283e2b1c6b72a73",
      "center": "8a02cb2d1541fbe4",
      "sigma": "cee64b577a04cd28"
    },
    {
      "pop": "25562135330d3c15",
      "center": "8e769be85552e355",
      "sigma": "cee64b577a04cd28"
    }
  ],
  "pgpe": [
    {
      "pop": "9125f78085ddf120",
      "center": "d9b9bf89db35fc21",
      "sigma": "7ae6a9ad968ddf6d"
    },
    {
      "pop": "9123e68ab4749082",
      "center": "aca3a3e4f45d8ff2",
      "sigma": "7ae6a9ad968ddf6d"
    },
    {
      "pop": "b3e43ec3e029e1ae",
      "center": "b7849e566e0dbd4a",
      "sigma": "7ae6a9ad968ddf6d"
    },
    {
      "pop": "5029ad256115d090",
      "center": "4e3e080906175efb",
      "sigma": "7ae6a9ad968ddf6d"
    },
    {
      "pop": "36442e8386d88cec",
      "center": "68432e7911832bc7",
      "sigma": "7ae6a9ad968ddf6d"
    }
  ],
  "snes": [
    {
      "pop": "ed4495868f1063c6",
      "center": "6213a631d560155b",
      "sigma": "562757747579aa09"
    },
    {
      "pop": "0fef3b53b704253f",
      "center": "ff44d6fa52214f81",
      "sigma": "0780eaf06b8e3dba"
    },
    {
      "pop": "99bd7a6b11f4b78e",
      "center": "905fb51c42a823de",
      "sigma": "8dd102f7df064b06"
    },
    {
      "pop": "6411badffda472f8",
      "center": "0a5f8603d1744b74",
      "sigma": "98b9f231ab6bfa2a"
    },
    {
      "pop": "3a4e9e729ac54328",
      "center": "9b223215e35985c7",
      "sigma": "8c2e813660f4c762"
    }
  ]
};

/** The version-1 `OptimizerState` of each kind after 3 of those generations, and after all 5. */
export const legacyStates: Record<string, { atGen3: Record<string, unknown>; final: Record<string, unknown> }> = {
  "openai-es": {
    "atGen3": {
      "kind": "openai-es",
      "version": 1,
      "dim": 7,
      "popSize": 6,
      "seed": 41,
      "generation": 3,
      "hyper": {
        "sigma": 0.1,
        "lr": 0.05,
        "beta1": 0.9,
        "beta2": 0.999,
        "adamEps": 1e-08,
        "weightDecay": 0.01
      },
      "arrays": {
        "center": "8XLDunJj5j8lEBzMIT3qP9WsMrq9aLM/yCMDhhmm5r/rLqEVUOrpvyqRZiejCtW/UiKa2VXa5D8=",
        "sigma": "mpmZmZmZuT+amZmZmZm5P5qZmZmZmbk/mpmZmZmZuT+amZmZmZm5P5qZmZmZmbk/mpmZmZmZuT8=",
        "m": "KHgQnYJJ5T9oO1GG6My6P9fF/VVY5Mo/FDhAzz6At7+SRjwgXgHsv8K8EKi6eMm/9C1ghkKp0b8=",
        "v": "1MMhxLRNmD+AaaZe1U5uP/LrKJY6ZZg/BLNkOQQlYD9Dw8sOC1CgP8RQtgIegKA/fxj5tJv8oD8="
      },
      "scalars": {
        "t": 3
      }
    },
    "final": {
      "kind": "openai-es",
      "version": 1,
      "dim": 7,
      "popSize": 6,
      "seed": 41,
      "generation": 5,
      "hyper": {
        "sigma": 0.1,
        "lr": 0.05,
        "beta1": 0.9,
        "beta2": 0.999,
        "adamEps": 1e-08,
        "weightDecay": 0.01
      },
      "arrays": {
        "center": "DYU8/JGD5D9r4AU7nP3nP+bM0UlrTbc/EIIX9EXZ5L9tnXQpzf/mvzabZECi19K/CabAN7BD5T8=",
        "sigma": "mpmZmZmZuT+amZmZmZm5P5qZmZmZmbk/mpmZmZmZuT+amZmZmZm5P5qZmZmZmbk/mpmZmZmZuT8=",
        "m": "+HH3D1EX5T9cZ2BXBV/kP655laJRodS/j6L2n8vPxb/y0CrBHH7uv6e0X7VK/tm/kFLDddOWh78=",
        "v": "9IFg+ssdoD9W0rAPT1uVP9ixG3w8L6M/j99EJtVqZD9KC9hLMYGiP5t+cQYoMKI/FErZ1souoz8="
      },
      "scalars": {
        "t": 5
      }
    }
  },
  "pgpe": {
    "atGen3": {
      "kind": "pgpe",
      "version": 1,
      "dim": 7,
      "popSize": 6,
      "seed": 41,
      "generation": 3,
      "hyper": {
        "maxSpeed": 0.1,
        "centerLearningRate": 0.05,
        "momentum": 0.9,
        "stdevLearningRate": 0.1,
        "stdevMaxChange": 0.2,
        "stdevMin": 0,
        "stdevMax": -1
      },
      "arrays": {
        "center": "Om6p3Vq05j+vzcR4wSXsPxTrRAg3Orw/tnfRewn6578o4cIJu2rrvzeInTq4yNK/eR+fZD0w5j8=",
        "sigma": "CnaoM79pyT/iunis56DJP0M0EHfOysk/q+RmtOyayT/rTGquD13JP5Hd5+2MrMk/BCHcPf+QyT8=",
        "velocity": "+5kMhnJIqr9N/eBHWwmAv3wtY+nE7Y2/iJbObO01gT/6zP2c/3CvPyotgd3aO5Q/watmUsAtjz8="
      },
      "scalars": {}
    },
    "final": {
      "kind": "pgpe",
      "version": 1,
      "dim": 7,
      "popSize": 6,
      "seed": 41,
      "generation": 5,
      "hyper": {
        "maxSpeed": 0.1,
        "centerLearningRate": 0.05,
        "momentum": 0.9,
        "stdevLearningRate": 0.1,
        "stdevMaxChange": 0.2,
        "stdevMin": 0,
        "stdevMax": -1
      },
      "arrays": {
        "center": "FpttgxW14z/XZW10YC3pP6dwHNZzbMI/NYt521Iq57+003aA4xbnv2pXas28ltC/eqq2At2g5T8=",
        "sigma": "CnaoM79pyT/iunis56DJP0M0EHfOysk/q+RmtOyayT/rTGquD13JP5Hd5+2MrMk/BCHcPf+QyT8=",
        "velocity": "ITio88VMqb8NHByFNKWpv0zSG5ueFpw/NE1kwF+DiT9YojSdqkeuP/gttYQE+JM/4g9V5b+ikL8="
      },
      "scalars": {}
    }
  },
  "snes": {
    "atGen3": {
      "kind": "snes",
      "version": 1,
      "dim": 7,
      "popSize": 5,
      "seed": 41,
      "generation": 3,
      "hyper": {
        "centerLearningRate": 1,
        "stdevLearningRate": 0.373875664607736
      },
      "arrays": {
        "center": "ziEfWn+EtD9P80+J8LTyP18MpFOnrNQ/9ke7iSfmzr8EaIbo3UfSvzwLTIVQ4L4/MJESee8Z8j8=",
        "sigma": "O4IenTge0T8uo4gQeAzNP6csWRr58dQ/EtQy4xfi1z/dYqKGm33RPwE2NW4HFdM/m4yzLJCK0j8="
      },
      "scalars": {}
    },
    "final": {
      "kind": "snes",
      "version": 1,
      "dim": 7,
      "popSize": 5,
      "seed": 41,
      "generation": 5,
      "hyper": {
        "centerLearningRate": 1,
        "stdevLearningRate": 0.373875664607736
      },
      "arrays": {
        "center": "RUxFTGgRyL+2uMCk/b/rPwwtz7gI7NQ/ZQPHv3srxz+LRTIL8Cq9v1j3Jne0ttc/G5/6iV9H7D8=",
        "sigma": "HVIz/lGt0j86FCZgZHrQP+stR/OIhtE/scA7nR2y0j/Eyf2xtXPLP2fu6SVN5M8/BPqV/kpq1D8="
      },
      "scalars": {}
    }
  }
};

/**
 * SHA-256 of {generation, best genome and fitness, history [best, mean, sd, envSteps]} of the tiny
 * Ant run in es-compat.test.ts (4 generations, 2 workers) per optimiser kind; `pgpeResumed`:
 * the same pgpe run resumed from fixtures/es-run-v1-gen2.checkpoint.json (a version-1 checkpoint).
 *
 * Physics-dependent: taken from the class-based optimisers (commit 8f36153) rebuilt on the
 * physics build of sim/rapier.ts PHYSICS_BUILD (@dimforge/rapier3d-simd-compat@0.20.0). On that
 * build the resumed run differs from the uninterrupted one, because the fixture's first two
 * generations were simulated on the previous build (rapier3d-compat 0.21.0); on 0.21.0 both
 * fingerprints were 75c27620…. Regenerate when PHYSICS_BUILD changes.
 */
export const legacyRunFingerprints: Record<string, string> = {
  "pgpe": "464a3664efaef56397320bd37ef5ee68d3747ae549b7401360df63d01a9016d2",
  "pgpeResumed": "4b55dd437551a6dbb1ad294a54d268d96f35bab6eb960a8c0d72b13b4b2086df",
  "openai-es": "063cbf1c86a9c96c3623c1c8d64645aa8a04fdd076a94c238f074b262239609f",
  "snes": "2b5b82e147754882de7d664222b3c8061beb9decd9d4aa082a32c831079de6ec"
};
