// A small HTTP server on 127.0.0.1 for the tests of downloads (utils::get_file, the data sets):
// fixed answers per path, served from a thread of its own, so that no test needs the network.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace dztest {

// Serves fixed answers on 127.0.0.1 (a port the system picks) from a thread of its own.
class LocalServer {
 public:
  struct Answer {
    int status = 200;
    std::string body;
    std::optional<std::size_t> send_only = {};  // close the connection after this many body bytes
    bool stall = false;                     // after send_only bytes, wait instead of closing
    std::function<void()> after_send = {};  // called once the bytes are out
  };

  LocalServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd_, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LocalServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  void route(const std::string& path, Answer answer) {
    const std::lock_guard lock(mutex_);
    routes_[path] = std::move(answer);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      answer(client);
      close(client);
    }
  }

  void answer(int client) {
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      pollfd p{client, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) return;
      const ssize_t n = recv(client, buf, sizeof buf, 0);
      if (n <= 0) return;
      request.append(buf, static_cast<std::size_t>(n));
    }
    ++requests_;
    const auto first_space = request.find(' ');
    const std::string path =
        request.substr(first_space + 1, request.find(' ', first_space + 1) - first_space - 1);
    Answer a;
    {
      const std::lock_guard lock(mutex_);
      const auto it = routes_.find(path);
      if (it != routes_.end()) {
        a = it->second;
      } else {
        a.status = 404;
        a.body = "not found";
      }
    }
    const std::string head = "HTTP/1.1 " + std::to_string(a.status) +
                             (a.status == 200 ? " OK" : " Not Found") + "\r\nContent-Length: " +
                             std::to_string(a.body.size()) + "\r\nConnection: close\r\n\r\n";
    const std::string out = head + a.body.substr(0, a.send_only.value_or(a.body.size()));
    for (std::size_t sent = 0; sent < out.size();) {
      const ssize_t n = send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
    if (a.after_send) a.after_send();
    while (a.stall && !stop_) {
      // until the client hangs up
      pollfd p{client, POLLIN, 0};
      if (poll(&p, 1, 50) > 0 && recv(client, buf, sizeof buf, 0) <= 0) break;
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::map<std::string, Answer> routes_;
  std::thread thread_;
};

}  // namespace dztest
