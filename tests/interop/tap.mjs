// tap.mjs - the tiny TAP harness shared by the SDK client scripts (sdk-client.mjs,
// sdk-sse-client.mjs): checks, diagnostics, and a run loop with an overall time limit.

export class CheckError extends Error {}

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
 * Runs tests ([description, async fn] pairs; fn may return a line of information) as TAP and
 * exits: 0 when all passed, 1 otherwise. opts:
 *   name        program name for messages
 *   overallMs   time limit of the whole run: the running test and every later one fail
 *   skipReason  (i) => a reason to skip test i, or null
 *   timeoutInfo () => extra words for the timeout message
 *   after       async () => clean-up before exiting
 *   failInfo    () => a diagnostic printed when something failed, or ''
 */
export async function runTap(tests, opts) {
  let n = 0;
  let failed = 0;
  let current;
  const ok = (desc) => console.log(`ok ${++n} - ${desc}`);
  const notOk = (desc, why) => {
    failed++;
    console.log(`not ok ${++n} - ${desc}`);
    diag(`Failed test '${desc}'`);
    diag(why.replace(/^/gm, '  '));
  };
  const overall = setTimeout(() => {
    const why = `${opts.name}: overall timeout of ${opts.overallMs / 1000} s exceeded`;
    notOk(current, `${why} (${opts.timeoutInfo?.() ?? ''})`);
    for (const [desc] of tests.slice(n)) notOk(desc, `not run: ${why}`);
    process.exit(1);
  }, opts.overallMs);

  console.log(`1..${tests.length}`);
  for (const [i, [desc, fn]] of tests.entries()) {
    current = desc;
    const reason = opts.skipReason?.(i);
    if (reason) {
      console.log(`ok ${++n} - ${desc} # SKIP ${reason}`);
      continue;
    }
    try {
      const info = await fn();
      ok(desc);
      if (info) console.log(`# ${info}`);
    } catch (e) {
      notOk(desc, describeError(e));
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
