// `npm run openapi:lint`: redocly's recommended rules over the OpenAPI
// document, obtained from the app itself; exits 1 when there is an error.
import { describeProblems, lintOpenApi } from "./openapi/lint.ts";
import { loadDocument } from "./openapi/document.ts";

const problems = await lintOpenApi(await loadDocument());
const errors = problems.filter((p) => p.severity === "error").length;
if (problems.length) console.log(describeProblems(problems));
console.log(`${errors} error(s), ${problems.length - errors} warning(s)`);
process.exitCode = errors ? 1 : 0;
