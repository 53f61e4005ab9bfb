// Parley's libsignal test oracle. Reads one JSON command per line on stdin and writes one JSON
// response per line on stdout, in order: {"id": <echoed>, ...result} or {"id": ..., "error": "..."}.
// {"cmd": "batch", "commands": [...]} runs several commands in order and answers
// {"results": [...]}, each result as it would have been answered alone.
// libsignal is AGPL-licensed: this program is a test oracle only and is never shipped.
import { createInterface } from 'node:readline';
import { ErrorCode } from '@signalapp/libsignal-client';
import { commands } from './commands.js';

function describe(error) {
  if (error && typeof error === 'object') {
    // libsignal errors carry a code (e.g. DuplicatedMessage) and the native operation that failed.
    if (error.name === 'LibSignalError' && typeof error.code === 'number') {
      return `${ErrorCode[error.code] ?? error.code}: ${error.operation}: ${error.message}`;
    }
    return `${error.name ?? 'Error'}: ${error.message ?? String(error)}`;
  }
  return String(error);
}

async function run(request) {
  try {
    if (request === null || typeof request !== 'object') throw new Error('a command must be a JSON object');
    if (request.cmd === 'batch') {
      if (!Array.isArray(request.commands)) throw new Error("batch needs an array 'commands'");
      const results = [];
      for (const inner of request.commands) results.push(await run(inner));
      return { results };
    }
    const handler = Object.hasOwn(commands, request.cmd) ? commands[request.cmd] : undefined;
    if (handler === undefined) throw new Error(`unknown command '${request.cmd}'`);
    return await handler(request);
  } catch (error) {
    return { error: describe(error) };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();

lines.on('line', (line) => {
  if (line.trim().length === 0) return;
  // Commands run strictly one after another, so responses come back in request order.
  queue = queue.then(async () => {
    let request;
    try {
      request = JSON.parse(line);
    } catch (error) {
      process.stdout.write(JSON.stringify({ error: `invalid JSON: ${error.message}` }) + '\n');
      return;
    }
    const response = await run(request);
    process.stdout.write(JSON.stringify({ id: request?.id ?? null, ...response }) + '\n');
  });
});

lines.on('close', () => {
  queue.then(() => process.exit(0));
});

process.on('uncaughtException', (error) => {
  process.stdout.write(JSON.stringify({ id: null, error: `uncaught: ${describe(error)}` }) + '\n');
});
process.on('unhandledRejection', (error) => {
  process.stdout.write(JSON.stringify({ id: null, error: `unhandled: ${describe(error)}` }) + '\n');
});
