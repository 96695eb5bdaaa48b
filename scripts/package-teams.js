#!/usr/bin/env node
// npm run package:teams: builds dist/teams/contain-teams.zip (manifest + icons) from manifests/teams/, with ids from
// the environment. Dependency-free: the icons are drawn and the zip is written here (store method, CRC-32 from zlib).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.join(__dirname, '..');
const env = process.env;
const required = { MICROSOFT_APP_ID: env.MicrosoftAppId || env.MICROSOFT_APP_ID, BOT_DOMAIN: env.BOT_DOMAIN };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const missing = Object.entries(required).filter(([, v]) => !v).map(([k]) => (k === 'MICROSOFT_APP_ID' ? 'MicrosoftAppId' : k));
if (missing.length) {
  console.error(`package:teams needs ${missing.join(' and ')} (the Azure Bot's app id and the Function App host name, e.g. contain-prod.azurewebsites.net).`);
  process.exit(2);
}
if (!GUID.test(required.MICROSOFT_APP_ID)) {
  console.error('MicrosoftAppId must be the bot registration\'s application (client) id, a GUID.');
  process.exit(2);
}
const values = {
  VERSION: JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version,
  TEAMS_APP_ID: env.TEAMS_APP_ID || required.MICROSOFT_APP_ID,
  MICROSOFT_APP_ID: required.MICROSOFT_APP_ID,
  BOT_DOMAIN: required.BOT_DOMAIN.replace(/^https?:\/\//, '').replace(/\/.*$/, ''),
  DEVELOPER_NAME: env.TEAMS_DEVELOPER_NAME || 'Contain',
  WEBSITE_URL: env.TEAMS_WEBSITE_URL || `https://${required.BOT_DOMAIN.replace(/^https?:\/\//, '').replace(/\/.*$/, '')}`,
};
const manifest = fs.readFileSync(path.join(root, 'manifests/teams/manifest.template.json'), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, k) => {
  if (!(k in values)) throw new Error(`unknown placeholder ${k}`);
  return values[k];
});
JSON.parse(manifest); // fail here, not in Teams admin center

/** A PNG of size x size: a shield on the accent colour (color icon) or a white outline on transparent (outline). */
function icon(size, outline) {
  const px = Buffer.alloc(size * size * 4);
  const c = size / 2;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const nx = (x - c) / c, ny = (y - c) / c;
      const inShield = Math.abs(nx) < 0.62 - Math.max(0, ny) * 0.45 && ny > -0.7 && ny < 0.8;
      const edge = inShield && !(Math.abs(nx) < 0.5 - Math.max(0, ny) * 0.45 && ny > -0.58 && ny < 0.66);
      const i = (y * size + x) * 4;
      if (outline) {
        const on = edge;
        px.set(on ? [255, 255, 255, 255] : [0, 0, 0, 0], i);
      } else {
        px.set(inShield ? (edge ? [255, 255, 255, 255] : [196, 49, 75, 255]) : [41, 42, 94, 255], i);
      }
    }
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) px.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A zip archive (method 0, stored) of [name, Buffer] entries. */
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const n = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const out = path.join(root, 'dist', 'teams');
fs.mkdirSync(out, { recursive: true });
const file = path.join(out, 'contain-teams.zip');
fs.writeFileSync(file, zip([['manifest.json', Buffer.from(manifest)], ['color.png', icon(192, false)], ['outline.png', icon(32, true)]]));
console.log(`Teams app package: ${path.relative(root, file)} (upload in Teams admin center > Manage apps, or Teams > Apps > Upload a custom app)`);
