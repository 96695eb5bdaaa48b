// Lets a child process run the project's TypeScript directly (node -r ./test/helpers/ts-register.js x.ts), using the
// typescript package we already have: transpile only, like ts-jest's isolatedModules mode.
'use strict';
const ts = require('typescript');
const fs = require('node:fs');
require.extensions['.ts'] = function register(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  module._compile(out.outputText, filename);
};
