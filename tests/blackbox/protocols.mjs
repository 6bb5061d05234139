// Drives a running gateway's Responses API and Anthropic Messages routes with the official clients, as a user
// would: openai (responses.create, plain / streamed / function-tool round trip, models.retrieve) and
// @anthropic-ai/sdk (messages.create, plain / streamed / tool use). Prints ok/FAIL lines; exits 1 on any failure.
// Usage: BASE=http://127.0.0.1:18080 node tests/blackbox/protocols.mjs   (API_KEY defaults to the demo tenant's key)
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";

const base = (process.env.BASE ?? "http://127.0.0.1:8080").replace(/\/+$/, "").replace(/\/v1$/, "");
const apiKey = process.env.API_KEY ?? "sk-expertrouter-demo";
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, timeout: 20000 });
const anthropic = new Anthropic({ baseURL: base, apiKey, maxRetries: 0, timeout: 20000 });
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error?.stack ?? error}`);
  }
}

const weatherTool = {
  type: "function",
  name: "get_weather",
  description: "The weather in a city now.",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: false,
};

await check("responses.create: plain", async () => {
  const response = await openai.responses.create({ model: "auto", input: "What is 17 * 23?", metadata: { check: "plain" } });
  assert.equal(response.object, "response");
  assert.match(response.id, /^resp_/);
  assert.equal(response.status, "completed");
  assert.ok(response.output_text.length > 0);
  assert.equal(response.output[0].type, "message");
  assert.equal(response.metadata.check, "plain");
  assert.ok(response.usage.input_tokens > 0 && response.usage.output_tokens > 0);
  assert.equal(response.usage.total_tokens, response.usage.input_tokens + response.usage.output_tokens);
});

await check("responses.create: streamed typed events", async () => {
  const stream = await openai.responses.create({ model: "auto", input: "Tell me a short story", stream: true });
  const types = [];
  let text = "";
  let completed = null;
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === "response.output_text.delta") text += event.delta;
    if (event.type === "response.completed") completed = event.response;
  }
  assert.deepEqual(types.slice(0, 4), ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
  assert.deepEqual(types.slice(-4), ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]);
  assert.ok(text.length > 0);
  assert.equal(completed.output[0].content[0].text, text);
  assert.ok(completed.usage.output_tokens > 0);
});

await check("responses.stream: helper accumulates the final response", async () => {
  const stream = openai.responses.stream({ model: "auto", input: "Say something" });
  let text = "";
  stream.on("response.output_text.delta", (event) => { text += event.delta; });
  const final = await stream.finalResponse();
  assert.equal(final.status, "completed");
  assert.equal(final.output_text, text);
});

await check("responses.create: function tool round trip with previous_response_id", async () => {
  const first = await openai.responses.create({ model: "auto", input: "What is the weather in Paris?", tools: [weatherTool] });
  const call = first.output.find((item) => item.type === "function_call");
  assert.ok(call, "the first turn calls the tool");
  assert.equal(call.name, "get_weather");
  assert.match(call.call_id, /^call_/);
  assert.ok("city" in JSON.parse(call.arguments));
  const second = await openai.responses.create({
    model: "auto",
    previous_response_id: first.id,
    input: [{ type: "function_call_output", call_id: call.call_id, output: JSON.stringify({ celsius: 18 }) }],
    tools: [weatherTool],
  });
  assert.equal(second.previous_response_id, first.id);
  assert.ok(second.output_text.length > 0, "the turn with the tool's result ends with text");
  assert.ok(!second.output.some((item) => item.type === "function_call"));
});

await check("responses.create: stateless round trip (store: false, output items sent back)", async () => {
  const input = [{ role: "user", content: [{ type: "input_text", text: "Weather in Rome?" }] }];
  const first = await openai.responses.create({ model: "auto", input, tools: [weatherTool], store: false });
  const call = first.output.find((item) => item.type === "function_call");
  assert.ok(call);
  const second = await openai.responses.create({
    model: "auto",
    store: false,
    tools: [weatherTool],
    input: [...input, ...first.output, { type: "function_call_output", call_id: call.call_id, output: "21C" }],
  });
  assert.ok(second.output_text.length > 0);
  await assert.rejects(
    openai.responses.create({ model: "auto", previous_response_id: first.id, input: "again" }),
    (error) => error.status === 400,
  );
});

await check("responses.create: malformed input is a 400", async () => {
  await assert.rejects(openai.responses.create({ model: "auto", input: [] }), (error) => error.status === 400 && error.param === "input");
});

await check("models.retrieve(auto)", async () => {
  const model = await openai.models.retrieve("auto");
  assert.equal(model.id, "auto");
  assert.equal(model.object, "model");
});

await check("anthropic messages.create: plain", async () => {
  const message = await anthropic.messages.create({ model: "auto", max_tokens: 256, messages: [{ role: "user", content: "Hello there" }] });
  assert.equal(message.type, "message");
  assert.equal(message.role, "assistant");
  assert.match(message.id, /^msg_/);
  assert.equal(message.content[0].type, "text");
  assert.ok(message.content[0].text.length > 0);
  assert.equal(message.stop_reason, "end_turn");
  assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
});

await check("anthropic messages.stream: events and final message", async () => {
  const stream = anthropic.messages.stream({ model: "auto", max_tokens: 256, system: "Be brief.", messages: [{ role: "user", content: "Tell me a story" }] });
  let text = "";
  stream.on("text", (delta) => { text += delta; });
  const final = await stream.finalMessage();
  assert.ok(text.length > 0);
  assert.equal(final.content[0].text, text);
  assert.equal(final.stop_reason, "end_turn");
  assert.ok(final.usage.output_tokens > 0);
});

await check("anthropic messages.create: raw stream event order", async () => {
  const stream = await anthropic.messages.create({ model: "auto", max_tokens: 64, stream: true, messages: [{ role: "user", content: "hi" }] });
  const types = [];
  for await (const event of stream) types.push(event.type);
  assert.deepEqual(types.slice(0, 2), ["message_start", "content_block_start"]);
  assert.deepEqual(types.slice(-3), ["content_block_stop", "message_delta", "message_stop"]);
});

await check("anthropic messages.create: tool use round trip", async () => {
  const tools = [{ name: "get_weather", description: "The weather in a city now.", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }];
  const messages = [{ role: "user", content: "What is the weather in Paris?" }];
  const first = await anthropic.messages.create({ model: "auto", max_tokens: 256, tools, messages });
  assert.equal(first.stop_reason, "tool_use");
  const toolUse = first.content.find((block) => block.type === "tool_use");
  assert.ok(toolUse);
  assert.match(toolUse.id, /^toolu_/);
  assert.equal(typeof toolUse.input.city, "string");
  const second = await anthropic.messages.create({
    model: "auto",
    max_tokens: 256,
    tools,
    messages: [...messages, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: "18C and sunny" }] }],
  });
  assert.equal(second.stop_reason, "end_turn");
  assert.equal(second.content[0].type, "text");
});

await check("anthropic: malformed request is a 400 invalid_request_error", async () => {
  await assert.rejects(
    anthropic.messages.create({ model: "auto", max_tokens: 16, messages: [] }),
    (error) => error.status === 400 && error.error?.error?.type === "invalid_request_error",
  );
});

console.log(`protocols: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
