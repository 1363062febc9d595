/**
 * Who calls the API and how each proves it (API.md, Auth). An audience is one
 * OpenAPI tag and one security scheme; operations.ts puts every operation
 * under exactly one, and docs.ts writes them into the document.
 */
export const audiences = {
  operator: {
    tag: { name: "operator", description: "The exchange's own staff and tools: publishers, buyers, lead points, ping trees, and every lead's trace. Under /v1/admin." },
    schemeName: "operatorToken",
    scheme: {
      type: "http",
      scheme: "bearer",
      description: "The Worker secret ADMIN_TOKEN, sent as `Authorization: Bearer <ADMIN_TOKEN>` on every /v1/admin request.",
    },
    unauthorized: "Missing or wrong operator token",
  },
  publisher: {
    tag: { name: "publisher", description: "Traffic sources: submit leads from a server or a web form and read their outcome." },
    schemeName: "publisherKey",
    scheme: {
      type: "apiKey",
      in: "header",
      name: "X-Api-Key",
      description:
        "The publisher's API key, returned once when the operator creates the publisher, sent as the `X-Api-Key` header. A browser form post (application/x-www-form-urlencoded) that cannot set headers may send it as the `api_key` field of the form body instead.",
    },
    unauthorized: "Missing or wrong publisher key",
  },
  buyer: {
    tag: { name: "buyer", description: "Lead buyers: read the leads they bought, return them, and steer their own lead points. Under /v1/buyer." },
    schemeName: "buyerKey",
    scheme: {
      type: "http",
      scheme: "bearer",
      description: "The buyer's API key, returned once when the operator creates the buyer, sent as `Authorization: Bearer <buyer key>` on every /v1/buyer request.",
    },
    unauthorized: "Missing or wrong buyer key",
  },
} as const;

export type AudienceName = keyof typeof audiences;
export type Audience = (typeof audiences)[AudienceName];
