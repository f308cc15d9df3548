#!/usr/bin/env node
// sdk-client.mjs - drive an MCP server with the official TypeScript SDK client (Client +
// StreamableHTTPClientTransport) and report each step as TAP. The client declares `sampling` and
// answers sampling/createMessage with a fixed text (SAMPLING_REPLY).
//
//   node sdk-client.mjs <url>          e.g. http://127.0.0.1:8080/mcp
//
// Environment:
//   SDK_CLIENT_TIMEOUT_MS      overall time limit (default 30000); when exceeded the running and
//                              the remaining tests fail and the exit status is 1
//   SDK_CLIENT_REQUEST_MS      per-request time limit (default 10000)
//   MCP_EXPECT_PROTOCOL_VERSION  negotiated version expected (default: the SDK's latest, 2025-11-25)
//
// Exit status: 0 when every test passed, 1 otherwise. Failure diagnostics go to stderr (as
// Test::More does) so that they show under a non-verbose prove.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { check, CheckError, describeError, diag, OVERALL_MS, REQUEST_MS, requireUrl, runTap, show, transportFailInfo } from './tap.mjs';
import { fixtureTests } from './fixture-tests.mjs';

const url = requireUrl(process.argv.length <= 3 ? process.argv[2] : null, 'sdk-client', '<url>   (e.g. http://127.0.0.1:8080/mcp)');

const EXPECT_VERSION = process.env.MCP_EXPECT_PROTOCOL_VERSION || LATEST_PROTOCOL_VERSION;
const reqOpts = { timeout: REQUEST_MS };

// ---- the test list --------------------------------------------------------------------------
const client = new Client({ name: 'mcp-fcgi-interop-sdk-client', version: '1.0.0' },
  { capabilities: { sampling: {} } });
// The server's sampling/createMessage requests (test_sampling) get this fixed answer.
const SAMPLING_REPLY = 'interop sampling reply 7f3a';
const samplingRequests = [];
client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
  samplingRequests.push(req.params);
  return {
    role: 'assistant',
    content: { type: 'text', text: SAMPLING_REPLY },
    model: 'mcp-fcgi-interop-fixed',
    stopReason: 'endTurn',
  };
});
const httpLog = []; // { method, status } of every HTTP exchange the transport makes
const transport = new StreamableHTTPClientTransport(new URL(url), {
  fetch: async (input, init) => {
    const res = await fetch(input, init);
    httpLog.push({ method: init?.method ?? 'GET', status: res.status });
    return res;
  },
});
let connected = false;
let sessionId;
let protocolVersion;
const transportErrors = [];
transport.onerror = (e) => transportErrors.push(e?.message ?? String(e));

const fx = fixtureTests(client, reqOpts);
const tests = [
  ['connect: initialize handshake, serverInfo and negotiated protocol version', async () => {
    await client.connect(transport, reqOpts);
    connected = true;
    const info = client.getServerVersion();
    check(info && typeof info.name === 'string' && info.name.length > 0,
      `serverInfo.name missing or empty: ${show(info)}`);
    protocolVersion = transport.protocolVersion;
    sessionId = transport.sessionId;
    check(protocolVersion === EXPECT_VERSION,
      `negotiated protocol version ${show(protocolVersion)}, expected ${EXPECT_VERSION}`);
    return `server ${info.name} ${info.version ?? ''}, protocol ${protocolVersion}, session ${sessionId ?? '(none)'}`;
  }],
  fx.toolsList,
  fx.toolsCall,
  ['tools/call test_sampling without its required prompt gives an isError result', async () => {
    let r;
    try {
      r = await client.callTool({ name: 'test_sampling', arguments: {} }, undefined, reqOpts);
    } catch (e) {
      throw new CheckError(`expected a result with isError:true, got a JSON-RPC error instead:\n${describeError(e)}`);
    }
    check(r.isError === true, `isError is not true: ${show(r)}`);
    check(Array.isArray(r.content) && r.content.length > 0, `isError result without content: ${show(r)}`);
  }],
  ['tools/call test_sampling: the server asks the client (sampling/createMessage) and returns its answer', async () => {
    const prompt = 'What is 2 + 2? (interop)';
    samplingRequests.length = 0;
    const r = await client.callTool({ name: 'test_sampling', arguments: { prompt } }, undefined, reqOpts);
    check(samplingRequests.length === 1, `the sampling handler ran ${samplingRequests.length} times, expected once`);
    const asked = samplingRequests[0];
    const askedText = (Array.isArray(asked?.messages) ? asked.messages : [])
      .map((m) => (Array.isArray(m.content) ? m.content : [m.content]).map((c) => c?.text ?? '').join(' ')).join(' ');
    check(askedText.includes(prompt), `sampling/createMessage did not carry the prompt: ${show(asked)}`);
    check(!r.isError, `isError set: ${show(r)}`);
    const text = (r.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    check(text.includes(SAMPLING_REPLY), `the result lacks the handler's text ${show(SAMPLING_REPLY)}: ${show(r.content)}`);
    return `result: ${text}`;
  }],
  ['tools/call test_tool_with_progress with onprogress: 3 progress notifications (0, 50, 100 of 100)', async () => {
    const seen = [];
    const r = await client.callTool({ name: 'test_tool_with_progress' }, undefined,
      { ...reqOpts, onprogress: (p) => seen.push(p) });
    check(!r.isError, `isError set: ${show(r)}`);
    check(seen.length === 3, `${seen.length} progress notification(s), expected 3: ${show(seen)}`);
    check(seen.map((p) => p.progress).join() === '0,50,100', `progress values ${show(seen.map((p) => p.progress))}, expected [0,50,100]`);
    check(seen.every((p) => p.total === 100), `total is not 100 in every notification: ${show(seen)}`);
    const text = r.content?.[0]?.text ?? '';
    check(/progress reported for token/.test(text), `the result does not mention the progress token: ${show(r.content)}`);
  }],
  ['resources/list contains test://static-text', async () => {
    const r = await client.listResources(undefined, reqOpts);
    check(Array.isArray(r.resources), `no resources array: ${show(r)}`);
    check(r.resources.some((x) => x.uri === 'test://static-text'),
      `test://static-text not listed; resources: ${r.resources.map((x) => x.uri).join(', ')}`);
  }],
  fx.resourceRead,
  ['resources/templates/list answers with a resourceTemplates array', async () => {
    const r = await client.listResourceTemplates(undefined, reqOpts);
    check(Array.isArray(r.resourceTemplates), `no resourceTemplates array: ${show(r)}`);
    for (const t of r.resourceTemplates) {
      check(typeof t.uriTemplate === 'string' && typeof t.name === 'string',
        `template without uriTemplate/name: ${show(t)}`);
    }
    return `${r.resourceTemplates.length} template(s): ${r.resourceTemplates.map((t) => t.uriTemplate).join(', ')}`;
  }],
  fx.promptGet,
  fx.ping,
  ['DELETE terminates the session; the old session id then gets 404', async () => {
    check(sessionId, 'the server issued no Mcp-Session-Id at initialize, nothing to terminate');
    await transport.terminateSession(); // throws on a status other than 2xx/405
    await client.close();
    connected = false;
    const del = httpLog.filter((x) => x.method === 'DELETE').pop();
    check(del && del.status >= 200 && del.status < 300,
      `DELETE with the session id got HTTP ${del?.status ?? '(none sent)'}, expected 2xx`);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        Accept: 'application/json, text/event-stream',
        'Content-Type': 'application/json',
        'Mcp-Session-Id': sessionId,
        'MCP-Protocol-Version': protocolVersion,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9001, method: 'ping' }),
      signal: AbortSignal.timeout(REQUEST_MS),
    });
    const body = await res.text().catch(() => '');
    check(res.status === 404, `request with the terminated session id got HTTP ${res.status} (expected 404): ${body.slice(0, 300)}`);
  }],
];

// ---- run ------------------------------------------------------------------------------------
await runTap(tests, {
  name: 'sdk-client',
  overallMs: OVERALL_MS,
  skipReason: (i) => (i > 0 && !connected ? 'not connected' : null),
  timeoutInfo: () => `${httpLog.length} HTTP responses received before`,
  after: async () => {
    if (connected) await client.close().catch(() => {});
  },
  failInfo: () => transportFailInfo(transportErrors, url),
});
