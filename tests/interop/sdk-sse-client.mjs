#!/usr/bin/env node
// sdk-sse-client.mjs - drive the 2024-11-05 HTTP+SSE transport of an MCP server with the
// official TypeScript SDK (Client + SSEClientTransport) and report each step as TAP.
//
//   node sdk-sse-client.mjs <sse-url>      e.g. http://127.0.0.1:8080/sse
//
// Environment:
//   SDK_CLIENT_TIMEOUT_MS      overall time limit (default 30000); when exceeded the running and
//                              the remaining tests fail and the exit status is 1
//   SDK_CLIENT_REQUEST_MS      per-request time limit (default 10000)
//   MCP_EXPECT_PROTOCOL_VERSION  negotiated version expected (default: the SDK's latest; the SDK
//                              asks for its latest version over this transport too)
//   SSE_SESSION_END_MS         how long the session may take to end after close (default 10000)
//
// Exit status: 0 when every test passed, 1 otherwise. Failure diagnostics go to stderr.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { check, CheckError, describeError, diag, OVERALL_MS, REQUEST_MS, requireUrl, runTap, show, transportFailInfo } from './tap.mjs';
import { fixtureTests } from './fixture-tests.mjs';

const url = requireUrl(process.argv.length <= 3 ? process.argv[2] : null, 'sdk-sse-client', '<sse-url>   (e.g. http://127.0.0.1:8080/sse)');

const END_MS = Number(process.env.SSE_SESSION_END_MS || 10000);
const EXPECT_VERSION = process.env.MCP_EXPECT_PROTOCOL_VERSION || LATEST_PROTOCOL_VERSION;
const reqOpts = { timeout: REQUEST_MS };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the test list --------------------------------------------------------------------------
const client = new Client({ name: 'mcp-fcgi-interop-sdk-sse-client', version: '1.0.0' }, { capabilities: {} });
const httpLog = []; // { method, url, status, type } of every HTTP exchange the transport makes
const transport = new SSEClientTransport(new URL(url), {
  fetch: async (input, init) => {
    const res = await fetch(input, init);
    httpLog.push({
      method: init?.method ?? 'GET',
      url: String(input instanceof Request ? input.url : input),
      status: res.status,
      type: res.headers.get('content-type') ?? '',
    });
    return res;
  },
});
let connected = false;
let endpoint; // the POST endpoint the server named (absolute URL)
const transportErrors = [];
transport.onerror = (e) => transportErrors.push(e?.message ?? String(e));

const fx = fixtureTests(client, reqOpts);
const tests = [
  ['connect: GET /sse, endpoint event, initialize over POST, negotiated protocol version', async () => {
    await client.connect(transport, reqOpts);
    connected = true;
    const get = httpLog.find((x) => x.method === 'GET');
    check(get && get.status === 200 && get.type.startsWith('text/event-stream'),
      `GET ${url}: ${show(get)} (expected 200 text/event-stream)`);
    const post = httpLog.find((x) => x.method === 'POST');
    check(post, 'no POST made for initialize');
    endpoint = post.url;
    const ep = new URL(endpoint);
    check(ep.origin === new URL(url).origin, `endpoint ${endpoint} is not on the SSE URL's origin`);
    check(/^[0-9a-f]{32}$/.test(ep.searchParams.get('session_id') ?? ''),
      `endpoint ${endpoint} lacks session_id=<32 hex digits>`);
    check(post.status === 202, `POST initialize got HTTP ${post.status}, expected 202`);
    const info = client.getServerVersion();
    check(info && typeof info.name === 'string' && info.name.length > 0,
      `serverInfo.name missing or empty: ${show(info)}`);
    // Client.connect hands the negotiated version to the transport (a TS-private field)
    const version = transport._protocolVersion;
    check(version === EXPECT_VERSION, `negotiated protocol version ${show(version)}, expected ${EXPECT_VERSION}`);
    const caps = client.getServerCapabilities();
    check(caps && caps.tools, `server capabilities lack tools: ${show(caps)}`);
    return `server ${info.name} ${info.version ?? ''}, protocol ${version}, endpoint ${ep.pathname}${ep.search}`;
  }],
  fx.toolsList,
  fx.toolsCall,
  fx.resourceRead,
  fx.promptGet,
  fx.ping,
  ['close: the session ends with its stream (POST to the endpoint then gets 404)', async () => {
    check(endpoint, 'no endpoint known');
    await client.close();
    connected = false;
    // the web server notices the client left at its next write (a heartbeat), then sessiond
    // ends the session: poll for a while
    const deadline = Date.now() + END_MS;
    let last;
    while (Date.now() < deadline) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9001, method: 'ping' }),
        signal: AbortSignal.timeout(REQUEST_MS),
      });
      last = `${res.status} ${(await res.text().catch(() => '')).slice(0, 200)}`;
      if (res.status === 404) return;
      await sleep(200);
    }
    throw new CheckError(`POST ${endpoint} still answered ${last} ${END_MS} ms after close (expected 404)`);
  }],
];

// ---- run ------------------------------------------------------------------------------------
await runTap(tests, {
  name: 'sdk-sse-client',
  overallMs: OVERALL_MS,
  skipReason: (i) => ((i > 0 && i < tests.length - 1 && !connected) || (i === tests.length - 1 && !endpoint) ? 'not connected' : null),
  timeoutInfo: () => `${httpLog.length} HTTP responses received before`,
  after: async () => {
    if (connected) await client.close().catch(() => {});
  },
  failInfo: () => transportFailInfo(transportErrors, url),
});
