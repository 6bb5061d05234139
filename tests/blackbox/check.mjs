// Drives a running gateway as a user would, with the official OpenAI JavaScript client.
import OpenAI from "openai";
import assert from "node:assert/strict";

const baseURL = process.env.GATEWAY_URL ?? "http://127.0.0.1:8080/v1";
const client = new OpenAI({ baseURL, apiKey: "sk-expertrouter-demo", maxRetries: 0, timeout: 20000 });
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

await check("plain routed completion", async () => {
  const { data, response } = await client.chat.completions
    .create({ model: "auto", messages: [{ role: "user", content: "What is 17 * 23?" }] })
    .withResponse();
  assert.ok(data.choices[0].message.content.length > 0);
  assert.ok(data.usage.total_tokens > 0);
  assert.ok(response.headers.get("x-expertrouter-expert"));
  assert.ok(response.headers.get("x-request-id"));
});

await check("streamed completion with usage", async () => {
  const stream = await client.chat.completions.create({
    model: "auto",
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: "user", content: "Tell me a short story" }],
  });
  let text = "";
  let usage = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    usage = chunk.usage ?? usage;
  }
  assert.ok(text.length > 0);
  assert.ok(usage?.completion_tokens > 0);
});

await check("tool call", async () => {
  const completion = await client.chat.completions.create({
    model: "auto",
    messages: [{ role: "user", content: "Weather in Paris?" }],
    tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }],
  });
  const call = completion.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, "get_weather");
  assert.ok("city" in JSON.parse(call.function.arguments));
});

await check("embeddings", async () => {
  const result = await client.embeddings.create({ model: "text-embedding-sim", input: ["a", "b"] });
  assert.equal(result.data.length, 2);
  assert.ok(result.data[0].embedding.length > 0);
});

await check("models list has experts and aliases", async () => {
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  assert.ok(ids.includes("auto"));
  assert.ok(ids.includes("gpt-4o-2024-08-06"));
});

await check("unknown model is a 404 OpenAI error", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: "gpt-7", messages: [{ role: "user", content: "x" }] }),
    (error) => error.status === 404 && error.code === "model_not_found",
  );
});

await check("bad key is a 401 OpenAI error", async () => {
  const stranger = new OpenAI({ baseURL, apiKey: "sk-wrong", maxRetries: 0 });
  await assert.rejects(stranger.models.list(), (error) => error.status === 401);
});

console.log(`openai-npm: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
