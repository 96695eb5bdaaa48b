import { app } from '@azure/functions';

/** When the Functions host starts this app: contain doctor, in the background (azure mode only; never blocks start-up). */
app.hook.appStart(() => {
  void (async () => {
    const [{ getContext }, { doctorAtStartup }] = await Promise.all([import('../src/runtime'), import('../src/doctor/startup')]);
    await doctorAtStartup(await getContext());
  })().catch((err: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'contain doctor could not start', error: String(err) })));
});
