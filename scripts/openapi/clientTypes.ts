/**
 * The TypeScript types of the API that openapi-fetch clients use, made by
 * openapi-typescript from the OpenAPI document. One function, so the
 * committed file and the test's check of it come out of the same settings.
 */
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from "openapi-typescript";

/** Where the types are committed, relative to the repository. */
export const CLIENT_TYPES_FILE = "test/client/schema.d.ts";

const HEADER = `${COMMENT_HEADER}// From the document the Worker serves at /openapi.json; regenerate with \`npm run client:types\`.\n\n`;

export async function clientTypes(document: unknown): Promise<string> {
  // A field with a default may be left out of a request: openapi-typescript would make it required.
  const ast = await openapiTS(document as OpenAPI3, { silent: true, defaultNonNullable: false });
  return HEADER + astToString(ast);
}
