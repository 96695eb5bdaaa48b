// Tests read structured logs only when asked (CONTAIN_LOG_LEVEL=debug npm test); the @azure/functions test-mode
// banner is noise too.
process.env.CONTAIN_LOG_LEVEL ??= 'silent';
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('@azure/functions')) return;
  warn(...args);
};
