// Runs calls of the official npm SDK against a server and prints their outcomes as JSON.
//
// stdin: {"baseUrl": ..., "apiKey": ..., "calls": [{"call": "sessions.create", "args": [...]}]}
// An argument {"$result": [i, "key", ...]} stands for a value of the i-th call's result, so
// one run can create a session and then use its id. An argument
// {"$file": {"filename": ..., "base64": ..., "contentType": ...}} stands for the SDK's own
// FileUpload of those bytes (a Buffer), as storeMessage's `file` option takes it.
// stdout: one entry per call, {"result": ...} or {"error": {"name", "message", "status"}}.
"use strict";
const { AcontextClient, FileUpload } = require("@acontext/acontext");

function resolve(value, results) {
  if (Array.isArray(value)) return value.map((item) => resolve(item, results));
  if (value && typeof value === "object") {
    if ("$result" in value) {
      const [index, ...keys] = value.$result;
      return keys.reduce((found, key) => found[key], results[index].result);
    }
    if ("$file" in value) {
      const { filename, base64, contentType } = value.$file;
      return new FileUpload({ filename, content: Buffer.from(base64, "base64"), contentType });
    }
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolve(item, results)]),
    );
  }
  return value;
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const { baseUrl, apiKey, calls } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const client = new AcontextClient({ baseUrl, apiKey });
  const results = [];
  for (const { call, args } of calls) {
    const [resource, method] = call.split(".");
    try {
      const target = method === undefined ? client : client[resource];
      const result = await target[method ?? resource](...resolve(args ?? [], results));
      results.push({ result: result === undefined ? null : result });
    } catch (error) {
      results.push({
        error: {
          name: error.constructor.name,
          message: String(error.message),
          status: error.statusCode ?? error.status ?? null,
        },
      });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
