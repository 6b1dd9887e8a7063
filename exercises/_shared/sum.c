/* sum.c: a Node add-on in plain C, through Node-API (node_api.h).
 * sum(a, b, callback) adds two numbers and gives the result to callback(err, result) before it returns. */
#ifndef NAPI_VERSION /* a build may ask for another with -DNAPI_VERSION=N */
#define NAPI_VERSION 8 /* the Node-API version this add-on needs: Node 20 (9) and Node 24 (10) both offer it */
#endif
#include <node_api.h>

static napi_value sum(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3]; /* missing arguments come back as undefined */
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);

  double a, b;
  /* A string is not converted: napi_get_value_double answers napi_number_expected, and nothing is thrown
   * unless the add-on throws something itself. */
  if (napi_get_value_double(env, args[0], &a) != napi_ok || napi_get_value_double(env, args[1], &b) != napi_ok) {
    napi_throw_type_error(env, "ERR_SUM_ARGS", "a and b must be numbers");
    return NULL;
  }

  napi_value global, callback_args[2];
  napi_get_null(env, &callback_args[0]);
  napi_create_double(env, a + b, &callback_args[1]);
  napi_get_global(env, &global);
  /* Calls the JavaScript function right here, on the main thread, inside this call of sum(). */
  napi_call_function(env, global, args[2], 2, callback_args, NULL);
  return NULL; /* NULL: the call returns undefined */
}

/* What require('./sum.node') runs once: put the functions on exports. */
NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "sum", NAPI_AUTO_LENGTH, sum, NULL, &fn);
  napi_set_named_property(env, exports, "sum", fn);
  return exports;
}
