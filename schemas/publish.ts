/**
 * The published JSON Schema files in `schemas/` (draft 2020-12), for editors: a config that
 * starts with `"$schema": "../schemas/training-config.schema.json"` gets completion and checking.
 * Each file is generated from the very schema object the code validates with (`toJsonSchema`),
 * so they cannot drift: `npm run schemas` rewrites them, and a test fails when a committed file
 * differs from what this generates.
 *
 * One difference by design: a training config's `controller` section is a `$ref` to the
 * controller schema here, while the code keeps that section as written and checks it with
 * `parseControllerConfig` (policies store the section unexpanded).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JSON_SCHEMA_DIALECT, toJsonSchema, type JsonSchema, type Schema } from '../core/schema.js';
import { CONTROLLER_CONFIG_SCHEMA } from '../controllers/config.js';
import { MORPHOLOGY_SCHEMA } from '../morphologies/validate.js';
import { TRAIN_CONFIG_SCHEMA } from '../training/config.js';
import { SUITE_SCHEMA } from '../training/suites.js';
import { CLIENT_MESSAGE_SCHEMAS } from '../viewer/server/messages.js';
import { repoRoot } from '../viewer/server/bundle.js';

function doc(title: string, description: string, schema: Schema): JsonSchema {
  return { $schema: JSON_SCHEMA_DIALECT, title, description, ...toJsonSchema(schema, { published: true }) };
}

/** file name → JSON Schema document */
export function publishedSchemas(): Record<string, JsonSchema> {
  const messages = Object.entries(CLIENT_MESSAGE_SCHEMAS);
  return {
    'training-config.schema.json': doc('spikeloco training config', 'spikeloco train --config FILE (training/config.ts)', TRAIN_CONFIG_SCHEMA),
    'controller-config.schema.json': doc('spikeloco controller config', 'a controller: plastic or static SNN, MLP, baselines (controllers/config.ts)', CONTROLLER_CONFIG_SCHEMA),
    'morphology.schema.json': doc('spikeloco morphology spec', 'a robot as data; --morphology FILE (morphologies/validate.ts; the meaning checks there go beyond this shape)', MORPHOLOGY_SCHEMA),
    'suite.schema.json': doc('spikeloco suite', 'a named set of condition strings; --suite FILE (training/suites.ts)', SUITE_SCHEMA),
    'client-message.schema.json': {
      $schema: JSON_SCHEMA_DIALECT,
      title: 'spikeloco viewer: client → server websocket message',
      description: 'one JSON text per websocket message (viewer/server/messages.ts, viewer/protocol.ts)',
      oneOf: messages.map(([type]) => ({ $ref: `#/$defs/${type}` })),
      $defs: Object.fromEntries(messages.map(([type, s]) => [type, toJsonSchema(s, { published: true })])),
    },
  };
}

/** The text each file holds: two-space JSON and a final newline. */
export function schemaFileText(schema: JsonSchema): string {
  return JSON.stringify(schema, null, 2) + '\n';
}

export function writePublishedSchemas(dir = join(repoRoot(), 'schemas')): string[] {
  const written: string[] = [];
  for (const [file, schema] of Object.entries(publishedSchemas())) {
    writeFileSync(join(dir, file), schemaFileText(schema));
    written.push(join(dir, file));
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of writePublishedSchemas()) console.log(`wrote ${f}`);
}
