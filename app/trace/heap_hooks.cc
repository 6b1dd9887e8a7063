/*
 * looplab heap hooks: the heap view's half of the tracer, in C++ because only V8's own API has GC callbacks
 * (N-API has none, and Node's 'gc' PerformanceObserver delivers its entries through a setImmediate of its own,
 * which the program would see). Built against the running Node's own headers (V8's C++ ABI changes between
 * majors), loaded by tracer.js next to loop_markers.c.
 *
 * V8 calls a GC prologue and epilogue callback on the isolate's thread around each pause, with the GC's kind.
 * Each pause becomes a HEAP record (kind 31): its start on the markers' clock and its length, in µs. The heap
 * spaces' used sizes (KiB) are sampled just before and just after each pause and, at most every SAMPLE_GAP,
 * as poll begins and ends (an unref'd prepare and check handle, as the loop markers use: they neither keep the
 * loop alive nor shorten its poll); only the spaces whose size changed are written.
 *
 * A GC can interrupt JavaScript anywhere, even inside the tracer's record(), so these records never touch the
 * trace buffer: they wait in a ring of their own, which tracer.js copies into the trace between callbacks.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <v8.h>

#include <cstdint>
#include <cstdlib>

namespace {

constexpr int32_t RECORD_HEAP = 31;
constexpr int32_t WHAT_GC = 1, WHAT_SPACE = 2;  // a's low byte; tracer.js writes 3 (names) and 4 (dropped)
constexpr int32_t WHEN_LOOP = 0, WHEN_BEFORE = 1, WHEN_AFTER = 2;
constexpr int RING_WORDS = 1 << 16;  // 16,384 records: about a thousand GCs with their samples
constexpr int MAX_SPACES = 32;
constexpr int MAX_DEPTH = 8;
constexpr uint64_t SAMPLE_GAP = 2000000;  // ns between two samples taken as poll begins or ends

enum { CTRL_USED, CTRL_DROPPED, CTRL_SLOTS };  // shared with JavaScript as an Int32Array

struct Hooks {
  v8::Isolate* isolate;
  uv_prepare_t prepare;
  uv_check_t check;
  int32_t ctrl[CTRL_SLOTS];
  int32_t ring[RING_WORDS];
  uint64_t t0;    // uv_hrtime() when started
  double base;    // the markers' clock (µs) at t0
  uint64_t last_sample;
  int64_t said[MAX_SPACES];  // KiB last written per space
  uint64_t started[MAX_DEPTH];
  int depth;
  int closing;
};

int32_t micros(const Hooks* h, uint64_t ns) {
  return static_cast<int32_t>(h->base + static_cast<double>(ns - h->t0) / 1000.0);
}

void append(Hooks* h, int32_t a, int32_t b, int32_t c) {
  int32_t used = h->ctrl[CTRL_USED];
  if (used + 4 > RING_WORDS) {
    h->ctrl[CTRL_DROPPED] += 1;
    return;
  }
  h->ring[used] = RECORD_HEAP;
  h->ring[used + 1] = a;
  h->ring[used + 2] = b;
  h->ring[used + 3] = c;
  h->ctrl[CTRL_USED] = used + 4;
}

void sample(Hooks* h, int32_t when, uint64_t now) {
  h->last_sample = now;
  size_t spaces = h->isolate->NumberOfHeapSpaces();
  if (spaces > MAX_SPACES) spaces = MAX_SPACES;
  v8::HeapSpaceStatistics stats;
  for (size_t i = 0; i < spaces; i++) {
    if (!h->isolate->GetHeapSpaceStatistics(&stats, i)) continue;
    int64_t kib = static_cast<int64_t>((stats.space_used_size() + 1023) / 1024);
    if (kib == h->said[i]) continue;
    h->said[i] = kib;
    append(h, WHAT_SPACE | static_cast<int32_t>(i) << 8 | when << 16, static_cast<int32_t>(kib), micros(h, now));
  }
}

void before_gc(v8::Isolate*, v8::GCType, v8::GCCallbackFlags, void* data) {
  Hooks* h = static_cast<Hooks*>(data);
  sample(h, WHEN_BEFORE, uv_hrtime());
  if (h->depth < MAX_DEPTH) h->started[h->depth] = uv_hrtime();  // after the sample: it is not the GC's time
  h->depth++;
}

void after_gc(v8::Isolate*, v8::GCType type, v8::GCCallbackFlags flags, void* data) {
  Hooks* h = static_cast<Hooks*>(data);
  uint64_t end = uv_hrtime();
  if (h->depth == 0) return;  // started before the hooks were
  h->depth--;
  if (h->depth >= MAX_DEPTH) return;
  uint64_t start = h->started[h->depth];
  int32_t pause = static_cast<int32_t>((end - start) / 1000);
  append(h, WHAT_GC | (static_cast<int32_t>(type) & 0xff) << 8 | (static_cast<int32_t>(flags) & 0xff) << 16,
         micros(h, start), pause);
  sample(h, WHEN_AFTER, uv_hrtime());
}

void on_loop(Hooks* h) {
  uint64_t now = uv_hrtime();
  if (now - h->last_sample >= SAMPLE_GAP) sample(h, WHEN_LOOP, now);
}

void on_prepare(uv_prepare_t* handle) { on_loop(static_cast<Hooks*>(handle->data)); }
void on_check(uv_check_t* handle) { on_loop(static_cast<Hooks*>(handle->data)); }

void free_when_closed(uv_handle_t* handle) {
  Hooks* h = static_cast<Hooks*>(handle->data);
  if (++h->closing == 3) free(h);
}

void on_env_cleanup(void* arg) {
  Hooks* h = static_cast<Hooks*>(arg);
  h->isolate->RemoveGCPrologueCallback(before_gc, h);
  h->isolate->RemoveGCEpilogueCallback(after_gc, h);
  h->closing = 1;
  uv_close(reinterpret_cast<uv_handle_t*>(&h->prepare), free_when_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&h->check), free_when_closed);
}

/* start(micros) -> { ring: ArrayBuffer, control: ArrayBuffer, spaces: [names] }; micros: the markers' clock now. */
napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double base = 0;
  uv_loop_t* loop;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 1 ||
      napi_get_value_double(env, argv[0], &base) != napi_ok) {
    napi_throw_error(env, nullptr, "start(micros) needs a number");
    return nullptr;
  }
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate == nullptr || napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, nullptr, "no isolate or event loop");
    return nullptr;
  }
  Hooks* h = static_cast<Hooks*>(calloc(1, sizeof(Hooks)));
  if (h == nullptr) {
    napi_throw_error(env, nullptr, "out of memory");
    return nullptr;
  }
  h->isolate = isolate;
  h->t0 = h->last_sample = uv_hrtime();
  h->base = base;
  // said[] starts at 0 (calloc): a space that never holds anything is never written

  napi_value result, ring, control, names;
  napi_create_object(env, &result);
  napi_create_external_arraybuffer(env, h->ring, sizeof h->ring, nullptr, nullptr, &ring);
  napi_create_external_arraybuffer(env, h->ctrl, sizeof h->ctrl, nullptr, nullptr, &control);
  size_t spaces = isolate->NumberOfHeapSpaces();
  napi_create_array_with_length(env, spaces, &names);
  v8::HeapSpaceStatistics stats;
  for (size_t i = 0; i < spaces; i++) {
    napi_value name;
    const char* text = isolate->GetHeapSpaceStatistics(&stats, i) ? stats.space_name() : "";
    napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, names, static_cast<uint32_t>(i), name);
  }
  napi_set_named_property(env, result, "ring", ring);
  napi_set_named_property(env, result, "control", control);
  napi_set_named_property(env, result, "spaces", names);

  uv_prepare_init(loop, &h->prepare);
  uv_check_init(loop, &h->check);
  h->prepare.data = h->check.data = h;
  uv_prepare_start(&h->prepare, on_prepare);
  uv_check_start(&h->check, on_check);
  uv_unref(reinterpret_cast<uv_handle_t*>(&h->prepare));
  uv_unref(reinterpret_cast<uv_handle_t*>(&h->check));
  isolate->AddGCPrologueCallback(before_gc, h);
  isolate->AddGCEpilogueCallback(after_gc, h);
  napi_add_env_cleanup_hook(env, on_env_cleanup, h);
  sample(h, WHEN_LOOP, h->t0);  // the spaces as tracing begins
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, nullptr, &fn);
  napi_set_named_property(env, exports, "start", fn);
  return exports;
}
