// `npm test`: install what is missing, then typecheck, lint and every test
// on Node (the runtime-free code) and inside workerd (the rest). Arguments go to vitest: `npm test -- src/core`.
import { ensureInstalled, run } from "./ensure-install.mjs";

ensureInstalled();
run("npm", ["run", "typecheck"]);
run("npm", ["run", "lint"]);
run("npm", ["exec", "--", "vitest", "run", ...process.argv.slice(2)]);
