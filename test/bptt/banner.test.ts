import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('the tfjs "looks like you are running TensorFlow.js in Node.js" banner is silenced, even on the cpu backend', async () => {
  const backend = fileURLToPath(new URL('../../training/bptt/backend.js', import.meta.url));
  const script = `const b = await import(${JSON.stringify(backend)}); console.log(await b.initBackend('cpu')); const tf = await import('@tensorflow/tfjs'); console.log(tf.square(tf.tensor1d([3])).dataSync()[0]);`;
  const r = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../../', import.meta.url)) }, (err, stdout, stderr) => (err ? reject(err) : resolve({ stdout, stderr }))),
  );
  assert.equal(r.stdout, 'cpu\n9\n');
  assert.doesNotMatch(r.stdout + r.stderr, /looks like you are running TensorFlow\.js/);
});
