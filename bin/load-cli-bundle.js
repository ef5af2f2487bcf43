'use strict';
// Loads the CLI as one file (dist/lib/cli/main.bundle.js, written by `npm run build` through
// scripts/build-cli-bundle.js) with the V8 code cache written beside it at build time, so a check
// neither resolves ~150 module files nor compiles the functions it runs (about a seventh of a
// check's CPU on the Terraform bench). Nothing is written at run time.
// The cache is used only when the digest it was written for is the bundle's own; V8 then rejects
// a cache from another Node or V8 version (or other flags) by itself, and the bundle compiles as
// it would without one: a cache can cost the compile it saves, never change what runs.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const v8 = require('v8');
const vm = require('vm');
const { createRequire } = require('module');

/**
 * V8's budget before a function is optimized (TurboFan), about 6× V8's default (67,584). A check is a
 * short run: with the default, V8 optimized about 150 functions (with inlining) per Terraform bench check,
 * and its compiler threads spent about 40 % of the check's CPU on that, for little gain on the main
 * thread; with this budget only the hottest functions are optimized (0.66–0.73× the CPU, the main thread
 * within a few %; bench/tf/README.md). A longer run still optimizes what stays hot.
 */
const TIER_UP_FLAGS = '--interrupt-budget=400000';

/** Bytes of the bundle's SHA-256 at the start of its cache file. */
const DIGEST_BYTES = 32;

/**
 * Runs the bundle at `file` as a CommonJS module and returns `{ exports, script, cacheUsed }`.
 * `options.cache: false` ignores the cache file (the build, which writes it).
 */
function loadCliBundle(file, options = {}) {
  setTierUpFlags();
  const source = fs.readFileSync(file, 'utf8');
  const digest = bundleDigest(source);
  let cachedData;
  if (options.cache !== false) {
    try {
      const cache = fs.readFileSync(`${file}.cache`);
      if (cache.length > DIGEST_BYTES && cache.subarray(0, DIGEST_BYTES).equals(digest)) cachedData = cache.subarray(DIGEST_BYTES);
    } catch {
      // No cache beside the bundle: it compiles as usual.
    }
  }
  // The module wrapper on the first line: line numbers in stack traces stay the bundle's own.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const mod = { exports: {}, filename: file, loaded: false };
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/** The cache file's content for `script` (compiled from the bundle `source`): digest, then V8's data. */
function cacheFileContent(source, script) {
  return Buffer.concat([bundleDigest(source), script.createCachedData()]);
}

/**
 * Before the bundle compiles: V8 accepts a code cache only for the flags it was written with, and the build
 * writes it through this function too. A budget the user gave Node (command line, NODE_OPTIONS) is theirs.
 */
function setTierUpFlags() {
  if (/--interrupt[-_]budget\b/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS || ''}`)) return;
  v8.setFlagsFromString(TIER_UP_FLAGS);
}

function bundleDigest(source) {
  return crypto.createHash('sha256').update(source).digest();
}

module.exports = { loadCliBundle, cacheFileContent };
