// `npm start` and `npm run bench` build through this: tsc (incremental, dist/.tsbuildinfo) runs only
// when a source file, a tsconfig or the lock file is newer than the last build, or when files were
// added or removed; otherwise the start goes straight on (a no-change start does no compiler work).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(root, 'dist', '.tsbuildinfo');
const inputsFile = path.join(root, 'dist', '.build-inputs');
const SOURCE_DIRS = ['src', 'bench'];
const FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
/** What tsconfig.build.json leaves out: changing these never changes dist. */
const EXCLUDED = /\.(test|test-support|fixture)\.ts$/;

/** Every input file (relative path) with its modification time. */
function inputs() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.(ts|json|sql)$/.test(entry.name) && !EXCLUDED.test(entry.name)) found.push(rel);
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  for (const file of FILES) if (existsSync(path.join(root, file))) found.push(file);
  found.sort();
  return found.map((rel) => ({ rel, mtime: statSync(path.join(root, rel)).mtimeMs }));
}

const files = inputs();
const list = files.map((f) => f.rel).join('\n');
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : -1;
const sameFiles = existsSync(inputsFile) && readFileSync(inputsFile, 'utf8') === list;
const changed = built < 0 || !sameFiles || files.some((f) => f.mtime > built);

if (!changed) {
  process.stdout.write('build: dist is up to date\n');
} else {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // tsc leaves its build info untouched when nothing it emits changed: mark this build anyway.
  const now = new Date();
  utimesSync(stamp, now, now);
  writeFileSync(inputsFile, list);
}

// The console (Vite → dist/console): rebuilt when a file under console/ is newer than its build.
const consoleIndex = path.join(root, 'dist', 'console', 'index.html');
const consoleFiles = [];
const walkConsole = (dir) => {
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) walkConsole(rel);
    else if (!/\.test\.tsx?$/.test(entry.name)) consoleFiles.push(statSync(path.join(root, rel)).mtimeMs);
  }
};
walkConsole('console');
const consoleBuilt = existsSync(consoleIndex) ? statSync(consoleIndex).mtimeMs : -1;
if (consoleBuilt < 0 || consoleFiles.some((m) => m > consoleBuilt) || statSync(path.join(root, 'package-lock.json')).mtimeMs > consoleBuilt) {
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', path.join(root, 'console', 'vite.config.ts')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
} else {
  process.stdout.write('build: dist/console is up to date\n');
}
