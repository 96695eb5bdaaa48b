import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** Read a stored (method 0) zip: name -> bytes, by walking the local headers. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (buf.readUInt32LE(off) === 0x04034b50) {
    const size = buf.readUInt32LE(off + 18);
    const nameLen = buf.readUInt16LE(off + 26);
    const name = buf.subarray(off + 30, off + 30 + nameLen).toString();
    out.set(name, buf.subarray(off + 30 + nameLen, off + 30 + nameLen + size));
    off += 30 + nameLen + size;
  }
  return out;
}

describe('npm run package:teams', () => {
  test('builds a zip with a 1.17 manifest, the ids from env, the command list and both icons', () => {
    const r = spawnSync(process.execPath, ['scripts/package-teams.js'], { cwd: root, env: { ...process.env, MicrosoftAppId: '11111111-2222-4333-8444-555555555555', BOT_DOMAIN: 'https://contain-test.azurewebsites.net/' }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const files = unzip(readFileSync(join(root, 'dist/teams/contain-teams.zip')));
    expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const m = JSON.parse(files.get('manifest.json')!.toString());
    expect(m.manifestVersion).toBe('1.17');
    expect(m.bots[0].botId).toBe('11111111-2222-4333-8444-555555555555');
    expect(m.validDomains).toEqual(['contain-test.azurewebsites.net']);
    expect(m.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title)).toEqual(['contain', 'investigate', 'scope', 'hunt', 'status', 'report', 'posture', 'help']);
    for (const [name, size] of [['color.png', 192], ['outline.png', 32]] as const) {
      const png = files.get(name)!;
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
  });

  test('refuses to build without the bot app id, naming what is missing', () => {
    const env = { ...process.env };
    delete env.MicrosoftAppId;
    delete env.MICROSOFT_APP_ID;
    const r = spawnSync(process.execPath, ['scripts/package-teams.js'], { cwd: root, env: { ...env, BOT_DOMAIN: 'x.example' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('MicrosoftAppId');
  });
});
