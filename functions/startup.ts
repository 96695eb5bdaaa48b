import { app } from '@azure/functions';
import { startTelemetry, stopTelemetry } from './lib/telemetry';

/**
 * When the Functions host starts this app: telemetry (if APPLICATIONINSIGHTS_CONNECTION_STRING is set) and contain
 * doctor, both in the background (doctor in azure mode only); neither ever blocks start-up.
 */
app.hook.appStart(() => {
  void startTelemetry();
  void (async () => {
    const [{ getContext }, { doctorAtStartup }] = await Promise.all([import('../src/runtime'), import('../src/doctor/startup')]);
    await doctorAtStartup(await getContext());
  })().catch((err: unknown) =>
    console.error(JSON.stringify({ level: 'error', msg: 'contain doctor could not start', error: String(err) })),
  );
});

/** When the host stops the app (scale-in, a new deployment): send what telemetry still holds. */
app.hook.appTerminate(() => stopTelemetry());
