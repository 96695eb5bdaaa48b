/** Fixed ids of the sandbox tenant's people, groups and attacker infrastructure. */
export const TENANT_ID = '0c0a1e57-0000-4000-8000-00000000c0de';
export const DOMAIN = 'contoso.example';
/** The Global Administrator role's template id, the same in every tenant. */
export const GLOBAL_ADMIN_TEMPLATE = '62e90394-69f5-4237-9190-012177145e10';

export const SEED_IDS = {
  alice: 'a11ce000-0000-4000-8000-000000000001',
  alicia: 'a11c1a00-0000-4000-8000-000000000002',
  alistair: 'a1157a17-0000-4000-8000-000000000003',
  danObrien: 'd0b71e00-0000-4000-8000-000000000004',
  bob: 'b0b00000-0000-4000-8000-000000000005',
  carol: 'ca7010e0-0000-4000-8000-000000000006',
  erin: 'e71e0000-0000-4000-8000-000000000007',
  frank: 'f7a00000-0000-4000-8000-000000000008',
  grace: '97ace000-0000-4000-8000-000000000009',
  heidi: '0e1d1000-0000-4000-8000-00000000000a',
  ivan: '1fa00000-0000-4000-8000-00000000000b',
  judy: '00d70000-0000-4000-8000-00000000000c',
  riley: '7e500000-0000-4000-8000-0000000000a1', // responder
  avery: 'a5e70000-0000-4000-8000-0000000000a2', // approver
  parker: 'a5e70000-0000-4000-8000-0000000000a3', // approver
  quinn: 'a5e70000-0000-4000-8000-0000000000a4', // approver
  sam: '5a000000-0000-4000-8000-0000000000a5', // neither
  breakGlass: 'b7ea0000-0000-4000-8000-0000000000f1', // protected
  galeAdmin: '9a1e0000-0000-4000-8000-0000000000f2', // Global Administrator by role
  socApprovers: '50c0a990-0000-4000-8000-0000000000b1', // group: Avery, Parker, Quinn
  securityTeam: '5ec00000-0000-4000-8000-0000000000b2', // group: Riley + the approvers group (nested)
  globalAdminRole: '91ba0000-0000-4000-8000-0000000000c1', // directoryRole object of Global Administrator
} as const;

/** The attacker's addresses, browser and the app it registers in the tenant. */
export const ATTACKER = {
  ipv4: '152.42.161.220',
  ipv6: '240b:10:32c1:ab00:857:889:3734:e93',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  appId: '3f691a1c-cb53-41e5-a56e-acfb23ae6ca5',
};
