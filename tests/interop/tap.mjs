// tap.mjs - the tiny TAP harness shared by the SDK client scripts (sdk-client.mjs,
// sdk-sse-client.mjs, sdk-v2-client.mjs): checks, diagnostics, a run loop with an overall time
// limit, TODO tests and the pending files that name them.

import { existsSync, readFileSync } from 'node:fs';

export class CheckError extends Error {}

// The time limits every client script takes from its environment (milliseconds).
export const OVERALL_MS = Number(process.env.SDK_CLIENT_TIMEOUT_MS || 30000);
export const REQUEST_MS = Number(process.env.SDK_CLIENT_REQUEST_MS || 10000);

// The URL argument of a client script: exits 2 with usage when it is missing or not a URL.
export function requireUrl(url, script, usage) {
  if (!url) {
    console.error(`usage: node ${script}.mjs ${usage}`);
    process.exit(2);
  }
  try {
    new URL(url);
  } catch {
    console.error(`${script}: not a URL: ${url}`);
    process.exit(2);
  }
  return url;
}

// runTap's failInfo for an SDK client: the first transport errors seen, and the URL.
export function transportFailInfo(errors, url) {
  return [errors.length ? `transport errors seen: ${errors.slice(0, 5).join(' | ')}` : '', `against ${url}`]
    .filter(Boolean)
    .join('\n');
}

export function check(cond, msg) {
  if (!cond) throw new CheckError(msg);
}

export function show(v) {
  const s = JSON.stringify(v);
  return s && s.length > 600 ? `${s.slice(0, 600)}...` : s;
}

export function diag(msg) {
  for (const line of String(msg).split('\n')) process.stderr.write(`#   ${line}\n`);
}

export function describeError(e) {
  if (e instanceof CheckError) return e.message;
  const parts = [`${e?.name || 'Error'}: ${e?.message ?? e}`];
  if (e?.code !== undefined) parts.push(`code: ${e.code}`);
  if (e?.data !== undefined) parts.push(`data: ${show(e.data)}`);
  if (e?.cause) parts.push(`cause: ${[e.cause.code, e.cause.message].filter(Boolean).join(' ') || e.cause}`);
  return parts.join('\n');
}

/*
 * A pending file: "<id> <reason...>" lines, "#" comments. Returns a Map id -> reason (empty when
 * the file does not exist).
 */
export function readPending(file) {
  const pending = new Map();
  if (!existsSync(file)) return pending;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^(\S+)\s*(.*)$/);
    pending.set(m[1], m[2] || 'pending');
  }
  return pending;
}

/*
 * Runs tests ([description, async fn] pairs; fn may return a line of information) as TAP and
 * exits: 0 when all passed, 1 otherwise. opts:
 *   name        program name for messages
 *   overallMs   time limit of the whole run: the running test and every later one fail
 *   skipReason  (i) => a reason to skip test i, or null
 *   todo        (i) => a reason to expect test i to fail (a TAP TODO test: its failure does not
 *               count, its diagnostics go to stdout as comments), or null
 *   todoFile    the file the TODO reasons come from, named when a TODO test passes
 *   timeoutInfo () => extra words for the timeout message
 *   after       async () => clean-up before exiting
 *   failInfo    () => a diagnostic printed when something failed, or ''
 */
export async function runTap(tests, opts) {
  let n = 0;
  let failed = 0;
  let current;
  let currentTodo;
  const ok = (desc, todo) => {
    console.log(`ok ${++n} - ${desc}${todo ? ` # TODO ${todo}` : ''}`);
    if (todo) console.log(`# passed: remove it from ${opts.todoFile ?? 'the pending file'}`);
  };
  const notOk = (desc, why, todo) => {
    if (todo) {
      console.log(`not ok ${++n} - ${desc} # TODO ${todo}`);
      for (const line of why.split('\n')) console.log(`#   ${line}`);
      return;
    }
    failed++;
    console.log(`not ok ${++n} - ${desc}`);
    diag(`Failed test '${desc}'`);
    diag(why.replace(/^/gm, '  '));
  };
  const overall = setTimeout(() => {
    const why = `${opts.name}: overall timeout of ${opts.overallMs / 1000} s exceeded`;
    notOk(current, `${why} (${opts.timeoutInfo?.() ?? ''})`, currentTodo);
    for (let j = n; j < tests.length; j++) notOk(tests[j][0], `not run: ${why}`, opts.todo?.(j) || undefined);
    process.exit(failed ? 1 : 0);
  }, opts.overallMs);

  console.log(`1..${tests.length}`);
  for (const [i, [desc, fn]] of tests.entries()) {
    current = desc;
    currentTodo = opts.todo?.(i) || undefined;
    const reason = opts.skipReason?.(i);
    if (reason) {
      console.log(`ok ${++n} - ${desc} # SKIP ${reason}`);
      continue;
    }
    try {
      const info = await fn();
      ok(desc, currentTodo);
      if (info) console.log(`# ${info}`);
    } catch (e) {
      notOk(desc, describeError(e), currentTodo);
    }
  }
  await opts.after?.();
  clearTimeout(overall);
  if (failed) {
    const info = opts.failInfo?.();
    if (info) diag(info);
    console.log(`# ${opts.name}: ${failed} of ${tests.length} failed`);
  }
  process.exit(failed ? 1 : 0);
}
