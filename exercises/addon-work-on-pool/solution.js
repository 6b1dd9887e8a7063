// The add-on's C source is here, so you can change it: every run writes it to slow_sum.c and compiles it.
const SLOW_SUM_C = String.raw`
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
  double a, b, result;
  napi_ref callback;       /* keeps the JavaScript callback alive until deliver() calls it */
  napi_async_work work;    /* set only when the job goes through napi_create_async_work */
} job_t;

/* The slow part. It touches no JavaScript value, so any thread may run it. */
static void crunch(napi_env env, void* data) {
  job_t* job = data;
  usleep(400 * 1000); /* stands for 400 ms of real work */
  job->result = job->a + job->b;
}

/* Must run on the main thread: it calls JavaScript, then frees the job. */
static void deliver(napi_env env, napi_status status, void* data) {
  job_t* job = data;
  napi_value callback, global, args[2];
  napi_get_reference_value(env, job->callback, &callback);
  napi_get_null(env, &args[0]);
  napi_create_double(env, job->result, &args[1]);
  napi_get_global(env, &global);
  napi_call_function(env, global, callback, 2, args, NULL);
  napi_delete_reference(env, job->callback);
  if (job->work != NULL) napi_delete_async_work(env, job->work);
  free(job);
}

/* slowSum(a, b, callback) */
static napi_value slow_sum(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  job_t* job = calloc(1, sizeof *job);
  napi_get_value_double(env, args[0], &job->a);
  napi_get_value_double(env, args[1], &job->b);
  napi_create_reference(env, args[2], 1, &job->callback);

  /* crunch() on a thread of libuv's pool, then deliver() on the main thread, from the event loop */
  napi_value name;
  napi_create_string_utf8(env, "slowSum", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, crunch, deliver, job, &job->work);
  napi_queue_async_work(env, job->work);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "slowSum", NAPI_AUTO_LENGTH, slow_sum, NULL, &fn);
  napi_set_named_property(env, exports, "slowSum", fn);
  return exports;
}
`;

const fs = require('node:fs');
const { buildAddon } = require('./build-addon');
fs.writeFileSync('slow_sum.c', SLOW_SUM_C);
const { slowSum } = require(buildAddon('slow_sum.c', 'slow_sum.node'));

const start = performance.now();
const ms = () => Math.round(performance.now() - start);

setTimeout(() => console.log(`heartbeat (due at 10 ms) at ${ms()} ms`), 10);
slowSum(2, 3, (err, result) => console.log(`slowSum: ${result}`));
console.log('main module done');
