#!/usr/bin/env node
// npm run package:teams: builds dist/teams/contain-teams.zip from appPackage/ (manifest.json and the two icons), the
// same package the Agents Toolkit's teamsApp/zipAppPackage builds from m365agents.yml. The manifest's ${{VAR}}
// placeholders are filled from the environment, as the toolkit fills them from env/.env.<env>.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { zipSync } = require('fflate');

const root = path.join(__dirname, '..');
const appPackage = path.join(root, 'appPackage');
const env = process.env;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// BOT_ID is the toolkit's (and main.bicep's output) name; MicrosoftAppId / MICROSOFT_APP_ID the bot settings' name.
const botId = env.BOT_ID || env.MicrosoftAppId || env.MICROSOFT_APP_ID;
const botDomain = (env.BOT_DOMAIN || '').replace(/^https?:\/\//, '').replace(/\/.*$/, '');
const missing = [!botId && 'BOT_ID (or MicrosoftAppId)', !botDomain && 'BOT_DOMAIN'].filter(Boolean);
if (missing.length) {
  console.error(
    `package:teams needs ${missing.join(' and ')}: the Azure Bot's app id and the Function App host name (outputs BOT_ID and BOT_DOMAIN of infra/main.bicep, e.g. contain-func-abc.azurewebsites.net).`,
  );
  process.exit(2);
}
if (!GUID.test(botId)) {
  console.error("BOT_ID (MicrosoftAppId) must be the bot's application (client) id, a GUID.");
  process.exit(2);
}
const values = {
  BOT_ID: botId,
  BOT_DOMAIN: botDomain,
  // A Teams app id of its own when the toolkit registered one; otherwise the bot id, as for a single-bot app.
  TEAMS_APP_ID: env.TEAMS_APP_ID || botId,
  TEAMS_DEVELOPER_NAME: env.TEAMS_DEVELOPER_NAME || 'Contain',
};
const manifest = fs.readFileSync(path.join(appPackage, 'manifest.json'), 'utf8').replace(/\$\{\{ *(\w+) *\}\}/g, (_m, k) => {
  if (!(k in values)) throw new Error(`appPackage/manifest.json uses \${{${k}}}, which package:teams does not fill`);
  return values[k];
});
const icons = JSON.parse(manifest).icons; // and fail here on broken JSON, not in Teams admin center

const out = path.join(root, 'dist', 'teams');
fs.mkdirSync(out, { recursive: true });
const file = path.join(out, 'contain-teams.zip');
const files = { 'manifest.json': Buffer.from(manifest) };
for (const icon of [icons.color, icons.outline]) files[icon] = fs.readFileSync(path.join(appPackage, icon));
fs.writeFileSync(file, zipSync(files, { level: 9 }));
console.log(
  `Teams app package: ${path.relative(root, file)} (upload in Teams admin center > Manage apps, or Teams > Apps > Upload a custom app)`,
);
