import type { Config } from './config';
import type { Graph } from './graph/client';
import type { Policy } from './incidents/policy';
import type { Logger } from './log';
import type { IncidentStore } from './store/incident-store';
import type { WorkQueue } from './store/work-queue';
import type { ResultStore } from './store/result-store';
import type { FlowClient } from './powerautomate/client';
import type { ExchangeClient } from './exchange/client';

/** Everything a use case needs, passed explicitly (Probot-style): tests build one against the sandbox tenant. */
export interface ContainContext {
  config: Config;
  graph: Graph;
  /** Power Automate admin API; undefined when not configured. */
  flows?: FlowClient;
  /** The Exchange Online admin API (step 5's forwarding and hidden rules); undefined when not configured. */
  exchange?: ExchangeClient;
  store: IncidentStore;
  queue: WorkQueue;
  /** Full results behind the links on investigation cards. */
  results: ResultStore;
  policy: Policy;
  log: Logger;
  now: () => Date;
}
