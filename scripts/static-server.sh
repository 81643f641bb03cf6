# Sourced by the scripts that drive the built playground in Chromium
# (measure-web.sh, screenshot.sh, test-e2e.sh).
#
#   static_server DIR PATH   serves DIR with python's static server on a free loopback
#                            port, waits until http://127.0.0.1:$port/PATH answers, sets
#                            $port and $server_url (that URL), and stops the server when
#                            the calling script exits (after the caller's `at_exit`, if
#                            it defines one).
static_server() {
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$1" >/dev/null 2>&1 &
  _static_server_pid=$!
  trap '_static_server_stop' EXIT
  server_url="http://127.0.0.1:$port/$2"
  for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('$server_url')" 2>/dev/null && break
    sleep 0.1
  done
}

_static_server_stop() {
  kill "$_static_server_pid" 2>/dev/null || true
  wait "$_static_server_pid" 2>/dev/null || true
  if declare -F at_exit >/dev/null; then at_exit; fi
}
