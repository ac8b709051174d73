/**
 * Schemas of the messages a page may send (viewer/protocol.ts `ClientMessage`), checked with
 * the project's validator (core/schema.ts: ajv, each schema compiled once, not per message)
 * before anything acts on them. Unknown fields are errors, and so are `__proto__`,
 * `constructor` and the like. Published as `schemas/client-message.schema.json`.
 */
import { UserError } from '../../core/errors.js';
import { precompile, validate, type Schema } from '../../core/schema.js';
import { CLIENT_MESSAGE_TYPES, MAX_EPISODE_SECONDS, MAX_PUSH_SPEED, SPEED_MAX, SPEED_MIN, type ClientMessage } from '../protocol.js';

const id: Schema = { type: 'number', integer: true, min: 0, max: 2 ** 31, description: 'request id echoed in the reply' };
const type = (t: string): Schema => ({ type: 'string', enum: [t] });
const dv: Schema = { type: 'number', min: -MAX_PUSH_SPEED, max: MAX_PUSH_SPEED };

export const CLIENT_MESSAGE_SCHEMAS: Record<ClientMessage['type'], Schema> = {
  condition: {
    type: 'object',
    properties: { type: type('condition'), id, condition: { type: 'string', pattern: /^[A-Za-z0-9_\-+().,=\s]{1,400}$/, description: 'condition string, e.g. rough(amplitude=0.08)' } },
    required: ['type', 'condition'],
  },
  push: {
    type: 'object',
    properties: { type: type('push'), id, velocity: { type: 'tuple', items: [dv, dv, dv], description: 'velocity change, m/s, world frame' } },
    required: ['type', 'velocity'],
  },
  'episode-length': {
    type: 'object',
    properties: { type: type('episode-length'), id, seconds: { type: 'number', min: 0, max: MAX_EPISODE_SECONDS, description: 'live episode length, s (0 = endless)' } },
    required: ['type', 'seconds'],
  },
  speed: { type: 'object', properties: { type: type('speed'), id, speed: { type: 'number', min: SPEED_MIN, max: SPEED_MAX } }, required: ['type', 'speed'] },
  pause: { type: 'object', properties: { type: type('pause'), id, paused: { type: 'boolean' } }, required: ['type', 'paused'] },
  step: { type: 'object', properties: { type: type('step'), id }, required: ['type'] },
  reset: { type: 'object', properties: { type: type('reset'), id, seed: { type: 'number', integer: true, min: 0, max: 2 ** 31 } }, required: ['type'] },
};

// compiled when the server loads, so the first message of each kind is not slowed by ajv
precompile(...Object.values(CLIENT_MESSAGE_SCHEMAS));

export class MessageError extends UserError {
  constructor(
    message: string,
    readonly id?: number,
  ) {
    super(message);
    this.name = 'MessageError';
  }
}

/** Parse and check one inbound text message; throws `MessageError` saying what is wrong. */
export function parseClientMessage(text: string): ClientMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MessageError(`message is not JSON: ${JSON.stringify(text.length > 60 ? text.slice(0, 57) + '...' : text)}`);
  }
  const obj = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  const rid = obj && typeof obj.id === 'number' && Number.isInteger(obj.id) ? obj.id : undefined;
  if (!obj || typeof obj.type !== 'string' || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(obj.type)) {
    throw new MessageError(`message.type: expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}, got ${obj ? JSON.stringify(obj.type) : typeof raw}`, rid);
  }
  try {
    return validate<ClientMessage>(obj, CLIENT_MESSAGE_SCHEMAS[obj.type as ClientMessage['type']], `message ${obj.type}`);
  } catch (err) {
    throw new MessageError((err as Error).message, rid);
  }
}
