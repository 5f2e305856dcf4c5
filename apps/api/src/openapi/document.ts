import { errorCatalog, errorEnvelope } from "@chat/protocol";
import { z } from "zod";
import { type Operation, operations } from "./operations";

type JsonSchema = Record<string, unknown>;

/** zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the `$schema` key. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

const pathParams = (path: string) =>
  [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string", maxLength: 100 },
  }));

function queryParams(query: z.ZodObject | undefined) {
  if (!query) return [];
  return Object.entries(query.shape).map(([name, field]) => {
    const schema = jsonSchema(field as z.ZodType, "input");
    const { description, ...rest } = schema;
    return {
      name,
      in: "query",
      required: !(field as z.ZodType).isOptional(),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const errorStatus = (code: keyof typeof errorCatalog) => errorCatalog[code].http;

function operationObject(op: Operation) {
  const responses: Record<string, unknown> = {};
  for (const [status, { description, schema }] of Object.entries(op.responses)) {
    responses[status] = {
      description,
      ...(schema ? { content: { "application/json": { schema: jsonSchema(schema, "output") } } } : {}),
    };
  }
  // Group the error codes by status: each status lists which codes it carries.
  const codes = [...op.errors, ...(op.public ? [] : (["UNAUTHORIZED"] as const))];
  // Every JSON body: not JSON or not UTF-8 (400), another Content-Type (415), over 256 KB (413).
  if (op.body) codes.push("INVALID_JSON", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE");
  const byStatus = new Map<number, string[]>();
  for (const code of new Set(codes)) {
    byStatus.set(errorStatus(code), [...(byStatus.get(errorStatus(code)) ?? []), code]);
  }
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `Error: ${list.join(", ")}`,
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    operationId: `${op.method}${op.path.replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ? c.toUpperCase() : ""))}`,
    ...(op.public ? { security: [] } : {}),
    parameters: [...pathParams(op.path), ...queryParams(op.query)],
    ...(op.body
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(op.body, "input") } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the api, built from the same zod schemas the routes validate with. */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    paths[op.path] = { ...paths[op.path], [op.method]: operationObject(op) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Chat service REST API",
      version: "0.1.0",
      description:
        "REST API of the A2G chat service. Every error is `{error:{code,message,details?}}`; validation errors list the bad fields in `details` (`path` names the field). Sessions the caller does not take part in answer 404, as if they did not exist. Real-time delivery is over WebSocket (`/ws/{session_id}?token=JWT`), documented in the README.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "HS256 JWT; `sub` is the user id.",
        },
      },
      schemas: { Error: jsonSchema(errorEnvelope, "output") },
    },
  };
}
