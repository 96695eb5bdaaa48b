// How the sandbox's Exchange admin API refuses: the module's error shape, and the refusals its cmdlets share.

/** A refusal as a cmdlet raises it: HTTP status, error code, the PowerShell exception type and its text. */
export class ExchangeFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly exceptionType: string,
    message: string,
  ) {
    super(message);
  }
}

/** The error body the module's REST layer returns (ExoHelper's Get-ExoException reads details[0].message). */
export function errorBody(f: ExchangeFailure): unknown {
  const tag = `Ex${(f.exceptionType.length * 7919).toString(16).toUpperCase().padStart(6, '0')}`;
  return {
    error: {
      code: f.code,
      message: `|${f.exceptionType}|${f.message}`,
      details: [{ code: 'Context', target: '', message: `${tag}|${f.exceptionType}|${f.message}` }],
      innererror: { message: f.message, type: f.exceptionType },
    },
  };
}

export const notFound = (identity: string) =>
  new ExchangeFailure(
    404,
    'NotFound',
    'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
    `The operation couldn't be performed because object '${identity}' couldn't be found on 'SANDBOX01A001.prod.outlook.com'.`,
  );
export const badParameter = (cmdlet: string, name: string) =>
  new ExchangeFailure(
    400,
    'BadRequest',
    'System.Management.Automation.ParameterBindingException',
    `A parameter cannot be found that matches parameter name '${name}' (${cmdlet}, as the sandbox emulates it).`,
  );
export const badValue = (name: string, expected: string) =>
  new ExchangeFailure(
    400,
    'BadRequest',
    'System.Management.Automation.ParameterBindingException',
    `Cannot process argument transformation on parameter '${name}'. Expected ${expected}.`,
  );
