/**
 * Hand-written FFM bindings (no jextract): the shared machinery ({@link io.wirekv.nativebindings.NativeLibrary},
 * {@link io.wirekv.nativebindings.Errno}, {@link io.wirekv.nativebindings.NativeException}); the C library
 * in {@code libc}; DPDK, libxdp/libbpf and libibverbs join as sibling packages.
 * <p>
 * <b>Conventions.</b> One holder class per native function with a {@code static final MethodHandle},
 * called with {@code invokeExact}. Calls that can fail capture errno into a caller-supplied state
 * segment and return {@code -errno}; setup code turns that into a {@code NativeException} with
 * {@link io.wirekv.nativebindings.NativeException#check}, hot paths count it. Short non-blocking
 * per-burst calls are linked {@code critical(false)} (JDK 25 allows it together with errno capture).
 * <p>
 * <b>Threading rule.</b> The handles are immutable and safe from any thread; an errno state segment
 * belongs to one thread.
 */
package io.wirekv.nativebindings;
