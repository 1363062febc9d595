// `npm run client:types`: regenerate the committed client types from the
// OpenAPI document, obtained from the app itself without starting a server.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { CLIENT_TYPES_FILE, clientTypes } from "./openapi/clientTypes.ts";
import { loadDocument } from "./openapi/document.ts";

const file = path.resolve(import.meta.dirname, "..", CLIENT_TYPES_FILE);
await writeFile(file, await clientTypes(await loadDocument()));
console.log(`wrote ${CLIENT_TYPES_FILE}`);
