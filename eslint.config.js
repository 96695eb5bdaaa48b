// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const platformPackages = [
  { name: 'botbuilder', message: 'src/ and cards/ are platform-neutral: Teams code lives in bot/teams/.' },
  { name: '@slack/bolt', message: 'src/ and cards/ are platform-neutral: Slack code lives in bot/slack/.' },
  { name: '@azure/functions', message: 'src/ and cards/ are platform-neutral: triggers live in functions/.' },
  {
    name: '@azure/monitor-opentelemetry',
    message: 'src/ records telemetry through @opentelemetry/api only (src/telemetry); the SDK is set up in functions/lib/telemetry.ts.',
  },
];
const platformPatterns = [
  { group: ['botbuilder-*', 'botframework-*', '@slack/*'], message: 'src/ and cards/ never import chat platform packages.' },
  {
    group: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@azure/monitor-opentelemetry-exporter'],
    message: 'src/ records telemetry through @opentelemetry/api only; SDKs and exporters belong in functions/.',
  },
  {
    group: ['**/bot/**', '**/functions/**', '../bot', '../../bot', '../functions', '../../functions'],
    message: 'Dependencies point one way: functions -> bot -> cards, src.',
  },
];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'sandbox/playground/vendor/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts', 'cards/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: platformPackages, patterns: platformPatterns }],
    },
  },
);
