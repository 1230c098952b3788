/**
 * The C library (glibc, Debian package {@code libc6}) on 64-bit Linux: memory mapping
 * ({@link io.wirekv.nativebindings.libc.Mman}), CPU affinity ({@link io.wirekv.nativebindings.libc.Sched}),
 * sockets with batched datagram I/O ({@link io.wirekv.nativebindings.libc.Sockets}) and their struct
 * layouts ({@link io.wirekv.nativebindings.libc.MmsghdrDescriptor},
 * {@link io.wirekv.nativebindings.libc.SockaddrInDescriptor}, {@link io.wirekv.nativebindings.libc.SockaddrUnDescriptor}), which a test checks against the system headers.
 * Native names stay C-like ({@code sched_setaffinity}); wrappers above them are Java-cased.
 */
package io.wirekv.nativebindings.libc;
