// The bare handler bench:cold compares with: one HTTP function that answers 200, as a Functions developer writes it.
'use strict';
const { app } = require('@azure/functions');

app.http('bare', { methods: ['POST'], authLevel: 'anonymous', handler: async () => ({ status: 200, jsonBody: { ok: true } }) });
