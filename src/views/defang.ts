/**
 * An attacker's URL made inert for chat (hxxps://evil[.]example/path): Teams and Slack turn bare URLs into links, and
 * nobody should be one click from the phishing page. The full result keeps the URL as data.
 */
export function defang(url: string): string {
  return url
    .replace(/^http(s?)(?=:)/i, (_m, s: string) => `hxxp${s.toLowerCase()}`)
    .replace(/^(hxxps?:\/\/)?([^/?#]+)/i, (_m, scheme: string | undefined, host: string) => `${scheme ?? ''}${host.replace(/\./g, '[.]')}`);
}
