#!/usr/bin/env node
// sdk-v2-client.mjs - drive an MCP server with the official TypeScript SDK v2 client
// (@modelcontextprotocol/client: Client + StreamableHTTPClientTransport) over the 2026-07-28
// revision and report each step as TAP. The client is pinned to that revision
// (versionNegotiation: { mode: { pin: '2026-07-28' } }): connect() probes with server/discover
// and never falls back to initialize; every request then carries the per-request _meta envelope
// (protocol version, client info, client capabilities) and no session.
//
//   node sdk-v2-client.mjs [--pending FILE] <url>      e.g. http://127.0.0.1:8080/mcp
//
// Each test has an id (the word before the colon in its name). Ids listed in the pending file
// (default: sdk-v2-client-pending.txt beside this script; "<id> <reason...>" lines) are TAP TODO
// tests: expected to fail while the server lacks the feature; one that passes is reported as
// "TODO passed" with a note to delete its line.
//
// Environment:
//   SDK_CLIENT_TIMEOUT_MS   overall time limit (default 30000)
//   SDK_CLIENT_REQUEST_MS   per-request time limit (default 10000)
//   SDK_V2_VERSION          the revision to pin (default 2026-07-28)
//
// Exit status: 0 when every non-TODO test passed, 1 otherwise. Failure diagnostics go to stderr.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { check, CheckError, describeError, OVERALL_MS, readPending, REQUEST_MS, requireUrl, runTap, show, transportFailInfo } from './tap.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let url;
let pendingFile = path.join(HERE, 'sdk-v2-client-pending.txt');
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--pending' && i + 1 < argv.length) pendingFile = argv[++i];
    else if (!argv[i].startsWith('-') && url === undefined) url = argv[i];
    else url = null;
  }
}
requireUrl(url, 'sdk-v2-client', '[--pending FILE] <url>   (e.g. http://127.0.0.1:8080/mcp)');

const VERSION = process.env.SDK_V2_VERSION || '2026-07-28';
const PROTOCOL_VERSION_META = 'io.modelcontextprotocol/protocolVersion';
const reqOpts = { timeout: REQUEST_MS };
const pending = readPending(pendingFile);

// ---- client and wire log ----------------------------------------------------------------------
const client = new Client({ name: 'mcp-fcgi-interop-sdk-v2-client', version: '1.0.0' }, {
  capabilities: { elicitation: {} },
  versionNegotiation: { mode: { pin: VERSION } },
});
// input_required rounds (MRTR) are answered through this handler by the client itself
const ELICIT_NAME = 'Interop Tester';
const elicitations = [];
client.setRequestHandler('elicitation/create', async (req) => {
  elicitations.push(req.params);
  return { action: 'accept', content: { name: ELICIT_NAME } };
});

// every HTTP exchange: method, JSON-RPC method(s), headers that matter, status
const wire = [];
const transport = new StreamableHTTPClientTransport(new URL(url), {
  fetch: async (input, init) => {
    const headers = new Headers(init?.headers);
    let body;
    try {
      body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    } catch {
      body = undefined;
    }
    const msgs = Array.isArray(body) ? body : body ? [body] : [];
    const entry = {
      method: init?.method ?? 'GET',
      rpc: msgs.map((m) => m.method ?? '(response)'),
      metaVersions: msgs.filter((m) => m.method).map((m) => m.params?._meta?.[PROTOCOL_VERSION_META]),
      protocolHeader: headers.get('mcp-protocol-version'),
      sessionHeader: headers.get('mcp-session-id'),
    };
    wire.push(entry);
    const res = await fetch(input, init);
    entry.status = res.status;
    entry.replySession = res.headers.get('mcp-session-id');
    return res;
  },
});
const transportErrors = [];
transport.onerror = (e) => transportErrors.push(e?.message ?? String(e));
let connected = false;

const text = (r) => (r?.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');

// ---- the test list ----------------------------------------------------------------------------
const tests = [
  [`connect: pinned to ${VERSION}: server/discover instead of initialize, modern era, no session`, async () => {
    await client.connect(transport, reqOpts);
    connected = true;
    check(client.getProtocolEra() === 'modern', `protocol era ${show(client.getProtocolEra())}, expected "modern"`);
    check(client.getNegotiatedProtocolVersion() === VERSION,
      `negotiated ${show(client.getNegotiatedProtocolVersion())}, expected ${VERSION}`);
    const sent = wire.flatMap((w) => w.rpc);
    check(sent.includes('server/discover'), `no server/discover was sent: ${show(sent)}`);
    check(!sent.includes('initialize'), `initialize was sent: ${show(sent)}`);
    check(transport.sessionId === undefined, `the transport holds a session id ${show(transport.sessionId)}`);
    const info = client.getServerVersion();
    check(info && typeof info.name === 'string' && info.name.length > 0,
      `no serverInfo in the discover result's _meta: ${show(client.getDiscoverResult())}`);
    return `server ${info.name} ${info.version ?? ''}, era ${client.getProtocolEra()}, protocol ${client.getNegotiatedProtocolVersion()}`;
  }],
  [`discover: server/discover lists ${VERSION} and the tools capability`, async () => {
    const r = await client.discover(reqOpts);
    check(Array.isArray(r.supportedVersions) && r.supportedVersions.includes(VERSION),
      `supportedVersions lacks ${VERSION}: ${show(r.supportedVersions)}`);
    check(r.capabilities && typeof r.capabilities.tools === 'object',
      `no tools capability: ${show(r.capabilities)}`);
    return `supportedVersions ${r.supportedVersions.join(' ')}`;
  }],
  ['tools-list: tools/list (fetched, not cached) contains test_simple_text', async () => {
    const before = wire.length;
    const r = await client.listTools(undefined, { ...reqOpts, cacheMode: 'refresh' });
    check(wire.slice(before).some((w) => w.rpc.includes('tools/list')), 'no tools/list request went out');
    check(Array.isArray(r.tools) && r.tools.some((t) => t.name === 'test_simple_text'),
      `test_simple_text not listed; tools: ${(r.tools ?? []).map((t) => t.name).join(', ')}`);
    return `${r.tools.length} tools, ttlMs ${show(r.ttlMs)}, cacheScope ${show(r.cacheScope)}`;
  }],
  ['tools-call: tools/call test_simple_text returns the fixture text', async () => {
    const r = await client.callTool({ name: 'test_simple_text' }, reqOpts);
    check(!r.isError, `isError set: ${show(r)}`);
    check(text(r) === 'This is a simple text response for testing.', `unexpected content: ${show(r.content)}`);
  }],
  ['tool-error: tools/call test_error_handling gives an isError result, not a JSON-RPC error', async () => {
    let r;
    try {
      r = await client.callTool({ name: 'test_error_handling' }, reqOpts);
    } catch (e) {
      throw new CheckError(`expected a result with isError:true, got an error instead:\n${describeError(e)}`);
    }
    check(r.isError === true, `isError is not true: ${show(r)}`);
    check(text(r).length > 0, `isError result without text: ${show(r)}`);
  }],
  ['unknown-tool: tools/call of an unknown tool is a JSON-RPC error -32602', async () => {
    let r;
    try {
      r = await client.callTool({ name: 'no_such_tool_interop' }, reqOpts);
    } catch (e) {
      check(e instanceof ProtocolError, `not a ProtocolError (JSON-RPC error):\n${describeError(e)}`);
      check(e.code === -32602, `error code ${e.code}, expected -32602 (${e.message})`);
      return `error ${e.code}: ${e.message}`;
    }
    throw new CheckError(`expected a JSON-RPC error, got a result: ${show(r)}`);
  }],
  [`stateless: every request was a POST with MCP-Protocol-Version ${VERSION} and _meta, no Mcp-Session-Id either way`, async () => {
    check(wire.length > 0, 'no HTTP requests recorded');
    const bad = wire.filter((w) => w.method !== 'POST' || w.protocolHeader !== VERSION || w.sessionHeader ||
      w.replySession || w.metaVersions.some((v) => v !== VERSION));
    check(bad.length === 0, `requests off the stateless wire: ${show(bad.slice(0, 3))}`);
    return `${wire.length} HTTP requests: ${wire.map((w) => w.rpc.join('+')).join(', ')}`;
  }],
  ['mrtr-elicitation: tools/call test_input_required_result_elicitation completes after the client answers the input_required elicitation', async () => {
    elicitations.length = 0;
    const r = await client.callTool({ name: 'test_input_required_result_elicitation' }, reqOpts);
    check(elicitations.length >= 1, `the elicitation handler never ran; result: ${show(r)}`);
    check(!r.isError, `isError set: ${show(r)}`);
    check(Array.isArray(r.content) && r.content.length > 0, `empty content: ${show(r)}`);
    return `elicited ${show(elicitations[0]?.message)}; result: ${text(r).slice(0, 200)}`;
  }],
  ['listen: subscriptions/listen {toolsListChanged} is acknowledged and delivers tools/list_changed after test_trigger_tool_change', async () => {
    let changed = 0;
    let wake;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      changed++;
      wake?.();
    });
    const sub = await client.listen({ toolsListChanged: true }, reqOpts);
    try {
      check(sub.honoredFilter?.toolsListChanged === true, `the acknowledged filter lacks toolsListChanged: ${show(sub.honoredFilter)}`);
      const r = await client.callTool({ name: 'test_trigger_tool_change' }, reqOpts);
      check(!r.isError, `test_trigger_tool_change: isError set: ${show(r)}`);
      if (!changed) await new Promise((res) => { wake = res; setTimeout(res, 5000); });
      check(changed > 0, 'no notifications/tools/list_changed on the subscription within 5 s');
    } finally {
      await sub.close();
    }
    const how = await Promise.race([sub.closed, new Promise((res) => setTimeout(() => res('(not closed after 5 s)'), 5000))]);
    check(how === 'local', `the subscription ended ${show(how)}, expected "local"`);
  }],
];

// ---- run --------------------------------------------------------------------------------------
const ids = tests.map(([desc]) => desc.split(':')[0]);
for (const id of pending.keys()) {
  if (!ids.includes(id)) console.log(`# note: ${id} is listed in ${path.basename(pendingFile)} but there is no such test`);
}
await runTap(tests, {
  name: 'sdk-v2-client',
  overallMs: OVERALL_MS,
  skipReason: (i) => (i > 0 && !connected ? 'not connected' : null),
  todo: (i) => pending.get(ids[i]),
  todoFile: path.basename(pendingFile),
  timeoutInfo: () => `${wire.length} HTTP requests made before`,
  after: async () => {
    if (connected) await client.close().catch(() => {});
  },
  failInfo: () => transportFailInfo(transportErrors, url),
});
