# mitmdump addon for bench/run.mjs: host names under .bench.test connect to 127.0.0.1, as
# servers/bench-hosts.mjs makes them resolve in the Node proxies. Only the address changes: the
# upstream TLS handshake still uses, and verifies, the name.


def server_connect(data):
    host, port = data.server.address
    if isinstance(host, str) and host.endswith(".bench.test"):
        data.server.address = ("127.0.0.1", port)
