// fixture-tests.mjs - the TAP tests that the SDK v1 client scripts (sdk-client.mjs over Streamable
// HTTP, sdk-sse-client.mjs over 2024-11-05 HTTP+SSE) run alike against the conformance fixture set:
// each an entry [name, fn] of runTap's list (tap.mjs), for a connected @modelcontextprotocol/sdk Client.
import { check, show } from './tap.mjs';

export function fixtureTests(client, reqOpts) {
  return {
    toolsList: ['tools/list is non-empty and contains test_simple_text', async () => {
      const r = await client.listTools(undefined, reqOpts);
      check(Array.isArray(r.tools) && r.tools.length > 0, `empty tool list: ${show(r)}`);
      check(r.tools.some((t) => t.name === 'test_simple_text'),
        `test_simple_text not listed; tools: ${r.tools.map((t) => t.name).join(', ')}`);
    }],
    toolsCall: ['tools/call test_simple_text returns the fixture text', async () => {
      const r = await client.callTool({ name: 'test_simple_text' }, undefined, reqOpts);
      check(!r.isError, `isError set: ${show(r)}`);
      const c = r.content?.[0];
      check(c?.type === 'text' && c.text === 'This is a simple text response for testing.',
        `unexpected content: ${show(r.content)}`);
    }],
    resourceRead: ['resources/read test://static-text is text/plain text', async () => {
      const r = await client.readResource({ uri: 'test://static-text' }, reqOpts);
      const c = r.contents?.[0];
      check(c, `no contents: ${show(r)}`);
      check(c.uri === 'test://static-text', `contents[0].uri is ${show(c.uri)}`);
      check(c.mimeType === 'text/plain', `contents[0].mimeType is ${show(c.mimeType)}`);
      check(typeof c.text === 'string' && c.text.length > 0, `contents[0].text missing or empty: ${show(c)}`);
    }],
    promptGet: ['prompts/get test_prompt_with_arguments substitutes arg1 and arg2', async () => {
      const a1 = 'first-value-1';
      const a2 = 'second value 2';
      const r = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: a1, arg2: a2 } }, reqOpts);
      check(Array.isArray(r.messages) && r.messages.length > 0, `no messages: ${show(r)}`);
      const text = r.messages.map((m) => (m.content?.type === 'text' ? m.content.text : '')).join('\n');
      check(text.includes(a1) && text.includes(a2), `message text lacks ${show(a1)} or ${show(a2)}: ${show(r.messages)}`);
    }],
    ping: ['ping', async () => {
      const r = await client.ping(reqOpts);
      check(r && typeof r === 'object', `ping result is not an object: ${show(r)}`);
    }],
  };
}
