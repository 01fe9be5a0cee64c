import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter } from '../src/adapter.js';

const adapterTypes = fileURLToPath(new URL('../dist/adapter.d.ts', import.meta.url));

// What an editor shows on hover comes from the built .d.ts: load it with the compiler and ask for
// the documentation of every method of CloudTransportAdapter.
it('every method of CloudTransportAdapter carries its JSDoc into the built .d.ts', () => {
  expect(existsSync(adapterTypes), 'build the client first: npm run build -w @open-cowork/cloud-client').toBe(true);
  const program = ts.createProgram([adapterTypes], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(adapterTypes)!)!;
  const adapter = checker.getExportsOfModule(moduleSymbol).find((symbol) => symbol.name === 'CloudTransportAdapter')!;
  const methods = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(adapter));
  const undocumented = methods
    .filter((method) => ts.displayPartsToString(method.getDocumentationComment(checker)).trim() === '')
    .map((method) => method.name);
  expect(undocumented).toEqual([]);
  const runtimeMethods = Object.keys(createHttpSseCloudTransportAdapter({ baseUrl: '' }));
  expect(methods.map((method) => method.name).sort()).toEqual(runtimeMethods.sort());
});
