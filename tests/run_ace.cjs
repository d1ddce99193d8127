// Ace by DAISY's command line (what its `ace-puppeteer` runs), with the
// Chromium flags the other browser tests use.
//
//   PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium ACE_CHROMIUM_ARGS='["--flag", ...]' \
//       node tests/run_ace.cjs [ace options] BOOK.epub
//
// Ace's puppeteer runner starts the browser with --no-sandbox and nothing
// else of ours; puppeteer reads no flags from the environment. This adds
// ACE_CHROMIUM_ARGS (tests/conftest.py passes CHROMIUM_ARGS) to that launch,
// through the same puppeteer module the runner loads.
'use strict';

const path = require('path');

if (!process.env.ACE_CHROMIUM_ARGS || !process.env.PUPPETEER_EXECUTABLE_PATH) {
    console.error('run_ace.cjs: set ACE_CHROMIUM_ARGS (a JSON list) and PUPPETEER_EXECUTABLE_PATH');
    process.exit(2);
}
const flags = JSON.parse(process.env.ACE_CHROMIUM_ARGS);
const runner = path.dirname(require.resolve('@daisy/ace-axe-runner-puppeteer/package.json'));
const puppeteer = require(require.resolve('puppeteer', { paths: [runner] }));
const launch = puppeteer.launch;
puppeteer.launch = (options = {}) => launch({ ...options, args: [...(options.args || []), ...flags] });

require('@daisy/ace-cli/bin/ace.js');
