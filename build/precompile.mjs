// Build step (Node): start Pyodide from node_modules, install the NumPy and
// pynet wheels, and run build/precompile.py inside it, which writes copies of
// python_stdlib.zip and the NumPy wheel with the imported modules as bytecode,
// and of the pynet wheel with their bytecode beside its sources.
//
// Usage: node build/precompile.mjs <pyodide dir> <numpy.whl> <pynet.whl> <stdlib out> <numpy out> <pynet out>
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, basename } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [pyodideDir, numpyWheel, pynetWheel, stdlibOut, numpyOut, pynetOut] = process.argv.slice(2).map((p) => resolve(p));
const here = dirname(fileURLToPath(import.meta.url));
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);

const py = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: (s) => console.error(s) });
await py.loadPackage([numpyWheel, pynetWheel], { messageCallback: () => {} });

const work = "/tmp/precompile";
py.FS.mkdirTree(work);
py.FS.writeFile(`${work}/python_stdlib.zip`, readFileSync(join(pyodideDir, "python_stdlib.zip")));
py.FS.writeFile(`${work}/numpy.whl`, readFileSync(numpyWheel));
py.FS.writeFile(`${work}/pynet.whl`, readFileSync(pynetWheel));
py.FS.writeFile(`${work}/precompile.py`, readFileSync(join(here, "precompile.py")));

const summary = py.runPython(`
import sys
sys.path.insert(0, "${work}")
import precompile
precompile.main([
    ("${work}/python_stdlib.zip", "${work}/stdlib.out", "/lib/python313.zip/"),
    ("${work}/numpy.whl", "${work}/numpy.out", "/lib/python3.13/site-packages/"),
], [
    ("${work}/pynet.whl", "${work}/pynet.out", "/lib/python3.13/site-packages/"),
])
`);
writeFileSync(stdlibOut, py.FS.readFile(`${work}/stdlib.out`));
writeFileSync(numpyOut, py.FS.readFile(`${work}/numpy.out`));
writeFileSync(pynetOut, py.FS.readFile(`${work}/pynet.out`));
console.log(`${summary} (${basename(stdlibOut)}, ${basename(numpyOut)}, ${basename(pynetOut)})`);
