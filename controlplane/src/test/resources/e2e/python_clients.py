# Drives one real Python memcached client against HOST:PORT and prints one line per operation:
# "<step> <repr(result)>", so the Java test (PythonClientsTest) asserts every result, not just the exit code.
#   /usr/bin/python3 python_clients.py pymemcache|pylibmc|pylibmc-udp HOST PORT PREFIX
# Debian's interpreter on purpose: python3-pymemcache and python3-pylibmc are Debian packages
# (deploy/install-deps.sh installs them), invisible to a pyenv or venv python3 on PATH.
import sys
import time

client_kind, host, port, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def k(name):
    return prefix + name


def show(step, result):
    if isinstance(result, dict):
        result = sorted(result.items())
    print(step, repr(result), flush=True)


big = bytes(range(256)) * 400  # 102,400 bytes: larger than one UDP datagram and one TCP read

if client_kind == "pymemcache":
    from pymemcache.client.base import Client
    c = Client((host, port), default_noreply=False, connect_timeout=5, timeout=5)
    show("set", c.set(k("a"), b"alpha"))
    show("get", c.get(k("a")))
    show("get-miss", c.get(k("none")))
    show("add-existing", c.add(k("a"), b"x"))
    show("add-new", c.add(k("b"), b"beta", expire=100))
    show("replace-missing", c.replace(k("none"), b"x"))
    show("append", c.append(k("a"), b"+"))
    show("prepend", c.prepend(k("a"), b"-"))
    show("get-after-append", c.get(k("a")))
    show("set-big", c.set(k("big"), big))
    show("get-big-equal", c.get(k("big")) == big)
    show("get-many", c.get_many([k("a"), k("none"), k("b")]))
    show("set-counter", c.set(k("n"), b"10"))
    show("incr", c.incr(k("n"), 5))
    show("decr", c.decr(k("n"), 20))
    show("incr-missing", c.incr(k("none"), 1))
    value, cas = c.gets(k("a"))
    show("gets", value)
    show("cas-ok", c.cas(k("a"), b"swapped", cas))
    show("cas-stale", c.cas(k("a"), b"again", cas))
    show("cas-missing", c.cas(k("none"), b"x", cas))
    show("get-after-cas", c.get(k("a")))
    show("touch", c.touch(k("a"), 100))
    show("delete", c.delete(k("a")))
    show("delete-missing", c.delete(k("a")))
    show("get-deleted", c.get(k("a")))
    show("version-nonempty", len(c.version()) > 0)
    c.close()
elif client_kind == "pylibmc":
    import pylibmc
    c = pylibmc.Client(["%s:%d" % (host, port)], binary=False, behaviors={"cas": True})
    show("set", c.set(k("a"), b"alpha"))
    show("get", c.get(k("a")))
    show("get-miss", c.get(k("none")))
    show("add-existing", c.add(k("a"), b"x"))
    show("add-new", c.add(k("b"), b"beta"))
    show("replace-missing", c.replace(k("none"), b"x"))
    show("append", c.append(k("a"), b"+"))
    show("prepend", c.prepend(k("a"), b"-"))
    show("get-after-append", c.get(k("a")))
    show("set-big", c.set(k("big"), big))
    show("get-big-equal", c.get(k("big")) == big)
    show("set-multi", c.set_multi({k("m1"): b"1", k("m2"): b"2"}))
    show("get-multi", c.get_multi([k("a"), k("none"), k("b"), k("m1"), k("m2")]))
    show("set-counter", c.set(k("n"), b"10"))
    show("incr", c.incr(k("n"), 5))
    show("decr", c.decr(k("n"), 20))
    try:
        c.incr(k("none"), 1)
        show("incr-missing", "no error")
    except pylibmc.NotFound:
        show("incr-missing", "NotFound")
    value, cas = c.gets(k("a"))
    show("gets", value)
    show("cas-ok", c.cas(k("a"), b"swapped", cas))
    show("cas-stale", c.cas(k("a"), b"again", cas))
    show("get-after-cas", c.get(k("a")))
    show("delete", c.delete(k("a")))
    show("delete-missing", c.delete(k("a")))
    show("delete-multi", c.delete_multi([k("m1"), k("m2")]))
    show("get-multi-deleted", c.get_multi([k("a"), k("m1"), k("m2"), k("b")]))
elif client_kind == "pylibmc-binary":
    # libmemcached in memcached's binary protocol: quiet sets in set_multi and NOOP-terminated multi-gets
    import pylibmc
    c = pylibmc.Client(["%s:%d" % (host, port)], binary=True, behaviors={"cas": True})

    def attempt(step, operation):
        # libmemcached's binary mode raises where its text mode returns False: show either
        try:
            show(step, operation())
        except pylibmc.Error as e:
            show(step, type(e).__name__)

    attempt("set", lambda: c.set(k("a"), b"alpha"))
    attempt("get", lambda: c.get(k("a")))
    attempt("get-miss", lambda: c.get(k("none")))
    attempt("add-existing", lambda: c.add(k("a"), b"x"))
    attempt("add-new", lambda: c.add(k("b"), b"beta"))
    attempt("replace-missing", lambda: c.replace(k("none"), b"x"))
    attempt("append", lambda: c.append(k("a"), b"+"))
    attempt("prepend", lambda: c.prepend(k("a"), b"-"))
    attempt("get-after-append", lambda: c.get(k("a")))
    attempt("set-big", lambda: c.set(k("big"), big))
    attempt("get-big-equal", lambda: c.get(k("big")) == big)
    attempt("set-multi", lambda: c.set_multi({k("m1"): b"1", k("m2"): b"2"}))
    attempt("get-multi", lambda: c.get_multi([k("a"), k("none"), k("b"), k("m1"), k("m2")]))
    attempt("set-counter", lambda: c.set(k("n"), b"10"))
    attempt("incr", lambda: c.incr(k("n"), 5))
    attempt("decr", lambda: c.decr(k("n"), 20))
    attempt("incr-missing", lambda: c.incr(k("none"), 1))
    value, cas = c.gets(k("a"))
    show("gets", value)
    attempt("cas-ok", lambda: c.cas(k("a"), b"swapped", cas))
    attempt("cas-stale", lambda: c.cas(k("a"), b"again", cas))
    attempt("get-after-cas", lambda: c.get(k("a")))
    attempt("touch", lambda: c.touch(k("a"), 100))
    attempt("delete", lambda: c.delete(k("a")))
    attempt("delete-missing", lambda: c.delete(k("a")))
    attempt("delete-multi", lambda: c.delete_multi([k("m1"), k("m2")]))
    attempt("get-multi-deleted", lambda: c.get_multi([k("a"), k("m1"), k("m2"), k("b")]))
    attempt("flush", lambda: c.flush_all())
    attempt("get-after-flush", lambda: c.get(k("b")))
elif client_kind == "pylibmc-udp":
    # libmemcached's UDP mode sends writes only (noreply; no reads, incr is not supported there): each
    # write goes out as one datagram, with libmemcached's own reserved field and sequence number, and is
    # read back over TCP.
    import pylibmc
    udp = pylibmc.Client(["udp:%s:%d" % (host, port)])
    tcp = pylibmc.Client(["%s:%d" % (host, port)])

    def settle(keys, want):
        # UDP writes are fire-and-forget: wait (bounded) until TCP sees them land.
        deadline = time.time() + 5
        got = tcp.get_multi(keys)
        while got != want and time.time() < deadline:
            time.sleep(0.02)
            got = tcp.get_multi(keys)
        return got

    show("udp-set", udp.set(k("a"), b"alpha"))
    show("udp-add", udp.add(k("b"), b"beta"))
    show("udp-set-multi", udp.set_multi({k("m1"): b"1", k("m2"): b"2"}))
    show("tcp-get-multi", settle([k("a"), k("b"), k("m1"), k("m2")],
                                 {k("a"): b"alpha", k("b"): b"beta", k("m1"): b"1", k("m2"): b"2"}))
    show("udp-replace", udp.replace(k("a"), b"again"))
    show("udp-append", udp.append(k("a"), b"+"))
    show("tcp-get-after-replace", settle([k("a")], {k("a"): b"again+"}))
    show("udp-delete", udp.delete(k("b")))
    show("tcp-get-after-delete", settle([k("a"), k("b")], {k("a"): b"again+"}))
    try:
        udp.get(k("a"))
        show("udp-get", "served")
    except pylibmc.NotSupportedError:
        show("udp-get", "NotSupportedError")
else:
    sys.exit("unknown client " + client_kind)
print("done", flush=True)
