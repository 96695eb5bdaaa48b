import { TENANT_ID } from './ids';

/** What the seed objects of steps 2-7 look like (sandbox/graph/seed-objects.ts and the files it composes), and their fixed ids. */
/** The ISO time `hoursAgo` hours before `now`: the seed is built relative to the moment the tenant is (re)set. */
export const iso = (now: number, hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
export const MICROSOFT_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';

export interface SeedMethod {
  userId: string;
  type: string;
  id: string;
  isDefault?: boolean;
  data: Record<string, unknown>;
}
export interface SeedDevice {
  ownerId: string;
  data: Record<string, unknown>;
}
export interface SeedFolder {
  userId: string;
  id: string;
  wellKnown?: string;
  displayName: string;
}
export interface SeedRule {
  userId: string;
  data: Record<string, unknown>;
}
export interface SeedGrant {
  data: Record<string, unknown>;
}
export interface SeedServicePrincipal {
  data: Record<string, unknown>;
}
export interface SeedApplication {
  ownerIds: string[];
  data: Record<string, unknown>;
}
export interface SeedAudit {
  data: Record<string, unknown>;
}
export interface SeedFlow {
  environment: string;
  data: Record<string, unknown>;
}

export const FLOW_ENVIRONMENT = `Default-${TENANT_ID}`;
export const ALICE_OBJECTS = {
  attackerAuthenticator: 'b2f1a7c0-0000-4000-8000-00000000ad01',
  attackerPhone: '3179e48a-750b-4051-897c-87b9720928f7', // mobile phone methods have this fixed id in Graph
  legitAuthenticator: 'b2f1a7c0-0000-4000-8000-00000000a101',
  legitFido2: 'f1d02000-0000-4000-8000-00000000a102',
  passwordMethod: '28c10230-6103-485e-b985-444c60001490', // the password method's fixed id in Graph
  attackerWindowsDevice: 'de71ce00-0000-4000-8000-00000000ad01',
  attackerIphone: 'de71ce00-0000-4000-8000-00000000ad02',
  legitLaptop: 'de71ce00-0000-4000-8000-00000000a101',
  ruleDot: 'AQAAAJ5dZq0=',
  ruleDotDot: 'AQAAAJ5dZq4=',
  legitRule: 'AQAAAJ5dZqA=',
  grantAttacker: 'gAtt4ckerGrant0000000000000000000000000000000',
  grantTeams: 'gT3amsGrant00000000000000000000000000000000000',
  spAttacker: '5b000000-0000-4000-8000-00000000ad01',
  spTeams: '5b000000-0000-4000-8000-00000000a101',
  appAttacker: 'a9900000-0000-4000-8000-00000000ad01',
  attackerSecret: 'ce500000-0000-4000-8000-00000000ad01',
  attackerCert: 'ce500000-0000-4000-8000-00000000ad02',
  flowAttacker: 'f1000000-0000-4000-8000-00000000ad01',
  flowLegit: 'f1000000-0000-4000-8000-00000000a101',
};

/** A stand-in for the attacker's certificate (base64 DER in real tenants; any base64 here). */
export const ATTACKER_CERT = Buffer.from('sandbox: public certificate of the attacker app "..", CN=..').toString('base64');
