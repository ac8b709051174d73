import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageError, parseClientMessage } from '../../viewer/server/messages.js';
import { schemaCompileCount } from '../../core/schema.js';

const refusal = (text: string): MessageError => {
  try {
    parseClientMessage(text);
  } catch (e) {
    assert.ok(e instanceof MessageError, `expected a MessageError, got ${String(e)}`);
    return e;
  }
  assert.fail(`${text} was accepted`);
};

test('hostile keys in a message are refused, naming the key and the allowed fields', () => {
  // JSON.parse makes an own "__proto__" property; the old `key in properties` check let it through
  const proto = refusal('{"type":"step","__proto__":{"id":1},"id":4}');
  assert.equal(proto.message, 'message step: __proto__: no such field; allowed: type, id');
  assert.equal(proto.id, 4);
  assert.equal(refusal('{"type":"pause","paused":true,"constructor":1}').message, 'message pause: constructor: no such field; allowed: type, id, paused');
  assert.match(refusal('{"type":"speed","speed":1,"toString":"x"}').message, /^message speed: toString: no such field; allowed: type, id, speed$/);
  assert.match(refusal('{"type":"reset","sed":3}').message, /^message reset: sed: no such field \(did you mean "seed"\?\); allowed: type, id, seed$/);
  assert.match(refusal('{"type":"constructor"}').message, /^message\.type: expected one of condition, push/);
  assert.match(refusal('{"type":"__proto__"}').message, /^message\.type: expected one of/);
});

test('messages are checked by schemas compiled once, not per message', () => {
  parseClientMessage('{"type":"speed","speed":2}');
  assert.throws(() => parseClientMessage('{"type":"speed","speed":"fast"}'), MessageError);
  const before = schemaCompileCount();
  for (let i = 0; i < 500; i++) {
    parseClientMessage(`{"type":"speed","speed":${1 + (i % 3)},"id":${i}}`);
    assert.throws(() => parseClientMessage('{"type":"speed","speed":"fast"}'), MessageError);
  }
  assert.equal(schemaCompileCount(), before);
});
