#include "uvauth/net/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "transfer.hpp"
#include "uvauth/log.hpp"

namespace uvauth::net {
namespace {

using Clock = std::chrono::steady_clock;

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool is_retryable_status(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string describe_authorization(const Request& request) {
  if (!request.authorization && !request.secret_headers.empty()) {
    return std::to_string(request.secret_headers.size()) + " header" + (request.secret_headers.size() == 1 ? "" : "s") +
           " from a credential helper";
  }
  if (!request.authorization) return "no credentials";
  if (request.authorization->scheme == Authorization::Scheme::bearer) return "a bearer token";
  return "basic credentials for user '" + request.authorization->username + "'";
}

}  // namespace

void load_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {
// The loading thread, joined at the latest when the process exits (a static
// std::thread still joinable at exit would call std::terminate).
struct CurlLoader {
  std::mutex mutex;
  std::thread thread;
  bool started = false;
  void join() {
    std::lock_guard lock(mutex);
    if (thread.joinable()) thread.join();
  }
  ~CurlLoader() { join(); }
};
CurlLoader curl_loader;
}  // namespace

void start_loading_curl() {
  std::lock_guard lock(curl_loader.mutex);
  if (curl_loader.started) return;
  curl_loader.started = true;
  curl_loader.thread = std::thread([] { load_curl(); });
}

void finish_loading_curl() { curl_loader.join(); }

// One logical request and its progress through hops and attempts.
struct Job {
  Exchange exchange;
  Request request;
  Client::Callback done;
  unsigned transient_retries = 0;
  std::unique_ptr<detail::Transfer> transfer;
};

class Client::Impl {
 public:
  explicit Impl(ClientOptions opts) : options(std::move(opts)) {
    load_curl();
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(std::max<std::size_t>(options.max_concurrent, 8)));
    worker = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    curl_multi_wakeup(multi);
    worker.join();
    curl_multi_cleanup(multi);
  }

  void start(Request request, Callback done) {
    auto job = std::make_unique<Job>();
    job->exchange.id = ++next_id;
    job->exchange.original_url = request.url;
    job->request = std::move(request);
    job->done = std::move(done);
    {
      std::lock_guard lock(mutex);
      if (!stopping) {
        incoming.push_back(std::move(job));
        job = nullptr;
      }
    }
    if (job) {
      job->done(Error(ErrorKind::usage, "the HTTP client is shutting down"));
      return;
    }
    ++stats_requests;
    curl_multi_wakeup(multi);
  }

  [[nodiscard]] bool on_worker_thread() const { return std::this_thread::get_id() == worker.get_id(); }

  ClientOptions options;
  std::shared_ptr<Middleware> middleware;
  std::atomic<std::uint64_t> stats_requests{0}, stats_attempts{0}, stats_retries{0}, stats_redirects{0},
      stats_connections{0};

 private:
  void run() {
    for (;;) {
      bool stop = false;
      {
        std::lock_guard lock(mutex);
        while (!incoming.empty()) {
          ready.push_back(std::move(incoming.front()));
          incoming.pop_front();
        }
        stop = stopping;
      }
      if (stop) {
        cancel_everything();
        return;
      }
      const auto now = Clock::now();
      while (!delayed.empty() && delayed.begin()->first <= now) {
        ready.push_back(std::move(delayed.begin()->second));
        delayed.erase(delayed.begin());
      }
      while (running.size() < options.max_concurrent && !ready.empty()) {
        auto job = std::move(ready.front());
        ready.pop_front();
        if (middleware && job->exchange.hop == 0 && job->exchange.resend == 0 && middleware->hold(job->request, job->exchange)) {
          held.push_back(std::move(job));
          continue;
        }
        launch(std::move(job));
      }
      // Nothing runs that could release them (a bug in a middleware): let them go.
      if (running.empty() && ready.empty() && !held.empty()) {
        std::vector<std::unique_ptr<Job>> released;
        released.swap(held);
        for (auto& job : released) launch(std::move(job));
      }
      int still_running = 0;
      curl_multi_perform(multi, &still_running);
      int left = 0;
      while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
        if (message->msg == CURLMSG_DONE) finished(message->easy_handle, message->data.result);
      }
      if (!ready.empty() && running.size() < options.max_concurrent) continue;

      long curl_timeout = -1;
      curl_multi_timeout(multi, &curl_timeout);
      long wait_ms = curl_timeout < 0 ? 1000 : std::min(curl_timeout, 1000L);
      if (!delayed.empty()) {
        const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(delayed.begin()->first - Clock::now());
        wait_ms = std::clamp<long>(static_cast<long>(until.count()), 0, wait_ms);
      }
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait_ms), nullptr);
    }
  }

  void launch(std::unique_ptr<Job> job) {
    if (middleware) {
      if (auto allowed = middleware->before_send(job->request, job->exchange); !allowed) {
        complete(std::move(job), std::move(allowed).error());
        return;
      }
    }
    auto transfer = detail::Transfer::create(job->request, options);
    if (!transfer) {
      complete(std::move(job), std::move(transfer).error());
      return;
    }
    job->transfer = std::move(transfer).value();
    UVAUTH_DEBUG(to_string(job->request.method) << " " << job->request.url.redacted() << " with "
                                                << describe_authorization(job->request)
                                                << (job->request.range ? " range " + *job->request.range : ""));
    if (logger().enabled(Verbosity::trace)) {
      if (job->request.authorization) {
        UVAUTH_TRACE("  > authorization: "
                     << (job->request.authorization->scheme == Authorization::Scheme::bearer ? "Bearer ****"
                                                                                             : "Basic ****"));
      }
      for (const auto& [name, value] : job->request.headers) {
        const bool sensitive = name == "authorization" || name == "Authorization" || name == "cookie" || name == "Cookie";
        UVAUTH_TRACE("  > " << name << ": " << (sensitive ? "****" : value));
      }
      for (const auto& header : job->request.secret_headers) UVAUTH_TRACE("  > " << header.first << ": ****");
    }
    CURL* handle = job->transfer->handle();
    curl_multi_add_handle(multi, handle);
    running.emplace(handle, std::move(job));
    ++stats_attempts;
  }

  void finished(CURL* handle, CURLcode code) {
    auto node = running.extract(handle);
    curl_multi_remove_handle(multi, handle);
    std::unique_ptr<Job> job = std::move(node.mapped());
    detail::Transfer& transfer = *job->transfer;
    stats_connections += static_cast<std::uint64_t>(transfer.new_connections());

    if (code != CURLE_OK) {
      Error error = transfer.error_for(code);
      if (transfer.is_transient(code) && job->transient_retries < options.retries) {
        const auto delay = backoff(job->transient_retries);
        retry_later(std::move(job), delay, error.message);
      } else {
        if (job->transient_retries > 0) {
          error.message += " (after " + std::to_string(job->transient_retries) + " retr" + (job->transient_retries == 1 ? "y" : "ies") + ")";
        }
        UVAUTH_DEBUG("failed: " << error.message);
        complete(std::move(job), std::move(error));
      }
      return;
    }

    Response response = transfer.take_response();
    response.sent_credentials = job->request.authorization.has_value() || !job->request.secret_headers.empty();
    response.redirects = job->exchange.hop;
    response.retries = job->transient_retries;
    UVAUTH_DEBUG(response.status << " " << reason_phrase(response.status) << " for "
                                 << job->request.url.redacted() << " (HTTP/" << response.http_version << ", "
                                 << response.body_size << " bytes)");
    if (logger().enabled(Verbosity::trace)) {
      for (const auto& [name, value] : response.headers) {
        UVAUTH_TRACE("  < " << name << ": " << (name == "set-cookie" ? std::string("****") : value));
      }
    }

    const auto location = response.header("location");
    if (is_redirect(response.status) && location) {
      follow_redirect(std::move(job), response, std::string(*location));
      return;
    }
    if (is_retryable_status(response.status) && job->transient_retries < options.retries) {
      const auto delay = retry_delay(response, job->transient_retries);
      const std::string why = "HTTP " + std::to_string(response.status) + " from " + job->request.url.redacted();
      retry_later(std::move(job), delay, why);
      return;
    }
    if (middleware && job->exchange.resend < 4 && middleware->should_resend(job->request, response, job->exchange)) {
      job->transfer.reset();
      ++job->exchange.resend;
      ready.push_back(std::move(job));
      return;
    }
    if (response.ok()) {
      if (auto committed = transfer.commit(); !committed) {
        complete(std::move(job), std::move(committed).error());
        return;
      }
      if (middleware) middleware->on_success(job->request, response, job->exchange);
    } else if (response.status == 304 && middleware) {
      // A revalidation the server accepted: the credentials that got it worked.
      middleware->on_success(job->request, response, job->exchange);
    }
    if (middleware) middleware->on_final_response(job->request, response, job->exchange);
    complete(std::move(job), std::move(response));
  }

  void follow_redirect(std::unique_ptr<Job> job, const Response& response, const std::string& location) {
    Request& request = job->request;
    if (job->exchange.hop >= options.max_redirects) {
      Error error = Error(ErrorKind::http, "too many redirects (more than " + std::to_string(options.max_redirects) +
                                               ") starting at " + job->exchange.original_url.redacted())
                        .with_hint("the server redirects in a loop; check the index URL");
      complete(std::move(job), std::move(error));
      return;
    }
    auto next = request.url.join(location);
    if (!next) {
      Error error(ErrorKind::http, "bad redirect from " + request.url.redacted() + ": " + next.error().message);
      complete(std::move(job), std::move(error));
      return;
    }
    const bool cross_origin = !next->same_origin(request.url);
    if (response.status == 303 && request.method != Method::head) request.method = Method::get;
    if (cross_origin) {
      // Credentials of one origin never travel to another; the middleware
      // looks up the target's own.
      request.authorization.reset();
      request.secret_headers.clear();
      remove_header(request.headers, "authorization");
      remove_header(request.headers, "cookie");
    }
    UVAUTH_DEBUG("redirect " << response.status << " from " << request.url.redacted() << " to " << next->redacted()
                             << (cross_origin ? " (another origin: credentials dropped)" : " (same origin)"));
    request.url = std::move(next).value();
    job->exchange.hop += 1;
    job->exchange.resend = 0;
    job->transient_retries = 0;
    job->transfer.reset();
    ++stats_redirects;
    ready.push_back(std::move(job));
  }

  void retry_later(std::unique_ptr<Job> job, std::chrono::milliseconds delay, const std::string& why) {
    job->transfer.reset();
    ++job->transient_retries;
    ++stats_retries;
    if (job->request.on_restart) job->request.on_restart();
    UVAUTH_DEBUG("retry " << job->transient_retries << "/" << options.retries << " in " << delay.count()
                          << " ms after: " << why);
    delayed.emplace(Clock::now() + delay, std::move(job));
  }

  std::chrono::milliseconds backoff(unsigned attempt) {
    const std::chrono::milliseconds base = options.retry_base_delay * (1L << std::min(attempt, 10U));
    std::uniform_int_distribution<long> jitter(0, static_cast<long>(options.retry_base_delay.count() / 2));
    const std::chrono::milliseconds delay = base + std::chrono::milliseconds(jitter(random));
    return std::min(options.retry_max_delay, delay);
  }

  std::chrono::milliseconds retry_delay(const Response& response, unsigned attempt) {
    if (auto after = response.header("retry-after")) {
      long seconds = 0;
      const auto [end, ec] = std::from_chars(after->data(), after->data() + after->size(), seconds);
      if (ec == std::errc() && end == after->data() + after->size() && seconds >= 0) {
        return std::min(options.retry_max_delay, std::chrono::milliseconds(seconds * 1000));
      }
    }
    return backoff(attempt);
  }

  void complete(std::unique_ptr<Job> job, Result<Response> result) {
    job->transfer.reset();
    if (middleware) {
      middleware->on_complete(job->exchange);
      // Held requests are asked again now.
      std::vector<std::unique_ptr<Job>> released;
      released.swap(held);
      for (auto& waiting : released) ready.push_back(std::move(waiting));
    }
    try {
      job->done(std::move(result));
    } catch (...) {
      // A throwing callback must not take the event loop down with it.
      logger().warn("an HTTP completion callback threw an exception");
    }
  }

  void cancel_everything() {
    for (auto& [handle, job] : running) curl_multi_remove_handle(multi, handle);
    std::vector<std::unique_ptr<Job>> all;
    for (auto& [handle, job] : running) all.push_back(std::move(job));
    for (auto& [when, job] : delayed) all.push_back(std::move(job));
    for (auto& job : ready) all.push_back(std::move(job));
    for (auto& job : held) all.push_back(std::move(job));
    {
      std::lock_guard lock(mutex);
      for (auto& job : incoming) all.push_back(std::move(job));
      incoming.clear();
    }
    running.clear();
    delayed.clear();
    ready.clear();
    for (auto& job : all) {
      const std::string url = job->request.url.redacted();
      complete(std::move(job), Error(ErrorKind::network, "request to " + url + " cancelled: the client shut down"));
    }
  }

  CURLM* multi = nullptr;
  std::thread worker;
  std::mutex mutex;
  bool stopping = false;                       // guarded by mutex
  std::deque<std::unique_ptr<Job>> incoming;   // guarded by mutex
  std::atomic<std::uint64_t> next_id{0};
  // Worker thread only:
  std::deque<std::unique_ptr<Job>> ready;
  std::vector<std::unique_ptr<Job>> held;  // held back by the middleware until another exchange ends
  std::multimap<Clock::time_point, std::unique_ptr<Job>> delayed;
  std::unordered_map<CURL*, std::unique_ptr<Job>> running;
  std::minstd_rand random{std::random_device{}()};
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;

void Client::set_middleware(std::shared_ptr<Middleware> middleware) { impl_->middleware = std::move(middleware); }
const ClientOptions& Client::options() const { return impl_->options; }

void Client::start(Request request, Callback done) { impl_->start(std::move(request), std::move(done)); }

std::future<Result<Response>> Client::submit(Request request) {
  auto promise = std::make_shared<std::promise<Result<Response>>>();
  auto future = promise->get_future();
  start(std::move(request), [promise](Result<Response> result) { promise->set_value(std::move(result)); });
  return future;
}

Result<Response> Client::fetch(Request request) {
  if (impl_->on_worker_thread()) {
    return Error(ErrorKind::usage, "Client::fetch called from a completion callback (it would deadlock)");
  }
  return submit(std::move(request)).get();
}

std::vector<Result<Response>> Client::fetch_all(std::vector<Request> requests) {
  std::vector<std::future<Result<Response>>> futures;
  futures.reserve(requests.size());
  for (auto& request : requests) futures.push_back(submit(std::move(request)));
  std::vector<Result<Response>> results;
  results.reserve(futures.size());
  for (auto& future : futures) results.push_back(future.get());
  return results;
}

Client::Stats Client::stats() const {
  return Stats{impl_->stats_requests, impl_->stats_attempts, impl_->stats_retries, impl_->stats_redirects,
               impl_->stats_connections};
}

}  // namespace uvauth::net
