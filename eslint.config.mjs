// ESLint for the site's JavaScript (web/: page/ runs in the page, workers/ in
// Web Workers, shared/ in both, sw.js is the service worker) and the Node
// build scripts (build/*.mjs).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["dist/**", "node_modules/**", ".cache/**", ".venv/**"] },
  js.configs.recommended,
  {
    files: ["web/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      eqeqeq: ["error", "smart"],
      "prefer-const": "error",
      "no-var": "error",
    },
  },
  { files: ["web/workers/**/*.js"], languageOptions: { globals: globals.worker } },
  { files: ["web/sw.js"], languageOptions: { sourceType: "script", globals: globals.serviceworker } },
  { files: ["build/**/*.mjs", "tests/**/*.mjs"], languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node } },
];
