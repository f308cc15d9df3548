#!/usr/bin/env node
// run-conformance.mjs - run the official MCP conformance suite (@modelcontextprotocol/conformance,
// pinned in package.json) against a server URL and report one TAP test per scenario.
//
//   node run-conformance.mjs [options] <url>
//     --package DIR                the suite's package under node_modules (default
//                                  @modelcontextprotocol/conformance = 0.1.16; conformance-next =
//                                  the 0.2.0-alpha.12 alias)
//     --suite active|all|pending   which scenarios (default: $MCP_CONFORMANCE_SUITE or "active")
//     --requirements REV           run the frozen requirement set REV (0.2.x; e.g. 2026-07-28),
//                                  each at its own wire; repeatable: one suite run per REV. Tests
//                                  are then named "REV scenario"; replaces --suite
//     --scenario NAME              run only NAME (repeatable; also $MCP_CONFORMANCE_ONLY, space-separated);
//                                  with --requirements, NAME runs at each REV whose set lists it
//     --spec-version V             pass --spec-version V to the suite (e.g. 2025-06-18)
//     --pending FILE               expected failures (default: conformance-pending.txt beside this file)
//     --timeout SEC                limit for the whole run (default: $MCP_CONFORMANCE_TIMEOUT or 600)
//     --scenario-timeout SEC       the suite's own per-scenario limit (0.2.x `--timeout`; a scenario
//                                  over it fails with check scenario-timeout)
//     --summary                    echo the suite's own summary (=== SUMMARY === ...) as TAP comments
//     --output-dir DIR             keep the suite's results (checks.json per scenario + conformance.log)
//                                  in DIR (also $MCP_CONFORMANCE_OUT); otherwise a temporary directory
//                                  is used, removed when nothing failed and kept (and named) otherwise
//     --verbose                    echo the suite's own output as TAP comments
//
// A scenario passes when none of its checks has status FAILURE (WARNING/INFO/SKIPPED do not fail;
// the suite's "N passed" count is inflated, so only FAILUREs are read). Scenarios listed in the
// pending file are reported as TAP TODO tests: a line "<scenario> <reason>", or with --requirements
// "<REV> <scenario> <reason>". A scenario the requirement set runs but does not score (not_scored:
// extension, pending, added-after-release) is still a test here; a note names it.
// Exit status: 0 when every non-TODO test passed.
//
// The suite needs Node >= 22: it is run with node_modules/.bin/node (the pinned `node` package).

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE_BIN = path.join(HERE, 'node_modules', '.bin');

function usage(msg) {
  if (msg) console.error(`run-conformance: ${msg}`);
  console.error('usage: node run-conformance.mjs [--package DIR] [--suite active|all|pending | --requirements REV...] ' +
    '[--scenario NAME]... [--spec-version V] [--pending FILE] [--timeout SEC] [--scenario-timeout SEC] ' +
    '[--output-dir DIR] [--summary] [--verbose] <url>');
  process.exit(2);
}

// ---- arguments --------------------------------------------------------------------------------
const opt = {
  url: undefined,
  pkg: '@modelcontextprotocol/conformance',
  requirements: [],
  scenarioTimeout: undefined,
  summary: false,
  suite: process.env.MCP_CONFORMANCE_SUITE || 'active',
  scenarios: (process.env.MCP_CONFORMANCE_ONLY || '').split(/\s+/).filter(Boolean),
  specVersion: undefined,
  pending: path.join(HERE, 'conformance-pending.txt'),
  timeout: Number(process.env.MCP_CONFORMANCE_TIMEOUT || 600),
  outputDir: process.env.MCP_CONFORMANCE_OUT || undefined,
  verbose: false,
};
{
  const argv = process.argv.slice(2);
  let cliScenarios = false;
  const val = (i) => (i + 1 < argv.length ? argv[i + 1] : usage(`${argv[i]} needs a value`));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') opt.url = val(i++);
    else if (a === '--package') opt.pkg = val(i++);
    else if (a === '--requirements') opt.requirements.push(val(i++));
    else if (a === '--scenario-timeout') opt.scenarioTimeout = Number(val(i++));
    else if (a === '--summary') opt.summary = true;
    else if (a === '--suite') opt.suite = val(i++);
    else if (a === '--scenario') {
      if (!cliScenarios) opt.scenarios = [];
      cliScenarios = true;
      opt.scenarios.push(val(i++));
    } else if (a === '--spec-version') opt.specVersion = val(i++);
    else if (a === '--pending') opt.pending = val(i++);
    else if (a === '--timeout') opt.timeout = Number(val(i++));
    else if (a === '-o' || a === '--output-dir') opt.outputDir = val(i++);
    else if (a === '--verbose') opt.verbose = true;
    else if (a === '-h' || a === '--help') usage();
    else if (!a.startsWith('-') && opt.url === undefined) opt.url = a;
    else usage(`unexpected argument: ${a}`);
  }
  if (!opt.url) usage('no server URL given');
  if (!['active', 'all', 'pending', 'core'].includes(opt.suite)) usage(`unknown suite: ${opt.suite}`);
  if (!(opt.timeout > 0)) usage('--timeout must be a positive number of seconds');
  if (opt.scenarioTimeout !== undefined && !(opt.scenarioTimeout > 0)) {
    usage('--scenario-timeout must be a positive number of seconds');
  }
  for (const r of opt.requirements) if (!/^\d{4}-\d{2}-\d{2}$/.test(r)) usage(`--requirements needs a date: ${r}`);
  if (opt.requirements.length && opt.specVersion) usage('--requirements cannot be combined with --spec-version');
}
const CLI_DIR = path.join(HERE, 'node_modules', ...opt.pkg.split('/'));
const CLI = path.join(CLI_DIR, 'dist', 'index.js');

// ---- TAP output -------------------------------------------------------------------------------
let testNo = 0;
let realFailures = 0;
const say = (line) => process.stdout.write(`${line}\n`);
const comment = (text) => String(text).split('\n').forEach((l) => say(`# ${l}`));
const diagErr = (text) => String(text).split('\n').forEach((l) => process.stderr.write(`#   ${l}\n`));
function emit(pass, name, { todo, diag = [], notes = [] } = {}) {
  const dir = todo !== undefined ? ` # TODO ${todo}` : '';
  say(`${pass ? 'ok' : 'not ok'} ${++testNo} - ${name}${dir}`);
  if (!pass && todo === undefined) {
    realFailures++;
    diagErr(`Failed test '${name}'`); // like Test::More: failure diagnostics on stderr
    diag.forEach((d) => diagErr(`  ${d}`));
  } else {
    diag.forEach((d) => comment(`  ${d}`));
  }
  notes.forEach((n) => comment(`  ${n}`));
}
// A set-up failure: one failing test (not "Bail out!", which would stop a whole prove run).
function setupFailure(name, msg) {
  say('1..1');
  say(`not ok 1 - ${name}`);
  diagErr(msg);
  process.exit(1);
}

// ---- environment checks -----------------------------------------------------------------------
const node22 = path.join(NODE_BIN, 'node');
if (!existsSync(CLI) || !existsSync(node22)) {
  setupFailure('the conformance suite and Node 22 are installed',
    `conformance suite or Node 22 missing under ${path.join(HERE, 'node_modules')}: run \`make npm-deps\` ` +
    '(or `npm ci --no-audit --no-fund` in tests/interop)');
}
const { name: cliName, version: cliVersion } = JSON.parse(readFileSync(path.join(CLI_DIR, 'package.json'), 'utf8'));

// The frozen requirement sets (requirements/REV.yaml in the suite's package, 0.2.x): the server
// scenarios REV requires, and those it runs without scoring (scenario -> reason). The YAML is
// simple (top-level keys, "  - name" lists, "  - scenario: X" maps), read line by line.
function readRequirements(rev) {
  const file = path.join(CLI_DIR, 'requirements', `${rev}.yaml`);
  if (!existsSync(file)) {
    setupFailure(`the requirement set ${rev} exists`,
      `${file} not found: ${opt.pkg} ${cliVersion} has no requirement set ${rev} (0.2.x has them)`);
  }
  const req = { server: [], notScored: new Map() };
  let section;
  let entry;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    let m;
    if (!line || /^\s*#/.test(line)) continue;
    if ((m = line.match(/^(\w+):\s*$/))) {
      section = m[1];
      entry = undefined;
    } else if (section === 'server' && (m = line.match(/^\s+-\s+(\S+)$/))) {
      req.server.push(m[1]);
    } else if (section === 'not_scored' && (m = line.match(/^\s+-\s+scenario:\s*(\S+)$/))) {
      entry = { scenario: m[1] };
    } else if (section === 'not_scored' && entry && (m = line.match(/^\s+(leg|reason):\s*(\S+)$/))) {
      entry[m[1]] = m[2];
      if (entry.leg === 'server' && entry.reason) req.notScored.set(entry.scenario, entry.reason);
    }
  }
  if (!req.server.length) setupFailure(`the requirement set ${rev} is readable`, `no server scenarios found in ${file}`);
  return req;
}
const requirements = new Map(opt.requirements.map((r) => [r, readRequirements(r)]));

const pending = new Map();
if (existsSync(opt.pending)) {
  for (const raw of readFileSync(opt.pending, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    // "<scenario> <reason>" or, for --requirements runs, "<REV> <scenario> <reason>"
    const m = line.match(/^(\d{4}-\d{2}-\d{2}\s+\S+|\S+)\s*(.*)$/);
    pending.set(m[1].replace(/\s+/, ' '), m[2] || 'pending');
  }
} else if (opt.pending !== path.join(HERE, 'conformance-pending.txt')) {
  setupFailure('the pending file exists', `pending file not found: ${opt.pending}`);
}

let outDir;
let outDirIsTemp = false;
if (opt.outputDir) {
  outDir = path.resolve(opt.outputDir);
  mkdirSync(outDir, { recursive: true });
} else {
  outDir = mkdtempSync(path.join(tmpdir(), 'mcp-conformance-'));
  outDirIsTemp = true;
}
const logPath = path.join(outDir, 'conformance.log');
const log = createWriteStream(logPath, { flags: 'a' });

// ---- running the suite ------------------------------------------------------------------------
const deadline = Date.now() + opt.timeout * 1000;
let child;
let timedOut = false;
const seen = new Map(); // test name ("[REV ]scenario") -> { rev, scenario, dir, error, done }
const order = [];
let announced; // number of scenarios the suite said it would run
let lastRunLines = []; // output of the latest CLI run (first 200 lines)
let summaryLines = []; // the suite's own summary of the latest CLI run
const testName = (rev, scenario) => (rev ? `${rev} ${scenario}` : scenario);
function startTest(rev, scenario) {
  const name = testName(rev, scenario);
  if (!seen.has(name)) {
    seen.set(name, { rev, scenario });
    order.push(name);
  }
  return name;
}

function killChild() {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
  setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000).unref();
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killChild();
    comment(`run-conformance: got ${sig}, suite killed`);
    process.exit(1);
  });
}

function scenarioResult(name) {
  const s = seen.get(name);
  const todo = pending.get(name);
  if (!s.dir || !existsSync(path.join(s.dir, 'checks.json'))) {
    const why = timedOut && !s.error ? `timed out: the whole run exceeded ${opt.timeout} s`
      : `the suite saved no results for this scenario${s.error ? `: ${s.error}` : ''} (log: ${logPath})`;
    emit(false, name, { todo, diag: [why] });
    return;
  }
  let checks;
  try {
    checks = JSON.parse(readFileSync(path.join(s.dir, 'checks.json'), 'utf8'));
  } catch (e) {
    emit(false, name, { todo, diag: [`unreadable ${path.join(s.dir, 'checks.json')}: ${e.message}`] });
    return;
  }
  const count = (st) => checks.filter((c) => c.status === st).length;
  const failed = checks.filter((c) => c.status === 'FAILURE');
  const short = (v) => {
    const t = JSON.stringify(v);
    return t && t.length > 400 ? `${t.slice(0, 400)}...` : t;
  };
  const diag = failed.map((c) => `${c.id}: ${c.errorMessage || c.description}` +
    (c.details ? `\n      details: ${short(c.details)}` : ''));
  const notes = checks.filter((c) => c.status === 'WARNING')
    .map((c) => `warning ${c.id}: ${c.errorMessage || c.description}`);
  const unscored = s.rev && requirements.get(s.rev)?.notScored.get(s.scenario);
  if (unscored) notes.unshift(`not scored by the suite for ${s.rev} (${unscored})`);
  if (failed.length === 0 && todo !== undefined) notes.push(`passed: remove it from ${path.basename(opt.pending)}`);
  if (failed.length) {
    // a temporary results directory is kept only when a non-TODO test fails
    const where = todo === undefined || !outDirIsTemp ? `; ${path.join(s.dir, 'checks.json')}` : '';
    notes.push(`${checks.length} checks: ${count('SUCCESS')} success, ${failed.length} failure, ` +
      `${count('WARNING')} warning${where}`);
  }
  emit(failed.length === 0, name, { todo, diag, notes });
}

// Runs the CLI once; rev: the requirement set of this run (names the tests), or undefined.
function runCli(args, rev) {
  return new Promise((resolve) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      timedOut = true;
      resolve(null);
      return;
    }
    log.write(`\n$ node ${path.relative(HERE, CLI)} ${args.join(' ')}\n`);
    child = spawn(node22, [CLI, ...args], {
      cwd: HERE,
      detached: true, // own process group, so a timeout can end everything it started
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${NODE_BIN}${path.delimiter}${process.env.PATH || ''}`, NO_COLOR: '1' },
    });
    const timer = setTimeout(() => {
      timedOut = true;
      log.write(`\n[run-conformance] timeout after ${opt.timeout} s: killing the suite\n`);
      killChild();
    }, remaining);
    let current;
    let inSummary = false;
    lastRunLines = [];
    summaryLines = [];
    const onLine = (line, isErr) => {
      log.write(`${line}\n`);
      if (lastRunLines.length < 200) lastRunLines.push(line);
      if (opt.verbose) comment(line);
      // eslint-disable-next-line no-control-regex
      const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
      let m;
      if (plain === '=== SUMMARY ===') inSummary = true;
      if (inSummary && !isErr && plain.trim()) summaryLines.push(plain);
      if ((m = plain.match(/^Running (?:\S+ suite|requirements \S+) \((\d+) scenarios\)/))) {
        announced = (announced || 0) + Number(m[1]);
      } else if ((m = plain.match(/^=== Running scenario: (\S+) ===/)) ||
        (!isErr && (m = plain.match(/^Running client scenario '([^']+)' against server/)))) {
        current = startTest(rev, m[1]);
      } else if ((m = plain.match(/^Results saved to (.+)$/)) && current) {
        const s = seen.get(current);
        s.dir = m[1].trim();
        s.done = true;
        scenarioResult(current);
      } else if ((m = plain.match(/^Failed to run scenario (\S+?):\s*(.*)$/))) {
        seen.get(startTest(rev, m[1])).error = m[2] || 'exception (see log)';
      }
    };
    readline.createInterface({ input: child.stdout }).on('line', (l) => onLine(l, false));
    readline.createInterface({ input: child.stderr }).on('line', (l) => onLine(l, true));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      log.write(`[run-conformance] spawn failed: ${e.message}\n`);
      resolve({ code: -1, signal: null, error: e });
    });
  });
}

function logTail(n = 15) {
  try {
    return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-n);
  } catch {
    return [];
  }
}

comment(`${cliName} ${cliVersion} (run with ${node22}) against ${opt.url}`);
comment((opt.scenarios.length ? `scenarios: ${opt.scenarios.join(' ')}` : opt.requirements.length ? ''
  : `suite: ${opt.suite}`) + (opt.requirements.length ? `${opt.scenarios.length ? '; ' : ''}requirements: ` +
  `${opt.requirements.join(' ')}` : '') + (opt.specVersion ? `, spec version ${opt.specVersion}` : ''));
comment(`results: ${outDir}${outDirIsTemp ? ' (removed unless a non-TODO test fails)' : ''}`);

// The CLI runs: { rev, only, args }. rev names the tests ("REV scenario"); only: the one scenario
// a run was asked for.
const cliTimeout = opt.scenarioTimeout ? ['--timeout', String(Math.round(opt.scenarioTimeout * 1000))] : [];
const runs = [];
let notInSets = 0; // --scenario names that no requested requirement set runs
if (!opt.requirements.length) {
  const base = ['server', '--url', opt.url, '-o', outDir];
  if (opt.specVersion) base.push('--spec-version', opt.specVersion);
  base.push(...cliTimeout);
  if (opt.scenarios.length) opt.scenarios.forEach((s) => runs.push({ only: s, args: [...base, '--scenario', s] }));
  else runs.push({ args: [...base, '--suite', opt.suite] });
} else {
  for (const [rev, req] of requirements) {
    const base = ['server', '--url', opt.url, '-o', path.join(outDir, rev)];
    if (!opt.scenarios.length) {
      runs.push({ rev, args: [...base, '--requirements', rev, ...cliTimeout] });
      continue;
    }
    // one scenario at REV's wire: what a --requirements run does for each of its scenarios
    for (const s of opt.scenarios) {
      if (!req.server.includes(s) && !req.notScored.has(s)) continue;
      runs.push({ rev, only: s, args: [...base, '--scenario', s, '--spec-version', rev, '--force', ...cliTimeout] });
    }
  }
  for (const s of opt.scenarios) {
    if (runs.some((r) => r.only === s)) continue;
    notInSets++;
    seen.set(s, { reported: true });
    order.push(s);
    emit(false, s, { diag: [`no requirement set of ${opt.requirements.join(', ')} runs this scenario`] });
  }
}
const exits = [];
for (const { rev, only, args } of runs) {
  const r = await runCli(args, rev);
  if (r === null) break;
  exits.push(r);
  const onlyName = only !== undefined && testName(rev, only);
  if (onlyName && !seen.has(onlyName)) {
    // the CLI refused it (unknown scenario, bad URL, ...) before starting it
    seen.set(onlyName, { rev, scenario: only, reported: true });
    order.push(onlyName);
    emit(false, onlyName, {
      todo: pending.get(onlyName),
      diag: [`the suite did not run it (exit ${r.code ?? r.signal}):`, ...lastRunLines.slice(0, 6)],
    });
  }
  // a scenario that started but saved nothing: crashed or killed
  for (const name of order) {
    const s = seen.get(name);
    if (!s.done && !s.reported) {
      s.reported = true;
      scenarioResult(name);
    }
  }
  if (opt.summary && summaryLines.length) {
    comment(`${cliName} ${cliVersion} ${rev ? `--requirements ${rev}` : only ? `--scenario ${only}`
      : `--suite ${opt.suite}`}, the suite's own summary (exit ${r.code ?? r.signal}):`);
    summaryLines.forEach((l) => comment(`  ${l}`));
  }
  if (timedOut) break;
}
await new Promise((r) => log.end(r));

// ---- whole-run checks -------------------------------------------------------------------------
const scenarioRuns = runs.filter((r) => r.only !== undefined);
const expected = opt.scenarios.length ? scenarioRuns.length + notInSets : announced;
if (timedOut) {
  const notRun = opt.scenarios.length ? scenarioRuns.map((r) => testName(r.rev, r.only)).filter((n) => !seen.has(n))
    : [`${Math.max(0, (announced || 0) - order.length)} of ${announced ?? '?'} scenarios`];
  emit(false, `the conformance run finished within ${opt.timeout} s`, {
    diag: [`killed after ${opt.timeout} s; never started: ${notRun.join(' ') || 'none'}`, ...logTail(8)],
  });
} else if (order.length === 0 || (expected !== undefined && order.length < expected)) {
  emit(false, 'the conformance suite ran every scenario', {
    diag: [`ran ${order.length} of ${expected ?? '?'} scenarios; exit ${exits.map((e) => e.code ?? e.signal).join(',')}; ` +
      `last lines of ${logPath}:`, ...logTail()],
  });
} else {
  const crashed = exits.filter((e) => e.code !== 0 && e.code !== 1);
  if (crashed.length) {
    emit(false, 'the conformance CLI exited normally', {
      diag: [`exit status ${crashed.map((e) => e.code ?? e.signal).join(',')}; last lines of ${logPath}:`, ...logTail()],
    });
  }
}
for (const name of pending.keys()) {
  const rev = name.match(/^(\d{4}-\d{2}-\d{2}) /)?.[1];
  const complete = !opt.scenarios.length && !timedOut &&
    (opt.requirements.length ? rev === undefined || requirements.has(rev) : opt.suite === 'all');
  if (!seen.has(name) && complete) {
    comment(`note: ${name} is listed in ${path.basename(opt.pending)} but the suite has no such scenario`);
  }
}

say(`1..${testNo}`);
if (realFailures) {
  comment(`${realFailures} test(s) failed; results and log kept in ${outDir}`);
} else if (outDirIsTemp) {
  rmSync(outDir, { recursive: true, force: true });
}
process.exit(realFailures ? 1 : 0);
