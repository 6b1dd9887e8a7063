/*
 * looplab loop markers: an N-API addon that marks where each event-loop iteration is.
 *
 * libuv runs prepare handles just before it polls for I/O and check handles just after, so an unref'd
 * prepare handle and an unref'd check handle tell the tracer exactly when poll begins and ends without
 * changing the loop: neither keeps it alive, and (unlike idle handles) neither shortens the poll timeout.
 *
 * The addon also owns the thread's trace buffer, which JavaScript fills through two shared ArrayBuffers,
 * and writes it to the trace pipe: before the loop blocks in poll (so a live viewer sees everything so
 * far), when JavaScript asks, and when the thread or the process ends.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFFER_BYTES 4096 /* one write() of at most PIPE_BUF bytes is atomic, so threads never interleave */
#define HEADER_BYTES 12
#define RECORD_MARK 9
#define MARK_PREPARE 1
#define MARK_CHECK 2
#define MAX_LAG 0x3fffffff /* µs: the 30 bits above a marker's kind */
#define MAGIC 0x504f4f4c /* "LOOP" */

/* Shared with JavaScript as an Int32Array. */
enum { CTRL_USED, CTRL_MARK, CTRL_ITERATION, CTRL_THREAD, CTRL_FD, CTRL_SLOTS };

typedef struct tracer {
  uv_prepare_t prepare;
  uv_check_t check;
  int32_t ctrl[CTRL_SLOTS];
  uint8_t buffer[BUFFER_BYTES];
  int closing;
  uint64_t start_now; /* loop time when tracing began: marker times count from here */
} tracer_t;

/* The main thread's tracer, flushed by atexit() when process.exit() skips the environment cleanup.
 * Worker threads flush in their own cleanup hook; touching their buffers from here would race. */
static tracer_t* main_tracer = NULL;
static int atexit_registered = 0;

static void flush(tracer_t* t) {
  int32_t used = t->ctrl[CTRL_USED];
  if (used <= HEADER_BYTES) return;
  int32_t header[3] = {MAGIC, t->ctrl[CTRL_THREAD], used};
  memcpy(t->buffer, header, sizeof header);
  const uint8_t* data = t->buffer;
  size_t left = (size_t) used;
  int waits = 0;
  while (left > 0) {
    ssize_t n = write(t->ctrl[CTRL_FD], data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && waits++ < 20) {
      /* A child process's channel is non-blocking (app/trace/tracer_procs.js): wait for room a while. */
      struct pollfd room = {t->ctrl[CTRL_FD], POLLOUT, 0};
      poll(&room, 1, 100);
      continue;
    }
    if (n <= 0) break; /* the reader is gone; tracing must never break the program */
    data += n;
    left -= (size_t) n;
  }
  t->ctrl[CTRL_USED] = HEADER_BYTES;
}

/* A marker's record: {MARK, kind | lag << 2, iteration, loop_ms}. loop_ms is the loop's cached clock, which
 * libuv updates only now and then (not after the timers phase, for one); lag is how far the real time (uv_hrtime,
 * the clock of micros() below) is past it, in µs, so the delay view knows when poll really began and ended. */
static void append_mark(tracer_t* t, int32_t kind) {
  t->ctrl[CTRL_MARK] = kind;
  if (kind == MARK_PREPARE) t->ctrl[CTRL_ITERATION] += 1;
  if (t->ctrl[CTRL_USED] + 16 > BUFFER_BYTES) flush(t);
  uint64_t now = uv_now(t->prepare.loop);
  int32_t loop_ms = (int32_t) (now - t->start_now);
  int64_t lag = (int64_t) (uv_hrtime() / 1000) - (int64_t) now * 1000;
  if (lag < 0) lag = 0;
  if (lag > MAX_LAG) lag = MAX_LAG;
  int32_t record[4] = {RECORD_MARK, (int32_t) ((uint32_t) kind | ((uint32_t) lag << 2)), t->ctrl[CTRL_ITERATION],
                       loop_ms};
  memcpy(t->buffer + t->ctrl[CTRL_USED], record, sizeof record);
  t->ctrl[CTRL_USED] += 16;
}

static void on_prepare(uv_prepare_t* handle) {
  tracer_t* t = (tracer_t*) handle->data;
  append_mark(t, MARK_PREPARE);
  flush(t); /* the loop may now sleep in poll: let the reader see everything up to here */
}

static void on_check(uv_check_t* handle) {
  append_mark((tracer_t*) handle->data, MARK_CHECK);
}

static void free_when_closed(uv_handle_t* handle) {
  tracer_t* t = (tracer_t*) handle->data;
  if (++t->closing == 3) free(t); /* both handles closed (the first increment came from cleanup) */
}

static void on_env_cleanup(void* arg) {
  tracer_t* t = (tracer_t*) arg;
  flush(t);
  if (t == main_tracer) main_tracer = NULL;
  t->closing = 1;
  uv_close((uv_handle_t*) &t->prepare, free_when_closed);
  uv_close((uv_handle_t*) &t->check, free_when_closed);
}

static void on_process_exit(void) {
  if (main_tracer) flush(main_tracer);
}

static napi_value throw_error(napi_env env, const char* message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* start(fd, threadId[, isMain]) -> { buffer: ArrayBuffer, control: ArrayBuffer }
 * threadId is what chunk headers carry: a child process's tracer tags it with its pid (tracer_procs.js), so
 * isMain says whether this is the process's main thread (by default, threadId 0). */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd, thread_id;
  bool is_main;
  uv_loop_t* loop;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_int32(env, argv[1], &thread_id) != napi_ok)
    return throw_error(env, "start(fd, threadId) needs two integers");
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return throw_error(env, "no event loop");
  if (argc < 3 || napi_get_value_bool(env, argv[2], &is_main) != napi_ok) is_main = thread_id == 0;

  tracer_t* t = calloc(1, sizeof *t);
  if (!t) return throw_error(env, "out of memory");
  t->ctrl[CTRL_USED] = HEADER_BYTES;
  t->ctrl[CTRL_THREAD] = thread_id;
  t->ctrl[CTRL_FD] = fd;
  fcntl(fd, F_SETFD, FD_CLOEXEC); /* child processes the program starts must not hold the trace pipe */

  t->start_now = uv_now(loop);
  uv_prepare_init(loop, &t->prepare);
  uv_check_init(loop, &t->check);
  t->prepare.data = t->check.data = t;
  uv_prepare_start(&t->prepare, on_prepare);
  uv_check_start(&t->check, on_check);
  uv_unref((uv_handle_t*) &t->prepare);
  uv_unref((uv_handle_t*) &t->check);

  if (is_main) main_tracer = t;
  if (is_main && !atexit_registered) {
    atexit(on_process_exit);
    atexit_registered = 1;
  }
  napi_add_env_cleanup_hook(env, on_env_cleanup, t);

  napi_value result, buffer, control;
  napi_create_object(env, &result);
  napi_create_external_arraybuffer(env, t->buffer, BUFFER_BYTES, NULL, NULL, &buffer);
  napi_create_external_arraybuffer(env, t->ctrl, sizeof t->ctrl, NULL, NULL, &control);
  napi_set_named_property(env, result, "buffer", buffer);
  napi_set_named_property(env, result, "control", control);
  napi_wrap(env, result, t, NULL, NULL, NULL);
  return result;
}

/* The tracer behind the handle start() returned, from a call's first argument; NULL (and a JS error) if none. */
static tracer_t* tracer_of(napi_env env, napi_callback_info info, const char* usage) {
  size_t argc = 1;
  napi_value argv[1];
  tracer_t* t;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_unwrap(env, argv[0], (void**) &t) != napi_ok) {
    throw_error(env, usage);
    return NULL;
  }
  return t;
}

/* flush(handle): write the buffer now (JavaScript calls this when the buffer is full). */
static napi_value flush_now(napi_env env, napi_callback_info info) {
  tracer_t* t = tracer_of(env, info, "flush(handle)");
  if (t) flush(t);
  return NULL;
}

/* now(handle): the loop's cached time in ms since tracing began, in the units of marker records. */
static napi_value loop_now(napi_env env, napi_callback_info info) {
  napi_value result;
  tracer_t* t = tracer_of(env, info, "now(handle)");
  if (!t) return NULL;
  napi_create_int32(env, (int32_t) (uv_now(t->prepare.loop) - t->start_now), &result);
  return result;
}

/* micros(handle): the time now (not the loop's cached time) in µs since tracing began, on the markers' clock:
 * how long a thread-pool job took is often less than a millisecond. */
static napi_value loop_micros(napi_env env, napi_callback_info info) {
  napi_value result;
  tracer_t* t = tracer_of(env, info, "micros(handle)");
  if (!t) return NULL;
  napi_create_double(env, (double) (uv_hrtime() / 1000) - (double) t->start_now * 1000.0, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, NULL, &fn);
  napi_set_named_property(env, exports, "start", fn);
  napi_create_function(env, "flush", NAPI_AUTO_LENGTH, flush_now, NULL, &fn);
  napi_set_named_property(env, exports, "flush", fn);
  napi_create_function(env, "now", NAPI_AUTO_LENGTH, loop_now, NULL, &fn);
  napi_set_named_property(env, exports, "now", fn);
  napi_create_function(env, "micros", NAPI_AUTO_LENGTH, loop_micros, NULL, &fn);
  napi_set_named_property(env, exports, "micros", fn);
  return exports;
}
